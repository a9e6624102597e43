// Two results folders side by side (`npm run compare`): the same queries at the same load on the
// same hosts with the same parallelism, one engine against the other. A pure function of the two
// results.json files; it refuses to compare runs that differ in what the figures depend on.
import { engineProfile } from "../engines/profiles";
import { compareRecordedOutputs, RecordedOutput, Verification } from "../verify";
import { BenchmarkResults, QueryRun } from "./types";
import { engineImageOf, engineLabelOf, num } from "./format";

export interface Side {
    /** "Flink", "Arroyo", or "Arroyo (test double)" when the image is this project's double. */
    label: string;
    engine: string;
    image: string | null;
    folder: string;
}

/** One figure of one query on both sides; ratio = b / a (null where either is missing or a is 0). */
export interface Figure {
    a: number | null;
    b: number | null;
    ratio: number | null;
}

export interface ComparedQuery {
    query: string;
    parallelism: number;
    figures: Record<string, Figure>;
    /** Why a figure is not a clean measurement on either side (invalid, not sustainable, inconclusive, no MST). */
    notes: string[];
    /**
     * b's output against a's, record by record, where both recorded it (--verify under a fixed
     * --base-time); or why the two cannot be compared.
     */
    output?: Verification | { notCompared: string };
}

export interface Comparison {
    mode: BenchmarkResults["mode"];
    a: Side;
    b: Side;
    /** What both runs shared: load, hosts, parallelism, checkpoints. */
    common: Record<string, unknown>;
    queries: ComparedQuery[];
    onlyIn: { a: string[]; b: string[] };
}

export class IncomparableError extends Error {
    constructor(readonly differences: string[]) {
        super(`the two runs cannot be compared: ${differences.join("; ")}`);
    }
}

function side(r: BenchmarkResults, folder: string): Side {
    return { label: engineLabelOf(r), engine: r.topology.engine, image: engineImageOf(r), folder };
}

/** The hardware a host's figures come from: its name and what the preflight read (absent on the local target). */
function hostKey(h: BenchmarkResults["topology"]["hosts"][number]): string {
    const f = (h.facts ?? {}) as Record<string, unknown>;
    return JSON.stringify([h.name, f.model ?? null, f.arch ?? null, f.memoryMb ?? null, h.taskSlots ?? null]);
}

/** What must be equal for the figures to compare: each difference named with both values. */
export function differences(a: BenchmarkResults, b: BenchmarkResults): string[] {
    const out: string[] = [];
    const same = (what: string, x: unknown, y: unknown) => {
        if (JSON.stringify(x) !== JSON.stringify(y))
            out.push(`${what} differs (${JSON.stringify(x)} vs ${JSON.stringify(y)})`);
    };
    same("the mode (fixed-rate or find-max)", a.mode, b.mode);
    const ca = a.configuration;
    const cb = b.configuration;
    same("the seed (the events sent)", ca.seed, cb.seed);
    same("the checkpoint interval", ca.checkpointIntervalSeconds, cb.checkpointIntervalSeconds);
    if (a.mode === "fixed-rate" && b.mode === "fixed-rate") {
        same("the load's rate (--events-per-second)", ca.eventsPerSecond, cb.eventsPerSecond);
        same("the load's size (--total-events)", ca.totalEvents, cb.totalEvents);
        same("the warm-up (--warmup-events)", ca.warmupEvents, cb.warmupEvents);
        same("the measured window (--duration)", ca.durationSeconds, cb.durationSeconds);
        same("the parallelism", ca.parallelism, cb.parallelism);
    } else if (a.mode === "find-max" && b.mode === "find-max") {
        const sa = ca.search;
        const sb = cb.search;
        same("the parallelisms searched", sa?.parallelisms, sb?.parallelisms);
        same(
            "the trials' warm-up and window (--trial-warmup, --trial-duration)",
            [sa?.trialWarmupSeconds, sa?.trialWindowSeconds],
            [sb?.trialWarmupSeconds, sb?.trialWindowSeconds],
        );
        same("the search's resolution", sa?.resolution, sb?.resolution);
        same("the latency SLO (--latency-slo)", sa?.latencySloMs, sb?.latencySloMs);
    }
    same(
        "the hosts (names, models, architectures, memory, task slots)",
        a.topology.hosts.map(hostKey).sort(),
        b.topology.hosts.map(hostKey).sort(),
    );
    same("the task slots", a.topology.totalSlots, b.topology.totalSlots);
    // Two engines are compared on what each worker gave them: memory per slot and CPUs.
    same("the budget per worker (memory per task slot in MB, CPUs)", budgetOf(a), budgetOf(b));
    same("the partitions per topic", a.topology.partitions, b.topology.partitions);
    // One engine's runs are set side by side only with the same settings of its own (Flink's profile).
    if (a.topology.engine === b.topology.engine)
        same(
            `${engineProfile(a.topology.engine).label}'s settings`,
            a.topology.engineSettings ?? "not recorded",
            b.topology.engineSettings ?? "not recorded",
        );
    return out;
}

