-- title: Q22 get URL directories: the first three path segments of each bid's url
-- reference: nexmark-flink q22: the first three directories of each bid's url (SPLIT_INDEX 3, 4, 5)
-- flink: the reference's SPLIT_INDEX(url, '/', 3), 4 and 5 (parts count from 0)
-- deviation: adds datetime, so latency can be measured (as Arroyo's file does)
-- columns: auction, bidder, price, channel, dir1, dir2, dir3, datetime
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    dir1 STRING,
    dir2 STRING,
    dir3 STRING,
    `datetime` TIMESTAMP_LTZ(3)
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT auction, bidder, price, channel,
    SPLIT_INDEX(url, '/', 3) AS dir1,
    SPLIT_INDEX(url, '/', 4) AS dir2,
    SPLIT_INDEX(url, '/', 5) AS dir3,
    `datetime`
FROM bid;
