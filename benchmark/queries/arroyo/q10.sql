-- title: Q10 log to file system: every bid written as files to MinIO, partitioned by its day and minute
-- reference: nexmark-flink q10: every bid with dt = yyyy-MM-dd and hm = HH:mm of its time, to a filesystem sink partitioned by (dt, hm), files rolled every minute
-- arroyo: Arroyo's filesystem sink to the cluster's results bucket on MinIO, JSON files in directories from 'partitioning.time_pattern' over the row's event time, rolled every 60 s
-- deviation: JSON lines instead of CSV; the directories are dt=<day>/hm=<HH-MM> (':' is avoided in object keys)
-- columns: auction, bidder, price, datetime, extra, dt, hm
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    datetime TIMESTAMP,
    extra TEXT,
    dt TEXT,
    hm TEXT
) WITH (
    connector = 'filesystem',
    type = 'sink',
    format = 'json',
    path = '{{results_path}}',
    'partitioning.time_pattern' = 'dt=%Y-%m-%d/hm=%H-%M',
    'rolling_policy.interval' = interval '60 seconds'
);

INSERT INTO results
SELECT auction, bidder, price, datetime, extra, to_char(datetime, '%Y-%m-%d') AS dt, to_char(datetime, '%H:%M') AS hm
FROM bid;
