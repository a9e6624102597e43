-- title: Q8 monitor new users: people who opened an auction in the 10 s window they joined
-- reference: nexmark-flink q8: people who opened an auction within the 10 s tumbling window they joined, with the window start
-- flink: TUMBLE window TVFs of people and of sellers, joined on the id and the window
-- deviation: the window start (stime) is not emitted (as in Arroyo's file); the record's Kafka timestamp is the window's time
-- columns: id, name
-- latency: window-end
CREATE TABLE results (
    id BIGINT,
    name STRING,
    ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT P.id, P.name, P.window_time
FROM (
    SELECT id, name, window_start, window_end, window_time
    FROM TABLE(TUMBLE(TABLE person, DESCRIPTOR(`datetime`), INTERVAL '10' SECOND))
    GROUP BY id, name, window_start, window_end, window_time
) AS P
JOIN (
    SELECT seller, window_start, window_end
    FROM TABLE(TUMBLE(TABLE auction, DESCRIPTOR(`datetime`), INTERVAL '10' SECOND))
    GROUP BY seller, window_start, window_end
) AS A
ON P.id = A.seller AND P.window_start = A.window_start AND P.window_end = A.window_end;
