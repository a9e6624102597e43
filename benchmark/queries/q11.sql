-- title: Q11 user sessions: bids per bidder per session (10 s gap)
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
