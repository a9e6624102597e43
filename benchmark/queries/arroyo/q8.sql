-- title: Q8 monitor new users: people who opened an auction in the 10 s window they joined
-- reference: nexmark-flink q8: people who opened an auction within the 10 s tumbling window they joined, with the window start
-- arroyo: a windowed join of windowed people and auctions
-- deviation: the window start (stime) is not emitted
-- columns: id, name
-- latency: window-end
CREATE TABLE results (
    id BIGINT,
    name TEXT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT P.id, P.name
FROM (
    SELECT id, name, tumble(INTERVAL '10' SECOND) AS window
    FROM person
    GROUP BY id, name, window
) AS P
JOIN (
    SELECT seller, tumble(INTERVAL '10' SECOND) AS window
    FROM auction
    GROUP BY seller, window
) AS A
ON P.id = A.seller AND P.window = A.window;
