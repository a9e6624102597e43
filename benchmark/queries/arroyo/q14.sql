-- title: Q14 calculation: euro prices in a band, bid time of day, and 'c's in extra (the reference's count_char UDF, in plain SQL)
-- reference: nexmark-flink q14: euro prices within a band, time-of-day class, 'c' count of extra (a UDF)
-- arroyo: plain SQL in place of the count_char UDF; character_length, since Arroyo 0.15 registers functions by their names only and refuses DataFusion's alias length ('Invalid function')
-- deviation: price is a DOUBLE here, DECIMAL(23, 3) in the reference
-- columns: auction, bidder, price, bid_time_type, datetime, extra, c_counts
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price DOUBLE,
    bid_time_type TEXT,
    datetime TIMESTAMP,
    extra TEXT,
    c_counts BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT
    auction,
    bidder,
    0.908 * price AS price,
    CASE
        WHEN extract(hour FROM datetime) >= 8 AND extract(hour FROM datetime) <= 18 THEN 'dayTime'
        WHEN extract(hour FROM datetime) <= 6 OR extract(hour FROM datetime) >= 20 THEN 'nightTime'
        ELSE 'otherTime'
    END AS bid_time_type,
    datetime,
    extra,
    character_length(extra) - character_length(replace(extra, 'c', '')) AS c_counts
FROM bid
WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000;
