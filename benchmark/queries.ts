import * as fs from "fs";
import * as path from "path";

/** Nexmark queries as plain SQL files, one per query, in Arroyo's dialect. */
export const QUERY_DIR = path.join(__dirname, "queries");
const SOURCES_FILE = "sources.sql";

export interface QueryParams {
    bootstrapServers: string;
    topics: { person: string; auction: string; bid: string };
    resultsTopic: string;
    /** The consumer group each source table starts from and commits its progress to. */
    groups: { person: string; auction: string; bid: string };
}

export interface NexmarkQuery {
    id: string;
    title: string;
    /** Output column carrying the input event's time, when outputs map to inputs (for latency). */
    latencyColumn?: string;
    /** The query's own SQL (sink table and INSERT), before the shared source tables are prepended. */
    body: string;
    /** The Nexmark tables the query reads: only their events reach its sources. */
    reads: ("person" | "auction" | "bid")[];
}

/** Queries the reference defines that Arroyo's SQL cannot express as specified, and why. */
export const NOT_EXPRESSIBLE: Record<string, string> = {
    q4: "joins each bid to its auction only while the auction is open (B.datetime BETWEEN A.datetime AND A.expires); Arroyo joins on equal keys, over one window or without any bound, so the closing price per auction is not expressible",
    q6: "averages each seller's last 10 closing prices with ROWS BETWEEN 10 PRECEDING; Arroyo has no row-count window frames, and the closing price needs Q4's interval join",
    q9: "the winning bid per auction needs Q4's interval join",
    q10: "writes every bid to files partitioned by time on a file system; that is a connector test, not a Kafka query",
    q12: "counts bids in processing-time windows; Arroyo windows are event-time only",
    q13: "joins bids with a bounded side input read from a file, which a Kafka-only benchmark does not have",
    q15: "daily statistics (1-day windows) emit nothing during a run of minutes",
    q16: "daily statistics per channel (1-day windows) emit nothing during a run of minutes",
    q17: "daily statistics per auction (1-day windows) emit nothing during a run of minutes",
    q18: "keeps the last bid per bidder and auction with ROW_NUMBER over an unbounded partition; Arroyo's top-N works within windows",
    q19: "keeps the top 10 bids per auction with ROW_NUMBER over an unbounded partition; Arroyo's top-N works within windows",
};

const PLACEHOLDERS = ["bootstrap_servers", "person_topic", "auction_topic", "bid_topic", "results_topic", "person_group", "auction_group", "bid_group"] as const;

function header(sql: string, key: string): string | undefined {
    return new RegExp(`^--\\s*${key}:\\s*(.+)$`, "m").exec(sql)?.[1].trim();
}

/** The queries on disk, in query-number order. */
export function listQueries(dir = QUERY_DIR): NexmarkQuery[] {
    return fs
        .readdirSync(dir)
        .filter((f) => /^q\d+\.sql$/.test(f))
        .sort((a, b) => Number(a.slice(1, -4)) - Number(b.slice(1, -4)))
        .map((f) => {
            const body = fs.readFileSync(path.join(dir, f), "utf8");
            const id = f.slice(0, -4);
            const title = header(body, "title");
            if (!title) throw new Error(`${f} lacks its '-- title:' header`);
            const latencyColumn = header(body, "latency-column");
            const reads = (["person", "auction", "bid"] as const).filter((t) => new RegExp(`\\b(from|join)\\s+${t}\\b`, "i").test(body));
            if (reads.length === 0) throw new Error(`${f} reads none of the tables person, auction, bid`);
            return { id, title, body, reads, ...(latencyColumn ? { latencyColumn } : {}) };
        });
}

/** Finds queries by id, with a clear error naming the unknown ones and what exists. */
export function selectQueries(ids: string[], dir = QUERY_DIR): NexmarkQuery[] {
    const all = listQueries(dir);
    const byId = new Map(all.map((q) => [q.id, q]));
    const problems = ids.filter((id) => !byId.has(id)).map((id) => (NOT_EXPRESSIBLE[id] ? `${id} cannot run on Arroyo: ${NOT_EXPRESSIBLE[id]}` : `${id} is not a known query`));
    if (problems.length > 0) throw new Error(`--queries: ${problems.join("; ")}. Available: ${all.map((q) => q.id).join(", ")}`);
    return ids.map((id) => byId.get(id) as NexmarkQuery);
}

/** The full SQL Arroyo receives: the source tables, then the query, placeholders filled in. */
export function renderQuery(q: NexmarkQuery, params: QueryParams, dir = QUERY_DIR): string {
    const values: Record<(typeof PLACEHOLDERS)[number], string> = {
        bootstrap_servers: params.bootstrapServers,
        person_topic: params.topics.person,
        auction_topic: params.topics.auction,
        bid_topic: params.topics.bid,
        results_topic: params.resultsTopic,
        person_group: params.groups.person,
        auction_group: params.groups.auction,
        bid_group: params.groups.bid,
    };
    for (const [k, v] of Object.entries(values)) {
        if (!v || /['\\]/.test(v)) throw new Error(`query parameter ${k} must be a non-empty value without quotes or backslashes (got ${JSON.stringify(v)})`);
    }
    const sql = `${fs.readFileSync(path.join(dir, SOURCES_FILE), "utf8")}\n${q.body}`;
    return sql.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
        if (!(name in values)) throw new Error(`${q.id}: unknown placeholder ${whole}`);
        return values[name as keyof typeof values];
    });
}
