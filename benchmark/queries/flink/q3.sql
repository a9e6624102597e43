-- title: Q3 local item suggestion: sellers in OR, ID or CA with auctions in category 10 (updating join)
-- reference: nexmark-flink q3: people in OR, ID or CA joined with their category-10 auctions (seller = id)
-- flink: the reference's regular join, written as a changelog (debezium-json), as Arroyo's updates are
-- deviation: none in content; join state is kept for table.exec.state.ttl (the run's length plus 300 s)
-- columns: name, city, state, id
CREATE TABLE results (
    name STRING,
    city STRING,
    state STRING,
    id BIGINT
) WITH (
    'connector' = 'kafka',
    'topic' = '{{results_topic}}',
    'properties.bootstrap.servers' = '{{bootstrap_servers}}',
    'format' = 'debezium-json',
    'debezium-json.timestamp-format.standard' = 'ISO-8601'
);

INSERT INTO results
SELECT P.name, P.city, P.state, A.id
FROM auction AS A
JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
