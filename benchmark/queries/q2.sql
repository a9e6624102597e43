-- title: Q2 selection: bids on every 123rd auction
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
