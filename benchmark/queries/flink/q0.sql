-- title: Q0 pass-through: every bid, unchanged (the cost of JSON in and out of Kafka)
-- reference: nexmark-flink q0: SELECT auction, bidder, price, dateTime, extra FROM bid
-- flink: the reference's projection, into a Kafka sink
-- deviation: none (dateTime is named datetime here)
-- columns: auction, bidder, price, datetime, extra
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
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
SELECT auction, bidder, price, `datetime`, extra
FROM bid;
