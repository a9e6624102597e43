-- title: Q3 local item suggestion: sellers in OR, ID or CA with auctions in category 10 (updating join)
-- reference: nexmark-flink q3: people in OR, ID or CA joined with their category-10 auctions (seller = id)
-- arroyo: an updating join without a window, written as updates (debezium_json)
-- deviation: none in content; Arroyo emits it as an update stream
-- columns: name, city, state, id
CREATE TABLE results (
    name TEXT,
    city TEXT,
    state TEXT,
    id BIGINT
) WITH (
    connector = 'kafka',
    type = 'sink',
    format = 'debezium_json',
    bootstrap_servers = '{{bootstrap_servers}}',
    topic = '{{results_topic}}'
);

INSERT INTO results
SELECT P.name, P.city, P.state, A.id
FROM auction AS A
JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
