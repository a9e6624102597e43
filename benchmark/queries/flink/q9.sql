-- title: Q9 winning bids: each auction's highest bid placed before it expired, with the auction (updating)
-- reference: nexmark-flink q9: ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.dateTime ASC) = 1 over the auction-bid join within the auction's life
-- flink: the reference's Top-1 over the regular join, as a changelog (debezium-json); Arroyo 0.15 cannot plan it
-- deviation: none in content
-- columns: id, item_name, description, initial_bid, reserve, datetime, expires, seller, category, extra, auction, bidder, price, bid_datetime, bid_extra
CREATE TABLE results (
    id BIGINT,
    item_name STRING,
    description STRING,
    initial_bid BIGINT,
    reserve BIGINT,
    `datetime` TIMESTAMP_LTZ(3),
    expires TIMESTAMP_LTZ(3),
    seller BIGINT,
    category BIGINT,
    extra STRING,
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    bid_datetime TIMESTAMP_LTZ(3),
    bid_extra STRING
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'debezium-json',
    'debezium-json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT id, item_name, description, initial_bid, reserve, `datetime`, expires, seller, category, extra, auction, bidder, price, bid_datetime, bid_extra
FROM (
    SELECT A.id, A.item_name, A.description, A.initial_bid, A.reserve, A.`datetime`, A.expires, A.seller, A.category, A.extra,
        B.auction, B.bidder, B.price, B.`datetime` AS bid_datetime, B.extra AS bid_extra,
        ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.`datetime` ASC) AS rownum
    FROM auction AS A
    JOIN bid AS B ON A.id = B.auction
    WHERE B.`datetime` BETWEEN A.`datetime` AND A.expires
)
WHERE rownum <= 1;
