-- title: Q22 get URL directories: the first three path segments of each bid's url
-- reference: nexmark-flink q22: the first three directories of each bid's url (SPLIT_INDEX 3, 4, 5)
-- arroyo: split_part, whose parts count from 1 (4, 5, 6)
-- deviation: adds datetime, so latency can be measured
-- columns: auction, bidder, price, channel, dir1, dir2, dir3, datetime
-- latency-column: datetime
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel TEXT,
    dir1 TEXT,
    dir2 TEXT,
    dir3 TEXT,
    datetime TIMESTAMP
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT auction, bidder, price, channel,
    split_part(url, '/', 4) AS dir1,
    split_part(url, '/', 5) AS dir2,
    split_part(url, '/', 6) AS dir3,
    datetime
FROM bid;
