-- The three Nexmark tables on Arroyo's built-in Nexmark source instead of Kafka
-- (crates/arroyo-connectors/src/nexmark: one table whose rows carry a person, an auction or a bid
-- struct; event_rate is the total over all subtasks; the source sets event time and watermarks).
-- Neither our generator nor Kafka is in the path, so a query's throughput here is the pipeline's
-- own ceiling. The views give the queries the same tables and columns as sources.sql.
CREATE TABLE nexmark WITH (
    connector = 'nexmark',
    event_rate = '{{event_rate}}'
);

CREATE VIEW person AS
SELECT person.id AS id, person.name AS name, person.email_address AS email_address, person.credit_card AS credit_card,
    person.city AS city, person.state AS state, person.datetime AS datetime, person.extra AS extra
FROM nexmark WHERE person IS NOT NULL;

CREATE VIEW auction AS
SELECT auction.id AS id, auction.item_name AS item_name, auction.description AS description, auction.initial_bid AS initial_bid,
    auction.reserve AS reserve, auction.datetime AS datetime, auction.expires AS expires, auction.seller AS seller,
    auction.category AS category, auction.extra AS extra
FROM nexmark WHERE auction IS NOT NULL;

CREATE VIEW bid AS
SELECT bid.auction AS auction, bid.bidder AS bidder, bid.price AS price, bid.channel AS channel, bid.url AS url,
    bid.datetime AS datetime, bid.extra AS extra
FROM nexmark WHERE bid IS NOT NULL;
