// --verify: the output of a stateless query, record by record, against what its SQL computes from
// the events the generator sent (the same seed and schedule give the same events). Queries with
// state (windows, joins, aggregates) cannot be checked against the generator this simply: their
// outputs are compared between engines instead (report/compare.ts).
import { NexmarkGenerator, kindOf } from "./nexmark/generator";
import { Bid } from "./nexmark/model";
import { instantOf } from "./nexmark/serialize";

/** What one stateless query writes for one bid, as its SQL (either engine's file) computes it; null when it drops the bid. */
type Expected = (b: Bid) => Record<string, unknown> | null;

const HOT_CHANNEL_IDS: Record<string, string> = { apple: "0", google: "1", facebook: "2", baidu: "3" };
const euro = (price: number) => 0.908 * price;
const utcHour = (ms: number) => new Date(ms).getUTCHours();
// REGEXP_EXTRACT(url, '(&|^)channel_id=([^&]*)', 2) as q21's SQL has it: over the whole url.
const channelIdOf = (url: string): string | null => /(?:&|^)channel_id=([^&]*)/.exec(url)?.[1] ?? null;

export const STATELESS: Record<string, Expected> = {
    q0: (b) => ({ auction: b.auction, bidder: b.bidder, price: b.price, datetime: b.datetime, extra: b.extra }),
    q1: (b) => ({ auction: b.auction, bidder: b.bidder, price: euro(b.price), datetime: b.datetime, extra: b.extra }),
    q2: (b) => (b.auction % 123 === 0 ? { auction: b.auction, price: b.price, datetime: b.datetime } : null),
    // HOUR and extract(hour) of the event time in UTC: the engines' session time zone (both containers run in UTC).
    q14: (b) => {
        const p = euro(b.price);
        if (!(p > 1_000_000 && p < 50_000_000)) return null;
        const h = utcHour(b.datetime);
        const bidTimeType = h >= 8 && h <= 18 ? "dayTime" : h <= 6 || h >= 20 ? "nightTime" : "otherTime";
        return {
            auction: b.auction,
            bidder: b.bidder,
            price: p,
            bid_time_type: bidTimeType,
            datetime: b.datetime,
            extra: b.extra,
            c_counts: b.extra.split("c").length - 1,
        };
    },
    q21: (b) => {
        const hot = HOT_CHANNEL_IDS[b.channel.toLowerCase()];
        const id = channelIdOf(b.url);
        if (hot === undefined && (id === null || id === "")) return null;
        return {
            auction: b.auction,
            bidder: b.bidder,
            price: b.price,
            channel: b.channel,
            channel_id: hot ?? id,
            datetime: b.datetime,
        };
    },
    q22: (b) => {
        const parts = b.url.split("/");
        return {
            auction: b.auction,
            bidder: b.bidder,
            price: b.price,
            channel: b.channel,
            dir1: parts[3] ?? null,
            dir2: parts[4] ?? null,
            dir3: parts[5] ?? null,
            datetime: b.datetime,
        };
    },
};

export interface Verification {
    /** Records the query should have written for the events sent. */
    expected: number;
    /** Records read from the results topic. */
    read: number;
    matched: number;
    /** Expected and not written. */
    missing: number;
    /** Written and not expected, or written more often than expected (an at-least-once replay). */
    extra: number;
    /** Up to 3 of each, for a reader to look at. */
    missingExamples: string[];
    extraExamples: string[];
}

/**
 * One record as a comparable key: the columns in order, numbers as numbers (doubles to 12
 * significant digits: each engine prints them its own way), times as ms since the epoch (RFC 3339
 * text of either engine).
 */
export function recordKey(columns: string[], record: Record<string, unknown>): string {
    return JSON.stringify(
        columns.map((c) => {
            const v = record[c];
            if (typeof v === "number") return Number.isInteger(v) ? v : Number(v.toPrecision(12));
            if (typeof v === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.test(v))
                return instantOf(v);
            return v ?? null;
        }),
    );
}

/** The records a stateless query should have written, as keys with their counts. */
export function expectedOutput(
    queryId: string,
    columns: string[],
    load: { seed: number; baseTimeMs: number; eventsPerSecond: number; totalEvents: number },
): Map<string, number> {
    const expected = STATELESS[queryId];
    if (!expected)
        throw new Error(
            `${queryId} is not stateless: its output is compared between engines, not against the generator`,
        );
    const generator = new NexmarkGenerator({
        seed: load.seed,
        baseTimeMs: load.baseTimeMs,
        eventsPerSecond: load.eventsPerSecond,
    });
    const out = new Map<string, number>();
    for (let n = 0; n < load.totalEvents; n++) {
        if (kindOf(n) !== "bid") continue;
        const row = expected(generator.bid(n));
        if (row === null) continue;
        const key = recordKey(columns, row);
        out.set(key, (out.get(key) ?? 0) + 1);
    }
    return out;
}

/** Matched, missing and extra records between what was expected and what was read (multisets). */
export function compareOutputs(expected: Map<string, number>, read: string[]): Verification {
    const left = new Map(expected);
    let matched = 0;
    const extraExamples: string[] = [];
    let extra = 0;
    for (const key of read) {
        const n = left.get(key) ?? 0;
        if (n > 0) {
            matched++;
            if (n === 1) left.delete(key);
            else left.set(key, n - 1);
        } else {
            extra++;
            if (extraExamples.length < 3) extraExamples.push(key);
        }
    }
    const missing = [...left.values()].reduce((s, n) => s + n, 0);
    return {
        expected: [...expected.values()].reduce((s, n) => s + n, 0),
        read: read.length,
        matched,
        missing,
        extra,
        missingExamples: [...left.keys()].slice(0, 3),
        extraExamples,
    };
}

/** The load a recorded output came from: two outputs compare only when these are equal. */
export interface RecordedLoad {
    baseTimeMs: number;
    seed: number;
    eventsPerSecond: number;
    totalEvents: number;
}

/**
 * A stateful query's whole output, recorded under a fixed base time for `npm run compare`: the
 * load it came from and its records as keys (recordKey) with their counts, sorted.
 */
export interface RecordedOutput {
    recordedFrom: RecordedLoad;
    records: number;
    keys: [string, number][];
}

export function recordedOutput(columns: string[], read: Record<string, unknown>[], load: RecordedLoad): RecordedOutput {
    const counts = new Map<string, number>();
    for (const r of read) {
        const key = recordKey(columns, r);
        counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return {
        recordedFrom: load,
        records: read.length,
        // A Map's keys are distinct: no two compare equal.
        keys: [...counts].sort(([a], [b]) => (a < b ? -1 : 1)),
    };
}

/**
 * Run b's recorded output against run a's, record by record (a's is the expected multiset); or,
 * where the two loads differ, why they cannot be compared, naming both values.
 */
export function compareRecordedOutputs(a: RecordedOutput, b: RecordedOutput): Verification | { notCompared: string } {
    const differing = (Object.keys(a.recordedFrom) as (keyof RecordedLoad)[]).filter(
        (k) => a.recordedFrom[k] !== b.recordedFrom[k],
    );
    if (differing.length)
        return {
            notCompared: `the loads differ, so the events and windows do: ${differing
                .map((k) => `${k} ${a.recordedFrom[k]} vs ${b.recordedFrom[k]}`)
                .join(", ")}`,
        };
    return compareOutputs(
        new Map(a.keys),
        b.keys.flatMap(([key, n]) => Array<string>(n).fill(key)),
    );
}
