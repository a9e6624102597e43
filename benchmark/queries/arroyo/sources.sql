-- The three Nexmark input tables, one Kafka topic each, JSON as benchmark/nexmark writes it.
-- Event time is `datetime`; watermarks trail it by 4 seconds, like the reference setup.
-- Each table reads from its own consumer group, which the benchmark commits at the topic's end
-- before the pipeline starts ('source.offset' = 'group'): the job reads exactly this run's load,
-- and the offsets Arroyo commits to the group at every checkpoint measure its progress.
CREATE TABLE person (
    id BIGINT,
    name TEXT,
    email_address TEXT,
    credit_card TEXT,
    city TEXT,
    state TEXT,
    datetime TIMESTAMP NOT NULL,
    extra TEXT,
    WATERMARK FOR datetime AS datetime - INTERVAL '4' SECOND
) WITH (
    connector = 'kafka',
    type = 'source',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{person_topic}}',
    'source.offset' = 'group',
    'source.group_id' = '{{person_group}}'
);

CREATE TABLE auction (
    id BIGINT,
    item_name TEXT,
    description TEXT,
    initial_bid BIGINT,
    reserve BIGINT,
    datetime TIMESTAMP NOT NULL,
    expires TIMESTAMP,
    seller BIGINT,
    category BIGINT,
    extra TEXT,
    WATERMARK FOR datetime AS datetime - INTERVAL '4' SECOND
) WITH (
    connector = 'kafka',
    type = 'source',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{auction_topic}}',
    'source.offset' = 'group',
    'source.group_id' = '{{auction_group}}'
);

CREATE TABLE bid (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel TEXT,
    url TEXT,
    datetime TIMESTAMP NOT NULL,
    extra TEXT,
    WATERMARK FOR datetime AS datetime - INTERVAL '4' SECOND
) WITH (
    connector = 'kafka',
    type = 'source',
    format = 'json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{bid_topic}}',
    'source.offset' = 'group',
    'source.group_id' = '{{bid_group}}'
);
