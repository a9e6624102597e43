-- title: Q11 user sessions: bids per bidder per session (10 s gap)
-- reference: nexmark-flink q11: bids per bidder per session (10 s gap), with the session's start and end
-- flink: a SESSION window TVF partitioned by bidder
-- deviation: the session's start and end are not emitted (as in Arroyo's file); the record's Kafka timestamp is the session's time
-- columns: bidder, bid_count
-- latency: window-end
CREATE TABLE results (
    bidder BIGINT,
    bid_count BIGINT,
    ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT bidder, COUNT(*) AS bid_count, window_time
FROM TABLE(SESSION(TABLE bid PARTITION BY bidder, DESCRIPTOR(`datetime`), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end, window_time;
