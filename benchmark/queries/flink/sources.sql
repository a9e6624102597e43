-- The three Nexmark input tables in Flink SQL, one Kafka topic each, JSON as benchmark/nexmark
-- writes it (RFC 3339 times with a Z: TIMESTAMP_LTZ read as ISO-8601). Event time is `datetime`
-- (a reserved word in Flink SQL, hence the backquotes); watermarks trail it by 4 seconds, as for
-- Arroyo. Each table reads from its own consumer group, which the benchmark commits at the
-- topic's end before the job starts ('scan.startup.mode' = 'group-offsets'): the job reads
-- exactly this run's load, and the offsets Flink commits to the group when a checkpoint completes
-- (the next offset to read) measure its progress.
CREATE TABLE person (
    id BIGINT,
    name STRING,
    email_address STRING,
    credit_card STRING,
    city STRING,
    state STRING,
    `datetime` TIMESTAMP_LTZ(3),
    extra STRING,
    WATERMARK FOR `datetime` AS `datetime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = '{{person_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'properties.group.id' = '{{person_group}}',
    'scan.startup.mode' = 'group-offsets',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TABLE auction (
    id BIGINT,
    item_name STRING,
    description STRING,
    initial_bid BIGINT,
    reserve BIGINT,
    `datetime` TIMESTAMP_LTZ(3),
    expires TIMESTAMP_LTZ(3),
    seller BIGINT,
    category BIGINT,
    extra STRING,
    WATERMARK FOR `datetime` AS `datetime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = '{{auction_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'properties.group.id' = '{{auction_group}}',
    'scan.startup.mode' = 'group-offsets',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TABLE bid (
    auction BIGINT,
    bidder BIGINT,
    price BIGINT,
    channel STRING,
    url STRING,
    `datetime` TIMESTAMP_LTZ(3),
    extra STRING,
    WATERMARK FOR `datetime` AS `datetime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = '{{bid_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'properties.group.id' = '{{bid_group}}',
    'scan.startup.mode' = 'group-offsets',
    'format' = 'json',
    'json.timestamp-format.standard' = 'ISO-8601'
);
