-- title: Q2 selection: bids on every 123rd auction
-- reference: nexmark-flink q2: auction, price of bids whose auction % 123 = 0
-- flink: the reference's filter, MOD(auction, 123) = 0
-- deviation: adds datetime, so latency can be measured (as Arroyo's file does)
-- columns: auction, price, datetime
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    price BIGINT,
    `datetime` TIMESTAMP_LTZ(3)
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT auction, price, `datetime`
FROM bid
WHERE MOD(auction, 123) = 0;
