-- title: Q1 currency conversion: bid prices from dollars to euros
-- reference: nexmark-flink q1: price * 0.908 per bid, with auction, bidder, dateTime, extra
-- flink: the same projection
-- deviation: price is a DOUBLE here (as in Arroyo's file), DECIMAL(23, 3) in the reference
-- columns: auction, bidder, price, datetime, extra
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price DOUBLE,
    `datetime` TIMESTAMP_LTZ(3),
    extra STRING
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT auction, bidder, CAST(0.908 * price AS DOUBLE) AS price, `datetime`, extra
FROM bid;
