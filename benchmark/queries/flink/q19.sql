-- title: Q19 top 10 bids per auction by price (updating)
-- reference: nexmark-flink q19: ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) <= 10 over all bids
-- flink: the reference's Top-N, as a changelog (debezium-json); Arroyo 0.15 cannot plan it
-- deviation: the rank number is not emitted
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
    SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) AS rank_number
    FROM bid
)
WHERE rank_number <= 10;
