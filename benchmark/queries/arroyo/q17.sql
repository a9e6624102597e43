-- title: Q17 auction statistics report: per auction and day, bids by price rank and the min, max, mean and sum of prices (updating)
-- reference: nexmark-flink q17: GROUP BY auction and the day of the bid; count(*) in all and FILTERed by price rank, min, max, avg and sum of price
-- arroyo: an unbounded updating aggregate grouped by auction and day (debezium_json), FILTERed counts as counts of CASE expressions, avg cast to BIGINT as the reference's column is
-- deviation: none in content; the figures arrive as a stream of updates rather than one row per auction and day
-- columns: auction, day, total_bids, rank1_bids, rank2_bids, rank3_bids, min_price, max_price, avg_price, sum_price
CREATE TABLE results (
    auction BIGINT,
    "day" TEXT,
    total_bids BIGINT,
    rank1_bids BIGINT,
    rank2_bids BIGINT,
    rank3_bids BIGINT,
    min_price BIGINT,
    max_price BIGINT,
    avg_price BIGINT,
    sum_price BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'debezium_json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT
    auction,
    to_char(datetime, '%Y-%m-%d') AS "day",
    count(*) AS total_bids,
    count(CASE WHEN price < 10000 THEN 1 END) AS rank1_bids,
    count(CASE WHEN price >= 10000 AND price < 1000000 THEN 1 END) AS rank2_bids,
    count(CASE WHEN price >= 1000000 THEN 1 END) AS rank3_bids,
    min(price) AS min_price,
    max(price) AS max_price,
    CAST(avg(price) AS BIGINT) AS avg_price,
    sum(price) AS sum_price
FROM bid
GROUP BY auction, to_char(datetime, '%Y-%m-%d');
