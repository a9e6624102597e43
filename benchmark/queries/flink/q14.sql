-- title: Q14 calculation: euro prices in a band, bid time of day, and 'c's in extra (the reference's count_char UDF, in plain SQL)
-- reference: nexmark-flink q14: euro prices within a band, time-of-day class, 'c' count of extra (a UDF)
-- flink: plain SQL in place of the count_char UDF (CHAR_LENGTH less that of the text without 'c'), as in Arroyo's file
-- deviation: price is a DOUBLE here, DECIMAL(23, 3) in the reference
-- columns: auction, bidder, price, bid_time_type, datetime, extra, c_counts
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price DOUBLE,
    bid_time_type STRING,
    `datetime` TIMESTAMP_LTZ(3),
    extra STRING,
    c_counts BIGINT
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT
    auction,
    bidder,
    CAST(0.908 * price AS DOUBLE) AS price,
    CASE
        WHEN HOUR(`datetime`) >= 8 AND HOUR(`datetime`) <= 18 THEN 'dayTime'
        WHEN HOUR(`datetime`) <= 6 OR HOUR(`datetime`) >= 20 THEN 'nightTime'
        ELSE 'otherTime'
    END AS bid_time_type,
    `datetime`,
    extra,
    CAST(CHAR_LENGTH(extra) - CHAR_LENGTH(REPLACE(extra, 'c', '')) AS BIGINT) AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
