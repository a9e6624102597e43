-- title: Q12 processing-time windows: bids per bidder in 10 s windows of the clock
-- reference: nexmark-flink q12: count of bids per bidder per 10 s tumbling window of processing time (PROCTIME())
-- flink: a TUMBLE window TVF over PROCTIME(); Arroyo's windows are event-time only
-- deviation: none; no latency is measured (the windows are the clock's, not the events')
-- columns: bidder, bid_count, starttime, endtime
CREATE TABLE results (
    bidder BIGINT,
    bid_count BIGINT,
    starttime TIMESTAMP(3),
    endtime TIMESTAMP(3)
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TEMPORARY VIEW bid_proctime AS
SELECT auction, bidder, price, channel, url, `datetime`, extra, PROCTIME() AS p_time FROM bid;

INSERT INTO results
SELECT bidder, COUNT(*) AS bid_count, window_start AS starttime, window_end AS endtime
FROM TABLE(TUMBLE(TABLE bid_proctime, DESCRIPTOR(p_time), INTERVAL '10' SECOND))
GROUP BY bidder, window_start, window_end;
