-- title: Q18 last bid per bidder and auction (updating)
-- reference: nexmark-flink q18: ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY dateTime DESC) = 1 over all bids
-- flink: the reference's deduplication keeping the last row, as a changelog (debezium-json); Arroyo 0.15 cannot plan it
-- deviation: none in content
-- columns: auction, bidder, price, channel, url, datetime, extra
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    url STRING,
    `datetime` TIMESTAMP_LTZ(3),
    extra STRING
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'debezium-json',
    'debezium-json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT auction, bidder, price, channel, url, `datetime`, extra
FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY `datetime` DESC) AS rank_number
    FROM bid
)
WHERE rank_number <= 1;
