// The stand-in's reading of a pipeline's SQL: just enough to find the connector tables (Kafka,
// Arroyo's Nexmark source, the filesystem sink), their WITH options, views over them, and which table the INSERT
// writes to. It is not Arroyo's planner and judges no SQL semantics. Option names and accepted values follow Arroyo v0.15.0's
// crates/arroyo-connectors/src/kafka/mod.rs (table_from_options).

import { unknownFunctions } from "./functions";

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

/**
 * A filesystem sink (crates/arroyo-connectors/src/filesystem/config.rs, FileSystemSink): a `path`
 * Arroyo's storage layer parses, and a format it can write (filesystem/mod.rs: json or parquet).
 */
export interface FileSinkTable {
    name: string;
    type: "sink";
    connector: "filesystem";
    path: string;
    format: string;
}

/**
 * The query's event-time window, from its window function: tumble(width), hop(slide, width)
 * (arroyo-planner/src/functions.rs registers them as placeholders the planner turns into window
 * operators), session(gap).
 */
export type WindowSpec =
    { kind: "tumble" | "hop"; slideMs: number; widthMs: number } | { kind: "session"; gapMs: number };

export const isKafkaTable = (t: KafkaTable | FileSinkTable): t is KafkaTable => !("connector" in t);

export interface ScannedQuery {
    tables: (KafkaTable | FileSinkTable)[];
    /** A Nexmark source the query reads, directly or through views. */
    nexmark?: NexmarkTable;
    /** Tables named after FROM / JOIN. */
    referenced: string[];
    sink?: string;
    window?: WindowSpec;
    /** `SET updating_ttl`, seconds, when the query sets it. */
    updatingTtlSeconds?: number;
    errors: string[];
}

/** An SQL interval literal in ms: INTERVAL '10' SECOND, INTERVAL '2 seconds', interval '1' minute. */
export function intervalMs(text: string): number | undefined {
    const m = /interval\s*'\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*'\s*([a-z]*)/i.exec(text);
    if (!m) return undefined;
    const unit = (m[2] || m[3]).toLowerCase().replace(/s$/, "");
    const scale: Record<string, number> = {
        millisecond: 1,
        second: 1_000,
        minute: 60_000,
        hour: 3_600_000,
        day: 86_400_000,
    };
    return scale[unit] === undefined ? undefined : Number(m[1]) * scale[unit];
}

