// The stand-in's reading of a pipeline's SQL: just enough to find the Kafka tables and which one
// the INSERT writes to. It is not Arroyo's planner and judges no SQL semantics.

export interface KafkaTable {
    name: string;
    type: "source" | "sink";
    topic: string;
    bootstrapServers: string;
}

export interface ScannedQuery {
    tables: KafkaTable[];
    /** Tables named after FROM / JOIN. */
    referenced: string[];
    sink?: string;
    errors: string[];
}

const option = (withClause: string, key: string): string | undefined => {
    const m = new RegExp(`'?${key.replace(".", "\\.")}'?\\s*=\\s*'([^']*)'`, "i").exec(withClause);
    return m?.[1];
};

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
        if (type !== "source" && type !== "sink") errors.push(`Table ${name}: 'type' must be 'source' or 'sink'`);
        if (!topic) errors.push(`Table ${name}: missing required option 'topic'`);
        if (!bootstrapServers) errors.push(`Table ${name}: missing required option 'bootstrap_servers'`);
        if ((type === "source" || type === "sink") && topic && bootstrapServers) tables.push({ name: name.toLowerCase(), type, topic, bootstrapServers });
    }

    const body = sql.replace(createRe, " ");
    if (!/\bselect\b/i.test(body)) errors.push("Query does not contain a SELECT statement");
    const referenced = [...body.matchAll(/\b(?:from|join)\s+([A-Za-z_][\w]*)/gi)].map((m) => m[1].toLowerCase());
    const sink = /insert\s+into\s+([A-Za-z_][\w]*)/i.exec(body)?.[1]?.toLowerCase();
    const known = new Set(tables.map((t) => t.name));
    const cteNames = new Set([...body.matchAll(/\b([A-Za-z_][\w]*)\s+as\s*\(/gi)].map((m) => m[1].toLowerCase()));
    for (const name of referenced) {
        if (!known.has(name) && !cteNames.has(name) && name !== "select") errors.push(`Error during planning: table '${name}' not found`);
    }
    if (sink && !tables.some((t) => t.name === sink && t.type === "sink")) errors.push(`Error during planning: sink table '${sink}' not found`);
    return { tables, referenced, ...(sink ? { sink } : {}), errors };
}
