-- title: Q0 pass-through: every bid, unchanged (the cost of JSON in and out of Kafka)
-- reference: nexmark-flink q0: SELECT auction, bidder, price, dateTime, extra FROM bid
-- arroyo: the same projection, into a Kafka sink
-- deviation: none (dateTime is named datetime here)
-- columns: auction, bidder, price, datetime, extra
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    datetime TIMESTAMP,
    extra TEXT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT auction, bidder, price, datetime, extra
FROM bid;
