// What a study is and where it stands, free of I/O: its points (engine x worker count x query), the
// parameters a resumed study must share with the one it continues, and its one progress line.
import { ENGINES, EngineName } from "../../config/defaults";
import { applyOverrides } from "../../config/overrides";
import { ConfigError, parseClusterConfig, RawConfig } from "../../config/schema";

/** What `npm run study` was asked: the same command resumes the same study. */
export interface StudySpec {
    stack: string;
    engines: EngineName[];
    workers: number[];
    queries: string[];
    /** The capacity search's flags, passed to `npm run bench -- --find-max` as given (e.g. --start-rate 2000). */
    searchArgs: string[];
}

/** One deployment of the study: an engine on the first `workers` workers, and the queries searched on it. */
export interface Deployment {
    engine: EngineName;
    workers: number;
    queries: string[];
}

export const pointId = (engine: string, workers: number, query: string): string => `${engine}-w${workers}-${query}`;

/** The study's deployments in the order they run: each engine over its worker counts, fewest first. */
export function deployments(spec: StudySpec): Deployment[] {
    const workers = [...spec.workers].sort((a, b) => a - b);
    return spec.engines.flatMap((engine) => workers.map((w) => ({ engine, workers: w, queries: [...spec.queries] })));
}

/** The deployments still to run, each with only its unfinished queries (a finished point is never run again). */
export function remaining(spec: StudySpec, finished: ReadonlySet<string>): Deployment[] {
    return deployments(spec)
        .map((d) => ({ ...d, queries: d.queries.filter((q) => !finished.has(pointId(d.engine, d.workers, q))) }))
        .filter((d) => d.queries.length > 0);
}

/** Parses the comma-separated flags; a bad value names its flag and what it takes. */
export function parseStudyLists(flags: { engines: string; workers: string; queries: string }): {
    engines: EngineName[];
    workers: number[];
    queries: string[];
} {
    const list = (s: string) =>
        s
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean);
    const engines = list(flags.engines);
    const badEngine = engines.filter((e) => !(ENGINES as readonly string[]).includes(e));
    if (engines.length === 0 || badEngine.length)
        throw new Error(`--engines ${flags.engines}: give one or more of ${ENGINES.join(", ")}, comma-separated`);
    const workers = list(flags.workers).map(Number);
    if (workers.length === 0 || workers.some((n) => !Number.isInteger(n) || n < 1))
        throw new Error(
            `--workers ${flags.workers}: give worker counts, whole numbers >= 1, comma-separated (e.g. 1,3,9)`,
        );
    const queries = list(flags.queries);
    if (queries.length === 0) throw new Error(`--queries ${flags.queries}: give one or more queries (e.g. q1,q5,q8)`);
    const dup = (xs: unknown[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
    for (const [flag, xs] of [
        ["--engines", engines],
        ["--workers", workers],
        ["--queries", queries],
    ] as const)
        if (dup([...xs]).length) throw new Error(`${flag} names ${String(dup([...xs])[0])} twice`);
    return { engines: engines as EngineName[], workers, queries };
}

/**
 * What would stop a deployment of the study, found before the first one runs: each (engine,
 * worker count) through the one schema, as `npm run deploy -- up --engine E --workers N` would
 * check it (more workers than the stack lists, a TaskManager below Flink's minimum, ...).
 */
export function deploymentProblems(raw: RawConfig, ds: Deployment[]): string[] {
    return ds.flatMap((d) => {
        try {
            parseClusterConfig(applyOverrides(raw, { engine: d.engine, workers: d.workers }));
            return [];
        } catch (err) {
            const why = err instanceof ConfigError ? err.problems.join("; ") : (err as Error).message;
            return [`${d.engine} on ${d.workers} worker${d.workers === 1 ? "" : "s"}: ${why}`];
        }
    });
}

/**
 * Why a study folder cannot take this command: each parameter that differs from the study it
 * holds, with both values. Empty when they agree (the command resumes it).
 */
export function specDifferences(saved: StudySpec, asked: StudySpec): string[] {
    const show = (v: unknown) => (Array.isArray(v) ? v.join(",") || "(none)" : String(v));
    return (Object.keys(saved) as (keyof StudySpec)[])
        .filter((k) => JSON.stringify(saved[k]) !== JSON.stringify(asked[k]))
        .map((k) => `${k}: the study has ${show(saved[k])}, this command ${show(asked[k])}`);
}

/** One line for the whole study: points done, the time left at the pace so far, the point in flight. */
export function progressLine(p: {
    done: number;
    total: number;
    /** Seconds each point took in this session (deployment included), for the estimate. */
    secondsPerPoint: number[];
    inFlight: string | null;
}): string {
    const left = p.total - p.done;
    const mean = p.secondsPerPoint.length
        ? p.secondsPerPoint.reduce((a, b) => a + b, 0) / p.secondsPerPoint.length
        : null;
    const eta = left === 0 ? "done" : mean === null ? "ETA after the first point" : `ETA ${duration(mean * left)}`;
    return `study: ${p.done}/${p.total} points, ${eta}${p.inFlight ? `, now ${p.inFlight}` : ""}`;
}

function duration(seconds: number): string {
    const m = Math.round(seconds / 60);
    return m < 60 ? `${Math.max(1, m)} min` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
