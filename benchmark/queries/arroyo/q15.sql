-- title: Q15 bidding statistics report: per day, bids, bidders and auctions in all and by price rank (updating)
-- reference: nexmark-flink q15: GROUP BY the day of the bid; count(*) and count(DISTINCT bidder / auction), each also FILTERed to price < 10,000, 10,000 to 1,000,000, >= 1,000,000
-- arroyo: an unbounded updating aggregate grouped by the day (debezium_json): each change of a day's figures is emitted as an update, so a run of minutes sees its output; the FILTERed counts as counts of CASE expressions, NULL outside the rank
-- deviation: none in content; the figures arrive as a stream of updates rather than one row per day
-- columns: day, total_bids, rank1_bids, rank2_bids, rank3_bids, total_bidders, rank1_bidders, rank2_bidders, rank3_bidders, total_auctions, rank1_auctions, rank2_auctions, rank3_auctions
CREATE TABLE results (
    "day" TEXT,
    total_bids BIGINT,
    rank1_bids BIGINT,
    rank2_bids BIGINT,
    rank3_bids BIGINT,
    total_bidders BIGINT,
    rank1_bidders BIGINT,
    rank2_bidders BIGINT,
    rank3_bidders BIGINT,
    total_auctions BIGINT,
    rank1_auctions BIGINT,
    rank2_auctions BIGINT,
    rank3_auctions BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'debezium_json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT
    to_char(datetime, '%Y-%m-%d') AS "day",
    count(*) AS total_bids,
    count(CASE WHEN price < 10000 THEN 1 END) AS rank1_bids,
    count(CASE WHEN price >= 10000 AND price < 1000000 THEN 1 END) AS rank2_bids,
    count(CASE WHEN price >= 1000000 THEN 1 END) AS rank3_bids,
    count(DISTINCT bidder) AS total_bidders,
    count(DISTINCT CASE WHEN price < 10000 THEN bidder END) AS rank1_bidders,
    count(DISTINCT CASE WHEN price >= 10000 AND price < 1000000 THEN bidder END) AS rank2_bidders,
    count(DISTINCT CASE WHEN price >= 1000000 THEN bidder END) AS rank3_bidders,
    count(DISTINCT auction) AS total_auctions,
    count(DISTINCT CASE WHEN price < 10000 THEN auction END) AS rank1_auctions,
    count(DISTINCT CASE WHEN price >= 10000 AND price < 1000000 THEN auction END) AS rank2_auctions,
    count(DISTINCT CASE WHEN price >= 1000000 THEN auction END) AS rank3_auctions
FROM bid
GROUP BY to_char(datetime, '%Y-%m-%d');