/** The window function the query groups by, if any. */
export function windowOf(sql: string): WindowSpec | undefined {
    const call = (name: string) => new RegExp(`\\b${name}\\s*\\(((?:[^()]|\\([^()]*\\))*)\\)`, "i").exec(sql)?.[1];
    const intervals = (args: string) =>
        [...args.matchAll(/interval\s*'[^']*'\s*[a-z]*/gi)].map((m) => intervalMs(m[0]));
    const hop = call("hop");
    if (hop) {
        const [slide, width] = intervals(hop);
        if (slide && width) return { kind: "hop", slideMs: slide, widthMs: width };
    }
    const tumble = call("tumble");
    if (tumble) {
        const [width] = intervals(tumble);
        if (width) return { kind: "tumble", slideMs: width, widthMs: width };
    }
    const session = call("session");
    if (session) {
        const [gap] = intervals(session);
        if (gap) return { kind: "session", gapMs: gap };
    }
    return undefined;
}

// The WITH options each connector takes; anything else is refused, as arroyo-planner/src/tables.rs
// does once the connector and the format have pulled theirs ("unknown options provided in WITH
// clause"). From the pull_* calls of crates/arroyo-planner/src/tables.rs (table options),
// crates/arroyo-rpc/src/formats.rs (format options), crates/arroyo-connectors/src/kafka/mod.rs,
// nexmark/mod.rs and filesystem/config.rs (connector options).
const COMMON_OPTIONS = [
    "connector",
    "type",
    "connection_profile",
    "event_time_field",
    "watermark_field",
    "idle_micros",
    "lookup.cache.max_bytes",
    "lookup.cache.ttl",
    "format",
    "bad_data",
    "framing",
    "framing.newline.max_length",
    "json.confluent_schema_registry",
    "json.include_schema",
    "json.unstructured",
    "json.decimal_encoding",
    "json.timestamp_format",
    "avro.confluent_schema_registry",
    "avro.into_unstructured_json",
    "avro.raw_datums",
    "parquet.compression",
    "parquet.row_group_size",
];
const CONNECTOR_OPTIONS: Record<string, string[]> = {
    kafka: [
        "bootstrap_servers",
        "topic",
        "auth.type",
        "auth.mechanism",
        "auth.password",
        "auth.protocol",
        "auth.region",
        "auth.username",
        "client_configs",
        "schema_registry.api_key",
        "schema_registry.api_secret",
        "schema_registry.endpoint",
        "value.subject",
        "sink.commit_mode",
        "sink.key_field",
        "sink.timestamp_field",
        "source.group_id",
        "source.group_id_prefix",
        "source.offset",
        "source.read_mode",
    ],
    nexmark: ["event_rate", "runtime"],
    filesystem: [
        "path",
        "partitioning.fields",
        "partitioning.time_pattern",
        "shuffle_by_partition.enabled",
        "multipart.target_part_size",
        "multipart.max_parts",
        "rolling_policy.file_size",
        "rolling_policy.inactivity_interval",
        "rolling_policy.interval",
        "filename.strategy",
        "filename.prefix",
        "filename.suffix",
        "source.compression",
        "source.regex_pattern",
    ],
};

/** The keys of a WITH clause, in order. */
function optionKeys(withClause: string): string[] {
    return [...withClause.matchAll(/(?:^|,)\s*('([^']+)'|[A-Za-z_][\w.]*)\s*=/g)].map((m) =>
        (m[2] ?? m[1]).toLowerCase(),
    );
}

function unknownOptions(connector: string, withClause: string): string[] {
    const known = new Set([...COMMON_OPTIONS, ...(CONNECTOR_OPTIONS[connector] ?? [])]);
    // Storage options pass through to the object store (filesystem/config.rs takes the storage. prefix).
    return optionKeys(withClause).filter(
        (k) => !known.has(k) && !(connector === "filesystem" && k.startsWith("storage.")),
    );
}

const option = (withClause: string, key: string): string | undefined => {
    const m = new RegExp(`'?${key.replace(/\./g, "\\.")}'?\\s*=\\s*'([^']*)'`, "i").exec(withClause);
    return m?.[1];
};

// Formats Arroyo 0.15 accepts for Kafka tables (crates/arroyo-rpc/src/formats.rs).
const FORMATS = ["json", "debezium_json", "avro", "parquet", "raw_string", "raw_bytes", "protobuf"];

// The URL forms crates/arroyo-storage/src/lib.rs (BackendConfig::parse_url) accepts for S3 and local
// paths; an S3 endpoint URL needs an explicit port, and its host cannot contain ':' (no IPv6).
const STORAGE_URLS = [
    /^[sS]3[aA]?::(https?):\/\/([^:/]+):(\d+)\/([a-z0-9\-.]+)(\/(.+))?$/,
    /^[sS]3[aA]?:\/\/([a-z0-9\-.]+)(\/(.+))?$/,
    /^https:\/\/s3\.([\w-]+)\.amazonaws\.com\/([a-z0-9\-.]+)(\/(.+))?$/,
    /^file:\/\/(.*)$/,
    /^file:(.*)$/,
    /^\/(.*)$/,
];

function fileSink(name: string, withClause: string, errors: string[]): FileSinkTable | undefined {
    const before = errors.length;
    const type = option(withClause, "type");
    const path = option(withClause, "path");
    const format = option(withClause, "format");
    if (type !== "sink") {
        errors.push(`Table ${name}: the double reads only filesystem sinks (type = 'sink')`);
        return undefined;
    }
    if (!format) errors.push(`Table ${name}: 'format' must be set for FileSystem connection`);
    else if (format !== "json" && format !== "parquet") errors.push(`Table ${name}: unsupported format ${format}`);
    if (!path) errors.push(`Table ${name}: required option 'path' not set`);
    else if (!STORAGE_URLS.some((re) => re.test(path))) errors.push(`Table ${name}: invalid path '${path}'`);
    return path && format && errors.length === before
        ? { name: name.toLowerCase(), type: "sink", connector: "filesystem", path, format }
        : undefined;
}

export function scanQuery(query: string): ScannedQuery {
    const errors: string[] = [];
    // Comments go; so do the functions whose arguments say FROM (extract(hour FROM datetime)), which name no table.
    let sql = query
        .replace(/--[^\n]*/g, " ")
        .replace(/\b(extract|substring|trim|overlay|position)\s*\([^()]*\)/gi, " $1() ");
    if (sql.trim() === "") return { tables: [], referenced: [], errors: ["Query is empty"] };
    // SET takes one option, updating_ttl, and one expression (arroyo-planner/src/lib.rs try_handle_set_variable).
    let updatingTtlSeconds: number | undefined;
    sql = sql.replace(/\bset\s+([A-Za-z_][\w.]*)\s*=\s*([^;]*);/gi, (_, name: string, value: string) => {
        if (name.toLowerCase() !== "updating_ttl")
            errors.push(`Error during planning: invalid option '${name}'; supported options are 'updating_ttl'`);
        else {
            const ms = intervalMs(value);
            if (ms === undefined)
                errors.push(
                    `Error during planning: invalid \`SET updating_ttl\` call; expected an interval, got ${value.trim()}`,
                );
            else updatingTtlSeconds = ms / 1000;
        }
        return " ";
    });

    const tables: (KafkaTable | FileSinkTable)[] = [];
    const createRe = /create\s+table\s+([A-Za-z_][\w]*)\s*\(([\s\S]*?)\)\s*with\s*\(([\s\S]*?)\)\s*;/gi;
    for (let m = createRe.exec(sql); m; m = createRe.exec(sql)) {
        const [, name, , withClause] = m;
        const connector = option(withClause, "connector");
        const unknown = connector ? unknownOptions(connector, withClause) : [];
        if (unknown.length)
            errors.push(
                `Error during planning: unknown options provided in WITH clause: ${unknown.map((k) => `'${k}'`).join(", ")}`,
            );
        if (connector === "filesystem") {
            const t = fileSink(name, withClause, errors);
            if (t) tables.push(t);
            continue;
        }
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
        if (type === "source" && offset !== "earliest" && offset !== "latest" && offset !== "group")
            errors.push(`Table ${name}: invalid value for source.offset '${offset}'`);
        if ((type === "source" || type === "sink") && topic && bootstrapServers && format) {
            const groupId = option(withClause, "source.group_id");
            const groupIdPrefix = option(withClause, "source.group_id_prefix");
            tables.push({
                name: name.toLowerCase(),
                type,
                topic,
                bootstrapServers,
                format,
                offset: offset as SourceOffset,
                ...(groupId ? { groupId } : {}),
                ...(groupIdPrefix ? { groupIdPrefix } : {}),
            });
        }
    }

    // A connector table may have no column list (the Nexmark source infers its schema).
    const nexmarkTables: NexmarkTable[] = [];
    const bareRe = /create\s+table\s+([A-Za-z_][\w]*)\s+with\s*\(([\s\S]*?)\)\s*;/gi;
    for (let m = bareRe.exec(sql); m; m = bareRe.exec(sql)) {
        const [, name, withClause] = m;
        if (option(withClause, "connector") !== "nexmark") continue;
        const unknown = unknownOptions("nexmark", withClause);
        if (unknown.length)
            errors.push(
                `Error during planning: unknown options provided in WITH clause: ${unknown.map((k) => `'${k}'`).join(", ")}`,
            );
        const rate = Number(option(withClause, "event_rate"));
        if (!Number.isFinite(rate) || rate <= 0)
            errors.push(`Table ${name}: 'event_rate' must be set to a positive number`);
        else nexmarkTables.push({ name: name.toLowerCase(), eventRate: rate });
    }
    // Views: a view's name stands for the tables its query reads.
    const views = new Map<string, string[]>();
    const viewRe = /create\s+view\s+([A-Za-z_][\w]*)\s+as\s+([\s\S]*?);/gi;
    for (let m = viewRe.exec(sql); m; m = viewRe.exec(sql))
        views.set(
            m[1].toLowerCase(),
            [...m[2].matchAll(/\b(?:from|join)\s+([A-Za-z_][\w]*)/gi)].map((x) => x[1].toLowerCase()),
        );

    const body = sql.replace(createRe, " ").replace(bareRe, " ").replace(viewRe, " ");
    if (!/\bselect\b/i.test(body)) errors.push("Query does not contain a SELECT statement");
    const direct = [
        ...new Set([...body.matchAll(/\b(?:from|join)\s+([A-Za-z_][\w]*)/gi)].map((m) => m[1].toLowerCase())),
    ];
    const referenced = [...new Set(direct.flatMap((t) => [t, ...(views.get(t) ?? [])]))];
    const sink = /insert\s+into\s+([A-Za-z_][\w]*)/i.exec(body)?.[1]?.toLowerCase();
    const known = new Set([...tables.map((t) => t.name), ...nexmarkTables.map((t) => t.name), ...views.keys()]);
    const cteNames = new Set([...body.matchAll(/\b([A-Za-z_][\w]*)\s+as\s*\(/gi)].map((m) => m[1].toLowerCase()));
    for (const name of referenced) {
        if (!known.has(name) && !cteNames.has(name) && name !== "select")
            errors.push(`Error during planning: table '${name}' not found`);
    }
    if (sink && !tables.some((t) => t.name === sink && t.type === "sink"))
        errors.push(`Error during planning: sink table '${sink}' not found`);
    const nexmark = nexmarkTables.find((t) => referenced.includes(t.name));
    // Calls to names Arroyo's planner does not register (arroyo-planner/src/lib.rs register_functions).
    errors.push(...unknownFunctions(query));
    const window = windowOf(body);
    return {
        tables,
        referenced,
        ...(sink ? { sink } : {}),
        ...(nexmark ? { nexmark } : {}),
        ...(window ? { window } : {}),
        ...(updatingTtlSeconds !== undefined ? { updatingTtlSeconds } : {}),
        errors,
    };
}
