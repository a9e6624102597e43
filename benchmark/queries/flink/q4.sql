-- title: Q4 average price per category: the mean closing price of the auctions in each category (updating)
-- reference: nexmark-flink q4: per auction the highest bid placed between its start and its expiry, then AVG of those per category
-- flink: the reference's regular join filtered by B.datetime BETWEEN A.datetime AND A.expires, MAX per auction, AVG per category (debezium-json)
-- deviation: sink columns named for what they hold (the reference names the category `id`), as in Arroyo's file
-- columns: category, final
CREATE TABLE results (
    category BIGINT,
    `final` BIGINT
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'debezium-json',
    'debezium-json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT Q.category, CAST(AVG(Q.`final`) AS BIGINT) AS `final`
FROM (
    SELECT MAX(B.price) AS `final`, A.category
    FROM auction AS A
    JOIN bid AS B ON A.id = B.auction
    WHERE B.`datetime` BETWEEN A.`datetime` AND A.expires
    GROUP BY A.id, A.category
) AS Q
GROUP BY Q.category;
