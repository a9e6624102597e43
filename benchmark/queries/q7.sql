-- title: Q7 highest bid: the top bid of each 10 s tumbling window
CREATE TABLE results (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT auction, bidder, price
FROM (
    SELECT auction, bidder, price,
        row_number() OVER (PARTITION BY window ORDER BY price DESC) AS rn
    FROM (
        SELECT auction, bidder, max(price) AS price, tumble(INTERVAL '10' SECOND) AS window
        FROM bid
        GROUP BY auction, bidder, window
    )
)
WHERE rn = 1;
