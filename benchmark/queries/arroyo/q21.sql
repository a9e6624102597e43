-- title: Q21 add channel id: a channel id from the channel name or the url's channel_id
-- reference: nexmark-flink q21: a channel id from the hot channel's name or the url's channel_id; bids with neither are dropped
-- arroyo: split_part in place of REGEXP_EXTRACT
-- deviation: adds datetime, so latency can be measured
-- columns: auction, bidder, price, channel, channel_id, datetime
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
