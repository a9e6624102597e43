-- title: Q20 expand bid with auction: bids on category-10 auctions with the auction's details (updating join)
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel TEXT,
    item_name TEXT,
    initial_bid BIGINT,
    seller BIGINT,
    category BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'debezium_json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT B.auction, B.bidder, B.price, B.channel, A.item_name, A.initial_bid, A.seller, A.category
FROM bid AS B
JOIN auction AS A ON B.auction = A.id
WHERE A.category = 10;