const budgetOf = (r: BenchmarkResults) => r.topology.budget ?? "not recorded";

const ratio = (a: number | null, b: number | null): Figure => ({
    a,
    b,
    ratio: a !== null && b !== null && a !== 0 ? b / a : null,
});
const memory = (q: QueryRun) => {
    const known = q.figures.hosts.filter((h) => h.memoryBytesMean !== null);
    return known.length ? known.reduce((s, h) => s + (h.memoryBytesMean as number), 0) : null;
};

function runNotes(tag: string, q: QueryRun): string[] {
    const n: string[] = [];
    if (!q.validity.valid) n.push(`${tag} invalid: ${q.validity.reasons.join("; ")}`);
    if (q.figures.kafka.verdict !== "sustainable")
        n.push(`${tag} ${q.figures.kafka.verdict}: ${q.figures.kafka.verdictReason}`);
    return n;
}

/** The comparison of two runs; throws IncomparableError naming every difference that forbids it. */
export function compareResults(
    a: BenchmarkResults,
    b: BenchmarkResults,
    folders: { a: string; b: string } = { a: "a", b: "b" },
): Comparison {
    const diffs = differences(a, b);
    if (diffs.length) throw new IncomparableError(diffs);
    const queries: ComparedQuery[] = [];
    let onlyIn: Comparison["onlyIn"];
    if (a.mode === "fixed-rate") {
        const byId = new Map(b.queries.map((q) => [q.id, q]));
        for (const qa of a.queries) {
            const qb = byId.get(qa.id);
            if (!qb) continue;
            queries.push({
                query: qa.id,
                parallelism: qa.parallelism,
                figures: {
                    consumedEventsPerSecond: ratio(qa.figures.kafka.consumedRate, qb.figures.kafka.consumedRate),
                    eventsPerSecondPerCore: ratio(qa.figures.eventsPerSecondPerCore, qb.figures.eventsPerSecondPerCore),
                    latencyP99Ms: ratio(qa.figures.latencyMs?.p99 ?? null, qb.figures.latencyMs?.p99 ?? null),
                    memoryBytes: ratio(memory(qa), memory(qb)),
                    checkpointDurationP50Ms: ratio(
                        qa.figures.checkpoints.durationMsP50,
                        qb.figures.checkpoints.durationMsP50,
                    ),
                },
                notes: [...runNotes("a", qa), ...runNotes("b", qb)],
                ...outputOf(qa, qb),
            });
        }
        onlyIn = {
            a: a.queries.map((q) => q.id).filter((id) => !byId.has(id)),
            b: b.queries.map((q) => q.id).filter((id) => !a.queries.some((q) => q.id === id)),
        };
    } else {
        const key = (c: { query: string; parallelism: number }) => `${c.query} p=${c.parallelism}`;
        const capA = a.capacity ?? [];
        const capB = new Map((b.capacity ?? []).map((c) => [key(c), c]));
        for (const ca of capA) {
            const cb = capB.get(key(ca));
            if (!cb) continue;
            const bestP99 = (c: typeof ca) =>
                c.search.trials.filter((t) => t.pass).sort((x, y) => y.rate - x.rate)[0]?.p99Ms ?? null;
            // A search that did not end resolved gives a bound, not the MST: said beside it.
            const notes = [ca, cb].flatMap((c, i) =>
                c.search.end === "resolved"
                    ? []
                    : [`${i === 0 ? "a" : "b"}: ${c.search.mst ? "" : "no trial passed: "}${c.search.note}`],
            );
            queries.push({
                query: ca.query,
                parallelism: ca.parallelism,
                figures: {
                    mstEventsPerSecond: ratio(ca.search.mst?.rate ?? null, cb.search.mst?.rate ?? null),
                    mstInputEventsPerSecond: ratio(ca.search.mst?.inputRate ?? null, cb.search.mst?.inputRate ?? null),
                    latencyP99MsAtMst: ratio(bestP99(ca), bestP99(cb)),
                },
                notes,
            });
        }
        onlyIn = {
            a: capA.filter((c) => !capB.has(key(c))).map(key),
            b: [...capB.keys()].filter((k) => !capA.some((c) => key(c) === k)),
        };
    }
    const c = a.configuration;
    return {
        mode: a.mode,
        a: side(a, folders.a),
        b: side(b, folders.b),
        common: {
            seed: c.seed,
            checkpointIntervalSeconds: c.checkpointIntervalSeconds,
            ...(a.mode === "fixed-rate"
                ? {
                      eventsPerSecond: c.eventsPerSecond,
                      totalEvents: c.totalEvents,
                      warmupEvents: c.warmupEvents,
                      parallelism: c.parallelism,
                  }
                : { search: c.search }),
            hosts: a.topology.hosts.map((h) => h.name),
            totalSlots: a.topology.totalSlots,
            partitions: a.topology.partitions,
        },
        queries,
        onlyIn,
    };
}

