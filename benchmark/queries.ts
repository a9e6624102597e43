import * as fs from "fs";
import * as path from "path";
import { DEFAULT_ENGINE, EngineName } from "../config/defaults";
import { engineProfile } from "./engines/profiles";

/** Nexmark queries as plain SQL files, one per query and engine, in that engine's dialect: queries/<engine>/qN.sql. */
export const QUERY_ROOT = path.join(__dirname, "queries");
export const queryDir = (engine: EngineName): string => path.join(QUERY_ROOT, engine);
/** The source tables: Kafka topics (what the benchmark measures), or Arroyo's built-in Nexmark source (the pipeline's own ceiling). */
export type SourceKind = "kafka" | "nexmark";
const SOURCES_FILES: Record<SourceKind, string> = { kafka: "sources.sql", nexmark: "sources-nexmark.sql" };

export interface QueryParams {
    bootstrapServers: string;
    /**
     * `SET updating_ttl` ahead of the query, seconds: how long updating joins and aggregates keep
     * state (the only option Arroyo 0.15's SET takes, arroyo-planner/src/lib.rs; 24 h by default).
     */
    updatingTtlSeconds?: number;
    resultsTopic: string;
    /**
     * Where a query with a filesystem sink (q10) writes, as Arroyo's object-store URLs take an
     * S3 endpoint (`s3::http://host:port/bucket/prefix`, crates/arroyo-storage/src/lib.rs).
     */
    resultsFilesUrl?: string;
    source:
        | {
              kind: "kafka";
              topics: { person: string; auction: string; bid: string };
              /** The consumer group each source table starts from and commits its progress to. */
              groups: { person: string; auction: string; bid: string };
          }
        | { kind: "nexmark"; eventRate: number };
}

export interface NexmarkQuery {
    id: string;
    /** The engine whose dialect the file is written in. */
    engine: EngineName;
    /** The folder it was read from (its engine's source tables are there too). */
    dir: string;
    title: string;
    /** What the reference query computes, how it is written for this engine (its `-- arroyo:` or `-- flink:` header), what still differs. */
    reference: string;
    written: string;
    deviation: string;
    /** The sink's columns, as the header lists them. */
    columns: string[];
    /** Output column carrying the input event's time, when outputs map to inputs (for latency). */
    latencyColumn?: string;
    /** Outputs of windows (tumbling, sliding, session): latency from the window's end (the records' Kafka timestamps). */
    latencyWindowEnd?: boolean;
    /** The query's own SQL (sink table and INSERT), before the shared source tables are prepended. */
    body: string;
    /** The Nexmark tables the query reads: only their events reach its sources. */
    reads: ("person" | "auction" | "bid")[];
    /** Where the output goes: the run's results topic, or files in the results bucket (Arroyo's filesystem sink). */
    sink: "kafka" | "files";
}

/**
 * Reference queries not included, per engine, and the true reason for each: what the engine lacks
 * (with the file of its source that refuses it), or what this benchmark lacks.
 */
