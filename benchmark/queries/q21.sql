-- title: Q21 add channel id: a channel id from the channel name or the url's channel_id
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel TEXT,
    channel_id TEXT,
    datetime TIMESTAMP
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT auction, bidder, price, channel,
    CASE
        WHEN lower(channel) = 'apple' THEN '0'
        WHEN lower(channel) = 'google' THEN '1'
        WHEN lower(channel) = 'facebook' THEN '2'
        WHEN lower(channel) = 'baidu' THEN '3'
        ELSE split_part(split_part(url, 'channel_id=', 2), '&', 1)
    END AS channel_id,
    datetime
FROM bid
WHERE split_part(split_part(url, 'channel_id=', 2), '&', 1) <> ''
    OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu');
