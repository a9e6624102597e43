-- title: Q20 expand bid with auction: every bid on a category-10 auction with all of the auction's columns (updating join)
-- reference: nexmark-flink q20: bid INNER JOIN auction ON B.auction = A.id WHERE A.category = 10, all columns of both
-- flink: the reference's regular join, as a changelog (debezium-json)
-- deviation: none in content
-- columns: auction, bidder, price, channel, url, bid_datetime, bid_extra, item_name, description, initial_bid, reserve, auction_datetime, expires, seller, category, auction_extra
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    url STRING,
    bid_datetime TIMESTAMP_LTZ(3),
    bid_extra STRING,
    item_name STRING,
    description STRING,
    initial_bid BIGINT,
    reserve BIGINT,
    auction_datetime TIMESTAMP_LTZ(3),
    expires TIMESTAMP_LTZ(3),
    seller BIGINT,
    category BIGINT,
    auction_extra STRING
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'debezium-json',
    'debezium-json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT B.auction, B.bidder, B.price, B.channel, B.url, CAST(B.`datetime` AS TIMESTAMP_LTZ(3)) AS bid_datetime, B.extra AS bid_extra,
    A.item_name, A.description, A.initial_bid, A.reserve, CAST(A.`datetime` AS TIMESTAMP_LTZ(3)) AS auction_datetime, A.expires, A.seller, A.category, A.extra AS auction_extra
FROM bid AS B
JOIN auction AS A ON B.auction = A.id
WHERE A.category = 10;