export const NOT_INCLUDED: Record<EngineName, Record<string, string>> = {
    arroyo: {
        q6: "averages each seller's last 10 closing prices with AVG() OVER (PARTITION BY seller ORDER BY datetime ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) over closing prices picked by ROW_NUMBER() from the unwindowed auction-bid join; Arroyo 0.15 plans window functions only over input already grouped in a time window ('Window functions require already windowed input', arroyo-planner/src/plan/window_fn.rs)",
        q9: "picks each auction's winning bid with ROW_NUMBER() OVER (PARTITION BY auction) over the unwindowed auction-bid join; Arroyo 0.15 plans window functions only over windowed input (plan/window_fn.rs), and joining the bids back to a per-auction MAX instead joins an updating input, which it refuses ('can't handle updating right side of join', plan/join.rs)",
        q12: "counts bids per bidder in processing-time windows; Arroyo's windows are event-time only",
        q13: "joins bids with a bounded side input read from a file; Arroyo could read such a file from MinIO with its filesystem source, but this benchmark ships no side-input file, so it is not written",
        q18: "keeps each bidder's last bid per auction with ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY datetime DESC) over all bids, unwindowed; Arroyo 0.15 plans window functions only over windowed input (plan/window_fn.rs)",
        q19: "keeps the top 10 bids per auction with ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC) over all bids, unwindowed; Arroyo 0.15 plans window functions only over windowed input (plan/window_fn.rs)",
    },
    flink: {
        q6: "the reference's own: an OVER aggregation (AVG over each seller's last 10 closing prices) of the updating result of a ROW_NUMBER over the auction-bid join; Flink's planner refuses OVER aggregations on updating input (StreamPhysicalOverAggregate consumes insert-only input), which is why nexmark/nexmark marks q6 as not supported on Flink",
        q10: "writes files to MinIO: the deployed Flink image has the filesystem connector and S3 plugin it would need, but the Flink this project's tests run (the module jars Maven Central serves) has neither, so a q10 file could not be checked here and is not written; Arroyo's q10 runs",
        q13: "joins bids with a bounded side input read from a file; this benchmark ships no side-input file, so it is not written (as for Arroyo)",
    },
};

function header(sql: string, key: string): string | undefined {
    return new RegExp(`^--\\s*${key}:\\s*(.+)$`, "m").exec(sql)?.[1].trim();
}

/** An engine's queries on disk, in query-number order. */
export function listQueries(engine: EngineName = DEFAULT_ENGINE, dir = queryDir(engine)): NexmarkQuery[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /^q\d+\.sql$/.test(f))
        .sort((a, b) => Number(a.slice(1, -4)) - Number(b.slice(1, -4)))
        .map((f) => {
            const body = fs.readFileSync(path.join(dir, f), "utf8");
            const id = f.slice(0, -4);
            const title = header(body, "title");
            if (!title) throw new Error(`${f} lacks its '-- title:' header`);
            const fields = Object.fromEntries(
                ["reference", engine, "deviation", "columns"].map((k) => [k, header(body, k)]),
            );
            const missing = Object.entries(fields)
                .filter(([, v]) => !v)
                .map(([k]) => k);
            if (missing.length)
                throw new Error(
                    `${f} lacks its '-- ${missing.join(":', '-- ")}:' header${missing.length > 1 ? "s" : ""}`,
                );
            const latencyColumn = header(body, "latency-column");
            const latencyWindowEnd = header(body, "latency") === "window-end";
            const sql = body.replace(/--[^\n]*/g, " ");
            const reads = (["person", "auction", "bid"] as const).filter((t) =>
                new RegExp(`\\b(from|join|table)\\s+${t}\\b`, "i").test(sql),
            );
            if (reads.length === 0) throw new Error(`${f} reads none of the tables person, auction, bid`);
            const sink = /'?connector'?\s*=\s*'filesystem'/.test(sql) ? "files" : "kafka";
            return {
                id,
                engine,
                dir,
                title,
                reference: fields.reference as string,
                written: fields[engine] as string,
                deviation: fields.deviation as string,
                columns: (fields.columns as string).split(",").map((c) => c.trim()),
                body,
                reads,
                sink,
                ...(latencyColumn ? { latencyColumn } : {}),
                ...(latencyWindowEnd ? { latencyWindowEnd } : {}),
            };
        });
}

/** Finds an engine's queries by id, with a clear error naming the unknown ones and what exists. */
export function selectQueries(
    ids: string[],
    engine: EngineName = DEFAULT_ENGINE,
    dir = queryDir(engine),
): NexmarkQuery[] {
    const all = listQueries(engine, dir);
    const byId = new Map(all.map((q) => [q.id, q]));
    const missing = NOT_INCLUDED[engine];
    const problems = ids
        .filter((id) => !byId.has(id))
        .map((id) =>
            missing[id] ? `${id} is not included for ${engine}: ${missing[id]}` : `${id} is not a known query`,
        );
    if (problems.length > 0)
        throw new Error(`--queries: ${problems.join("; ")}. Available: ${all.map((q) => q.id).join(", ")}`);
    return ids.map((id) => byId.get(id) as NexmarkQuery);
}