const FIGURE_TITLES: Record<string, { title: string; digits: number; scale?: number }> = {
    consumedEventsPerSecond: { title: "consumed ev/s", digits: 0 },
    eventsPerSecondPerCore: { title: "ev/s per engine core", digits: 0 },
    latencyP99Ms: { title: "latency p99 ms", digits: 0 },
    memoryBytes: { title: "memory MiB (all hosts)", digits: 0, scale: 1 / 1024 ** 2 },
    checkpointDurationP50Ms: { title: "checkpoint p50 ms", digits: 0 },
    mstEventsPerSecond: { title: "MST ev/s", digits: 0 },
    mstInputEventsPerSecond: { title: "MST input ev/s", digits: 0 },
    latencyP99MsAtMst: { title: "p99 ms at MST", digits: 0 },
};

/** Where both runs recorded a query's whole output: b's against a's (verify.ts). */
function outputOf(qa: QueryRun, qb: QueryRun): { output?: ComparedQuery["output"] } {
    const recorded = (q: QueryRun) =>
        q.verification && "recordedFrom" in q.verification ? (q.verification as RecordedOutput) : undefined;
    const [ra, rb] = [recorded(qa), recorded(qb)];
    if (!ra && !rb) return {};
    if (!ra || !rb)
        return {
            output: {
                notCompared: `only ${ra ? "a" : "b"} recorded its output (--verify with a fixed --base-time on both runs)`,
            },
        };
    return { output: compareRecordedOutputs(ra, rb) };
}

