-- title: Q1 currency conversion: bid prices from dollars to euros
-- reference: nexmark-flink q1: price * 0.908 per bid, with auction, bidder, dateTime, extra
-- arroyo: the same projection
-- deviation: price is a DOUBLE here, DECIMAL(23, 3) in the reference
-- columns: auction, bidder, price, datetime, extra
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price DOUBLE,
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
SELECT auction, bidder, 0.908 * price AS price, datetime, extra
FROM bid;
