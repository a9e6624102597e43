// The stand-in's reading of a pipeline's SQL: just enough to find the connector tables (Kafka and
// Arroyo's Nexmark source), their WITH options, views over them, and which table the INSERT
// writes to. It is not Arroyo's planner and judges no SQL semantics. Option names and accepted values follow Arroyo v0.15.0's
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

/** Arroyo's built-in Nexmark source (crates/arroyo-connectors/src/nexmark/mod.rs: event_rate required, the total over all subtasks). */
export interface NexmarkTable {
    name: string;
    eventRate: number;
}

export interface ScannedQuery {
    tables: KafkaTable[];
    /** A Nexmark source the query reads, directly or through views. */
    nexmark?: NexmarkTable;
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

    // A connector table may have no column list (the Nexmark source infers its schema).
    const nexmarkTables: NexmarkTable[] = [];
    const bareRe = /create\s+table\s+([A-Za-z_][\w]*)\s+with\s*\(([\s\S]*?)\)\s*;/gi;
    for (let m = bareRe.exec(sql); m; m = bareRe.exec(sql)) {
        const [, name, withClause] = m;
        if (option(withClause, "connector") !== "nexmark") continue;
        const rate = Number(option(withClause, "event_rate"));
        if (!Number.isFinite(rate) || rate <= 0) errors.push(`Table ${name}: 'event_rate' must be set to a positive number`);
        else nexmarkTables.push({ name: name.toLowerCase(), eventRate: rate });
    }
    // Views: a view's name stands for the tables its query reads.
    const views = new Map<string, string[]>();
    const viewRe = /create\s+view\s+([A-Za-z_][\w]*)\s+as\s+([\s\S]*?);/gi;
    for (let m = viewRe.exec(sql); m; m = viewRe.exec(sql)) views.set(m[1].toLowerCase(), [...m[2].matchAll(/\b(?:from|join)\s+([A-Za-z_][\w]*)/gi)].map((x) => x[1].toLowerCase()));

    const body = sql.replace(createRe, " ").replace(bareRe, " ").replace(viewRe, " ");
    if (!/\bselect\b/i.test(body)) errors.push("Query does not contain a SELECT statement");
    const direct = [...new Set([...body.matchAll(/\b(?:from|join)\s+([A-Za-z_][\w]*)/gi)].map((m) => m[1].toLowerCase()))];
    const referenced = [...new Set(direct.flatMap((t) => [t, ...(views.get(t) ?? [])]))];
    const sink = /insert\s+into\s+([A-Za-z_][\w]*)/i.exec(body)?.[1]?.toLowerCase();
    const known = new Set([...tables.map((t) => t.name), ...nexmarkTables.map((t) => t.name), ...views.keys()]);
    const cteNames = new Set([...body.matchAll(/\b([A-Za-z_][\w]*)\s+as\s*\(/gi)].map((m) => m[1].toLowerCase()));
    for (const name of referenced) {
        if (!known.has(name) && !cteNames.has(name) && name !== "select") errors.push(`Error during planning: table '${name}' not found`);
    }
    if (sink && !tables.some((t) => t.name === sink && t.type === "sink")) errors.push(`Error during planning: sink table '${sink}' not found`);
    const nexmark = nexmarkTables.find((t) => referenced.includes(t.name));
    return { tables, referenced, ...(sink ? { sink } : {}), ...(nexmark ? { nexmark } : {}), errors };
}
