-- title: Q7 highest bid: every bid at the highest price of its 10 s tumbling window, ties included
-- reference: nexmark-flink q7: bids joined to their window's MAX(price) on price, the bid's time inside the window
-- arroyo: a windowed join of the window's bids with the window's maximum, on window and price (windows are joined on equal windows)
-- deviation: bids equal in every column fall into one group and are reported once; the reference would repeat them
-- columns: auction, price, bidder, datetime, extra
-- latency: window-end
CREATE TABLE results (
    auction BIGINT,
    price BIGINT,
    bidder BIGINT,
    datetime TIMESTAMP,
    extra TEXT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT B.auction, B.price, B.bidder, B.datetime, B.extra
FROM (
    SELECT auction, price, bidder, datetime, extra, tumble(INTERVAL '10' SECOND) AS window
    FROM bid
    GROUP BY auction, price, bidder, datetime, extra, window
) AS B
JOIN (
    SELECT max(price) AS maxprice, tumble(INTERVAL '10' SECOND) AS window
    FROM bid
    GROUP BY window
) AS B1
ON B.window = B1.window AND B.price = B1.maxprice;
