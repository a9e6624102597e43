-- title: Q4 average price per category: the mean closing price of the auctions in each category (updating)
-- reference: nexmark-flink q4: per auction the highest bid placed between its start and its expiry, then AVG of those per category
-- arroyo: an updating join of auctions and bids on the id, filtered by B.datetime BETWEEN A.datetime AND A.expires; an updating MAX per auction; an updating AVG over it per category (debezium_json)
-- deviation: sink columns named for what they hold (the reference names the category `id`); Arroyo emits every change of an average as an update, and keeps join state for its updating_ttl (24 h by default)
-- columns: category, final
CREATE TABLE results (
    category BIGINT,
    "final" BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'debezium_json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT Q.category, CAST(avg(Q."final") AS BIGINT) AS "final"
FROM (
    SELECT max(B.price) AS "final", A.category
    FROM auction AS A
    JOIN bid AS B ON A.id = B.auction
    WHERE B.datetime BETWEEN A.datetime AND A.expires
    GROUP BY A.id, A.category
) AS Q
GROUP BY Q.category;