export function comparisonMarkdown(c: Comparison): string {
    const outputs = c.queries.flatMap((q) =>
        q.output
            ? [
                  "matched" in q.output
                      ? `- ${q.query}: ${num(q.output.matched)} of ${num(q.output.expected)} records of a matched in b, ${num(q.output.missing)} missing, ${num(q.output.extra)} extra${q.output.missing || q.output.extra ? " **(mismatch)**" : ""}`
                      : `- ${q.query}: not compared: ${q.output.notCompared}`,
              ]
            : [],
    );
    const names = [...new Set(c.queries.flatMap((q) => Object.keys(q.figures)))];
    const head = [
        "query",
        "p",
        ...names.flatMap((n) => [`${FIGURE_TITLES[n]?.title ?? n}: ${c.a.label}`, c.b.label, "ratio"]),
    ];
    const rows = c.queries.map((q) => {
        const cells = names.flatMap((n) => {
            const f = q.figures[n];
            const t = FIGURE_TITLES[n] ?? { digits: 0 };
            const scaled = (x: number | null) => (x === null ? null : x * (t.scale ?? 1));
            return [
                num(scaled(f.a), t.digits),
                num(scaled(f.b), t.digits),
                f.ratio === null ? "n/a" : `${num(f.ratio, 2)}x`,
            ];
        });
        return `| ${q.query} | ${q.parallelism} | ${cells.join(" | ")} |`;
    });
    const notes = c.queries.flatMap((q) =>
        q.notes.map((n) => `- ${q.query} (p=${q.parallelism}), ${n.replace(/^a/, c.a.label).replace(/^b/, c.b.label)}`),
    );
    return [
        `# ${c.b.label} against ${c.a.label}`,
        "",
        `${c.mode === "find-max" ? "Maximum sustainable throughput" : "One rate"} per query, the same load (seed ${c.common.seed}), hosts (${(c.common.hosts as string[]).join(", ") || "none recorded"}), ${c.common.totalSlots} task slots and ${c.common.partitions} partitions, checkpoints every ${c.common.checkpointIntervalSeconds} s. ` +
            `a: ${c.a.label}${c.a.image ? ` (\`${c.a.image}\`)` : ""}, from ${c.a.folder}; b: ${c.b.label}${c.b.image ? ` (\`${c.b.image}\`)` : ""}, from ${c.b.folder}. Ratio = b / a.`,
        "",
        `| ${head.join(" | ")} |`,
        `| ${head.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`,
        ...rows,
        "",
        ...(notes.length ? ["Not clean measurements:", "", ...notes, ""] : []),
        ...(outputs.length
            ? [
                  "Outputs, record by record (both runs under the same fixed base time, seed, rate and events):",
                  "",
                  ...outputs,
                  "",
              ]
            : []),
        ...(c.onlyIn.a.length || c.onlyIn.b.length
            ? [`Only in a: ${c.onlyIn.a.join(", ") || "none"}. Only in b: ${c.onlyIn.b.join(", ") || "none"}.`, ""]
            : []),
        ...(c.a.label.includes("test double") || c.b.label.includes("test double")
            ? [
                  "The Arroyo side is this project's test double (test/doubles/), which writes each row of a query without a window unchanged and evaluates a windowed query per window in SQLite: its figures say how fast the benchmark and Kafka go, not Arroyo.",
                  "",
              ]
            : []),
    ].join("\n");
}

/** The chart's data: the headline figure (MST, or consumed rate) per query and side. */
export function comparisonChartData(c: Comparison): { query: string; engine: string; rate: number }[] {
    const key = c.mode === "find-max" ? "mstEventsPerSecond" : "consumedEventsPerSecond";
    return c.queries.flatMap((q) =>
        [
            { query: `${q.query} p=${q.parallelism}`, engine: c.a.label, rate: q.figures[key]?.a ?? null },
            { query: `${q.query} p=${q.parallelism}`, engine: c.b.label, rate: q.figures[key]?.b ?? null },
        ].filter((x): x is { query: string; engine: string; rate: number } => x.rate !== null),
    );
}
