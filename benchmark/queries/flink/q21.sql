-- title: Q21 add channel id: a channel id from the channel name or the url's channel_id
-- reference: nexmark-flink q21: a channel id from the hot channel's name or the url's channel_id; bids with neither are dropped
-- flink: the reference's REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2)
-- deviation: adds datetime, so latency can be measured (as Arroyo's file does)
-- columns: auction, bidder, price, channel, channel_id, datetime
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    channel_id STRING,
    `datetime` TIMESTAMP_LTZ(3)
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT auction, bidder, price, channel,
    CASE
        WHEN LOWER(channel) = 'apple' THEN '0'
        WHEN LOWER(channel) = 'google' THEN '1'
        WHEN LOWER(channel) = 'facebook' THEN '2'
        WHEN LOWER(channel) = 'baidu' THEN '3'
        ELSE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2)
    END AS channel_id,
    `datetime`
FROM bid
WHERE REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) IS NOT NULL
    OR LOWER(channel) IN ('apple', 'google', 'facebook', 'baidu');