/**
 * Where a query's files go in a run: a prefix per run and query in the results bucket, on MinIO as
 * Arroyo reaches it. None for stacks that do not export both.
 */
export function resultsFilesUrl(
    minioClusterEndpoint: string | undefined,
    resultsBucket: string | undefined,
    runTag: string,
    queryId: string,
): string | undefined {
    if (!minioClusterEndpoint || !resultsBucket) return undefined;
    return `s3::${minioClusterEndpoint.replace(/\/+$/, "")}/${resultsBucket}/${runTag}/${queryId}`;
}

/**
 * How long updating joins and aggregates keep state, as each engine is told: Arroyo's only SET
 * option (arroyo-planner/src/lib.rs), Flink's idle state retention (table.exec.state.ttl).
 */
const STATE_TTL: Record<EngineName, (seconds: number) => string> = {
    arroyo: (s) => `SET updating_ttl = INTERVAL '${s}' SECOND;\n`,
    flink: (s) => `SET 'table.exec.state.ttl' = '${s} s';\n`,
};

/** The full SQL the engine receives: the source tables, then the query, placeholders filled in. */
export function renderQuery(q: NexmarkQuery, params: QueryParams): string {
    const dir = q.dir;
    if (params.source.kind === "nexmark" && !engineProfile(q.engine).builtInNexmarkSource)
        throw new Error(`${q.id}: the built-in Nexmark source is Arroyo's; ${q.engine} reads the Kafka topics only`);
    const src = params.source;
    const values: Record<string, string> = {
        bootstrap_servers: params.bootstrapServers,
        results_topic: params.resultsTopic,
        ...(params.resultsFilesUrl ? { results_path: params.resultsFilesUrl } : {}),
        ...(src.kind === "kafka"
            ? {
                  person_topic: src.topics.person,
                  auction_topic: src.topics.auction,
                  bid_topic: src.topics.bid,
                  person_group: src.groups.person,
                  auction_group: src.groups.auction,
                  bid_group: src.groups.bid,
              }
            : { event_rate: String(src.eventRate) }),
    };
    for (const [k, v] of Object.entries(values)) {
        if (!v || /['\\]/.test(v))
            throw new Error(
                `query parameter ${k} must be a non-empty value without quotes or backslashes (got ${JSON.stringify(v)})`,
            );
    }
    const ttl = params.updatingTtlSeconds;
    if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0))
        throw new Error(`updating_ttl must be a positive whole number of seconds (got ${ttl})`);
    const set = ttl === undefined ? "" : STATE_TTL[q.engine](ttl);
    const sql = `${set}${fs.readFileSync(path.join(dir, SOURCES_FILES[src.kind]), "utf8")}\n${q.body}`;
    return sql.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
        if (name === "results_path" && !params.resultsFilesUrl) {
            throw new Error(
                `${q.id} writes its output as files to the cluster's MinIO, but the stack outputs lack minioClusterEndpoint or buckets.results (a stack deployed before q10 existed): run 'npm run up' to update the stack, or leave ${q.id} out of --queries`,
            );
        }
        if (!(name in values)) throw new Error(`${q.id}: unknown placeholder ${whole}`);
        return values[name];
    });
}

/**
 * The statements of a rendered query, one by one, for engines that take one at a time (Flink's
 * SQL Gateway): split at semicolons that end a line, which no quoted value in these files holds.
 */
export function splitStatements(sql: string): string[] {
    return sql
        .replace(/--[^\n]*/g, "")
        .split(/;\s*(?:\n|$)/)
        .map((s) => s.trim())
        .filter(Boolean);
}
