-- title: Q2 selection: bids on every 123rd auction
-- reference: nexmark-flink q2: auction, price of bids whose auction % 123 = 0
-- arroyo: the same filter
-- deviation: adds datetime, so latency can be measured
-- columns: auction, price, datetime
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    price BIGINT,
    datetime TIMESTAMP
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT auction, price, datetime
FROM bid
WHERE auction % 123 = 0;
