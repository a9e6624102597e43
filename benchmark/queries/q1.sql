-- title: Q1 currency conversion: bid prices from dollars to euros
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
