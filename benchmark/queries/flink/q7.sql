-- title: Q7 highest bid: every bid at the highest price of its 10 s tumbling window, ties included
-- reference: nexmark-flink q7: bids joined to their window's MAX(price) on price, the bid's time inside the window
-- flink: a TUMBLE window TVF's maximum per window, joined with the bids on price and the bid's time BETWEEN the window's time - 10 s AND its time, closed at both ends as the reference's (window_time is TUMBLE_ROWTIME, window_end - 1 ms; an interval join on the two time attributes)
-- deviation: none; the record's Kafka timestamp is the window's time (window_end - 1 ms)
-- columns: auction, price, bidder, datetime, extra
-- latency: window-end
CREATE TABLE results (
    auction BIGINT,
    price BIGINT,
    bidder BIGINT,
    `datetime` TIMESTAMP_LTZ(3),
    extra STRING,
    ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT B.auction, B.price, B.bidder, B.`datetime`, B.extra, B1.window_time
FROM bid AS B
JOIN (
    SELECT MAX(price) AS maxprice, window_start, window_end, window_time
    FROM TABLE(TUMBLE(TABLE bid, DESCRIPTOR(`datetime`), INTERVAL '10' SECOND))
    GROUP BY window_start, window_end, window_time
) AS B1
ON B.price = B1.maxprice
WHERE B.`datetime` BETWEEN B1.window_time - INTERVAL '10' SECOND AND B1.window_time;
