-- title: Q0 pass-through: every bid, unchanged (the cost of JSON in and out of Kafka)
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel TEXT,
    url TEXT,
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
SELECT auction, bidder, price, channel, url, datetime, extra
FROM bid;
