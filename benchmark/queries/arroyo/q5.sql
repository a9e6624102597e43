-- title: Q5 hot items: the auctions with the most bids in each 10 s window, sliding every 2 s
-- reference: nexmark-flink q5: per hop(2 s, 10 s) window, the auctions whose bid count is the window's maximum
-- arroyo: two windowed counts joined on the window
-- deviation: none
-- columns: auction, num
-- latency: window-end
CREATE TABLE results (
    auction BIGINT,
    num BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT AuctionBids.auction, AuctionBids.num
FROM (
    SELECT auction, count(*) AS num, hop(INTERVAL '2' SECOND, INTERVAL '10' SECOND) AS window
    FROM bid
    GROUP BY auction, window
) AS AuctionBids
JOIN (
    SELECT max(CountBids.num) AS maxn, CountBids.window
    FROM (
        SELECT auction, count(*) AS num, hop(INTERVAL '2' SECOND, INTERVAL '10' SECOND) AS window
        FROM bid
        GROUP BY auction, window
    ) AS CountBids
    GROUP BY CountBids.window
) AS MaxBids
ON AuctionBids.window = MaxBids.window
WHERE AuctionBids.num >= MaxBids.maxn;
