-- title: Q20 expand bid with auction: every bid on a category-10 auction with all of the auction's columns (updating join)
-- reference: nexmark-flink q20: bid INNER JOIN auction ON B.auction = A.id WHERE A.category = 10, all columns of both
-- arroyo: an updating join without a window, written as updates (debezium_json)
-- deviation: none in content; Arroyo emits it as an update stream
-- columns: auction, bidder, price, channel, url, bid_datetime, bid_extra, item_name, description, initial_bid, reserve, auction_datetime, expires, seller, category, auction_extra
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel TEXT,
    url TEXT,
    bid_datetime TIMESTAMP,
    bid_extra TEXT,
    item_name TEXT,
    description TEXT,
    initial_bid BIGINT,
    reserve BIGINT,
    auction_datetime TIMESTAMP,
    expires TIMESTAMP,
    seller BIGINT,
    category BIGINT,
    auction_extra TEXT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'debezium_json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT B.auction, B.bidder, B.price, B.channel, B.url, B.datetime AS bid_datetime, B.extra AS bid_extra,
    A.item_name, A.description, A.initial_bid, A.reserve, A.datetime AS auction_datetime, A.expires, A.seller, A.category, A.extra AS auction_extra
FROM bid AS B
JOIN auction AS A ON B.auction = A.id
WHERE A.category = 10;
