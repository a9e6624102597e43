-- title: Q11 user sessions: bids per bidder per session (10 s gap)
-- reference: nexmark-flink q11: bids per bidder per session (10 s gap), with the session's start and end
-- arroyo: a session window grouped by bidder
-- deviation: the session's start and end are not emitted
-- columns: bidder, bid_count
-- latency: window-end
CREATE TABLE results (
    bidder BIGINT,
    bid_count BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT bidder, count(*) AS bid_count
FROM bid
GROUP BY bidder, session(INTERVAL '10' SECOND);
