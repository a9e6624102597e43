// The stand-in's reading of a pipeline's SQL: just enough to find the connector tables, their
// WITH options and which table the INSERT writes to. It is not Arroyo's planner and judges no
// SQL semantics. Option names and accepted values follow Arroyo v0.15.0's
// crates/arroyo-connectors/src/kafka/mod.rs (table_from_options).

export type SourceOffset = "earliest" | "latest" | "group";

export interface KafkaTable {
    name: string;
    type: "source" | "sink";
    topic: string;
    bootstrapServers: string;
    format: string;
    /** 'source.offset': latest when absent (kafka/mod.rs). */
    offset: SourceOffset;
    groupId?: string;
    groupIdPrefix?: string;
}

export interface ScannedQuery {
    tables: KafkaTable[];
    /** Tables named after FROM / JOIN. */
    referenced: string[];
    sink?: string;
    errors: string[];
}

const option = (withClause: string, key: string): string | undefined => {
    const m = new RegExp(`'?${key.replace(/\./g, "\\.")}'?\\s*=\\s*'([^']*)'`, "i").exec(withClause);
    return m?.[1];
};

// Formats Arroyo 0.15 accepts for Kafka tables (crates/arroyo-rpc/src/formats.rs).
const FORMATS = ["json", "debezium_json", "avro", "parquet", "raw_string", "raw_bytes", "protobuf"];

export function scanQuery(query: string): ScannedQuery {
    const errors: string[] = [];
    const sql = query.replace(/--[^\n]*/g, " ");
    if (sql.trim() === "") return { tables: [], referenced: [], errors: ["Query is empty"] };

    const tables: KafkaTable[] = [];
    const createRe = /create\s+table\s+([A-Za-z_][\w]*)\s*\(([\s\S]*?)\)\s*with\s*\(([\s\S]*?)\)\s*;/gi;
    for (let m = createRe.exec(sql); m; m = createRe.exec(sql)) {
        const [, name, , withClause] = m;
        const connector = option(withClause, "connector");
        if (connector !== "kafka") continue;
        const type = option(withClause, "type");
        const topic = option(withClause, "topic");
        const bootstrapServers = option(withClause, "bootstrap_servers");
        const format = option(withClause, "format");
        const offset = option(withClause, "source.offset") ?? "latest";
        if (type !== "source" && type !== "sink") errors.push(`Table ${name}: type must be one of 'source' or 'sink'`);
        if (!topic) errors.push(`Table ${name}: missing required option 'topic'`);
        if (!bootstrapServers) errors.push(`Table ${name}: missing required option 'bootstrap_servers'`);
        if (!format) errors.push(`Table ${name}: 'format' must be set for Kafka connection`);
        else if (!FORMATS.includes(format)) errors.push(`Table ${name}: unknown format '${format}'`);
        if (type === "source" && offset !== "earliest" && offset !== "latest" && offset !== "group") errors.push(`Table ${name}: invalid value for source.offset '${offset}'`);
        if ((type === "source" || type === "sink") && topic && bootstrapServers && format) {
            const groupId = option(withClause, "source.group_id");
            const groupIdPrefix = option(withClause, "source.group_id_prefix");
            tables.push({ name: name.toLowerCase(), type, topic, bootstrapServers, format, offset: offset as SourceOffset, ...(groupId ? { groupId } : {}), ...(groupIdPrefix ? { groupIdPrefix } : {}) });
        }
    }

    const body = sql.replace(createRe, " ");
    if (!/\bselect\b/i.test(body)) errors.push("Query does not contain a SELECT statement");
    const referenced = [...new Set([...body.matchAll(/\b(?:from|join)\s+([A-Za-z_][\w]*)/gi)].map((m) => m[1].toLowerCase()))];
    const sink = /insert\s+into\s+([A-Za-z_][\w]*)/i.exec(body)?.[1]?.toLowerCase();
    const known = new Set(tables.map((t) => t.name));
    const cteNames = new Set([...body.matchAll(/\b([A-Za-z_][\w]*)\s+as\s*\(/gi)].map((m) => m[1].toLowerCase()));
    for (const name of referenced) {
        if (!known.has(name) && !cteNames.has(name) && name !== "select") errors.push(`Error during planning: table '${name}' not found`);
    }
    if (sink && !tables.some((t) => t.name === sink && t.type === "sink")) errors.push(`Error during planning: sink table '${sink}' not found`);
    return { tables, referenced, ...(sink ? { sink } : {}), errors };
}
