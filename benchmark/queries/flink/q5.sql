-- title: Q5 hot items: the auctions with the most bids in each 10 s window, sliding every 2 s
-- reference: nexmark-flink q5: per hop(2 s, 10 s) window, the auctions whose bid count is the window's maximum
-- flink: HOP window TVFs: the per-auction counts joined with the window's maximum on the window
-- deviation: none; the record's Kafka timestamp is the window's time (window_end - 1 ms), as Arroyo stamps its window output
-- columns: auction, num
-- latency: window-end
CREATE TABLE results (
    auction BIGINT,
    num BIGINT,
    ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT AuctionBids.auction, AuctionBids.num, AuctionBids.window_time
FROM (
    SELECT auction, COUNT(*) AS num, window_start, window_end, window_time
    FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`datetime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
    GROUP BY auction, window_start, window_end, window_time
) AS AuctionBids
JOIN (
    SELECT MAX(CountBids.num) AS maxn, CountBids.window_start, CountBids.window_end
    FROM (
        SELECT COUNT(*) AS num, window_start, window_end
        FROM TABLE(HOP(TABLE bid, DESCRIPTOR(`datetime`), INTERVAL '2' SECOND, INTERVAL '10' SECOND))
        GROUP BY auction, window_start, window_end
    ) AS CountBids
    GROUP BY CountBids.window_start, CountBids.window_end
) AS MaxBids
ON AuctionBids.window_start = MaxBids.window_start AND AuctionBids.window_end = MaxBids.window_end
WHERE AuctionBids.num >= MaxBids.maxn;
