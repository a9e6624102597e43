-- title: Q17 auction statistics report: per auction and day, bids by price rank and the min, max, mean and sum of prices (updating)
-- reference: nexmark-flink q17: GROUP BY auction and the day of the bid; count(*) in all and FILTERed by price rank, min, max, avg and sum of price
-- flink: the reference's aggregate with its FILTER clauses, as a changelog (debezium-json)
-- deviation: none in content; the figures arrive as a stream of updates rather than one row per auction and day
-- columns: auction, day, total_bids, rank1_bids, rank2_bids, rank3_bids, min_price, max_price, avg_price, sum_price
CREATE TABLE results (
    auction BIGINT,
    `day` STRING,
    total_bids BIGINT,
    rank1_bids BIGINT,
    rank2_bids BIGINT,
    rank3_bids BIGINT,
    min_price BIGINT,
    max_price BIGINT,
    avg_price BIGINT,
    sum_price BIGINT
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'debezium-json',
    'debezium-json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT
    auction,
    DATE_FORMAT(`datetime`, 'yyyy-MM-dd') AS `day`,
    COUNT(*) AS total_bids,
    COUNT(*) FILTER (WHERE price < 10000) AS rank1_bids,
    COUNT(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
    COUNT(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
    MIN(price) AS min_price,
    MAX(price) AS max_price,
    CAST(AVG(price) AS BIGINT) AS avg_price,
    SUM(price) AS sum_price
FROM bid
GROUP BY auction, DATE_FORMAT(`datetime`, 'yyyy-MM-dd');
