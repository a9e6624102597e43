// --find-max: the MST of each query at each parallelism, each trial a fresh pipeline and fresh
// consumer groups (a benchmark run of one query at a fixed rate), judged on Kafka's lag trend.
import * as os from "os";
import { clientRecord, LoadClient, resolveLoadClient } from "../producer/loadClient";
import { BenchmarkOptions, runBenchmark, updatingTtlSeconds } from "../run";
import { NexmarkQuery } from "../queries";
import { NexmarkGenerator } from "../nexmark/generator";
import { produceNexmark } from "../producer";
import { findMax, judgeTrial, TrialRules } from "./search";
import { CapacityResult, LoadSource, Trial } from "./types";

export type { CapacityResult, LoadSource };
import { bottleneck, searchPipelineCeiling } from "./ceiling";

export interface CapacityOptions extends Omit<
    BenchmarkOptions,
    "queries" | "eventsPerSecond" | "totalEvents" | "warmupEvents" | "durationSeconds" | "parallelism" | "runTag"
> {
    queries: NexmarkQuery[];
    parallelisms: number[];
    runTag: string;
    warmupSeconds: number;
    windowSeconds: number;
    startRate: number;
    resolution: number;
    maxTrials: number;
    rules: TrialRules;
    generatorCeiling?: number;
    /** Also search each query's ceiling on Arroyo's Nexmark source: the pipeline's own ceiling. */
    nexmarkSource?: boolean;
    /** A trial on the Nexmark source passes when the source reached its event_rate within this fraction (default: the producer tolerance). */
    nexmarkTolerance?: number;
    aborted?: () => boolean;
    onSearchStart?: (query: string, parallelism: number) => void;
    onTrial?: (
        query: string,
        parallelism: number,
        t: Trial,
        bracket: { pass: number | null; fail: number | null },
    ) => void;
    /** Each finished search, as it ends (so an interrupted run keeps what was measured). */
    onSearchEnd?: (r: CapacityResult) => void;
}

/** Searches every query at every parallelism, in that order. */
export async function findCapacity(opts: CapacityOptions): Promise<CapacityResult[]> {
    const results: CapacityResult[] = [];
    for (const q of opts.queries) {
        for (const p of opts.parallelisms) {
            if (opts.aborted?.()) return withEfficiency(results);
            opts.onSearchStart?.(q.id, p);
            let n = 0;
            const search = await findMax({
                startRate: opts.startRate,
                resolution: opts.resolution,
                maxTrials: opts.maxTrials,
                ...(opts.generatorCeiling !== undefined ? { generatorCeiling: opts.generatorCeiling } : {}),
                ...(opts.aborted ? { aborted: opts.aborted } : {}),
                onTrial: (t, bracket) => opts.onTrial?.(q.id, p, t, bracket),
                trial: async (rate) => {
                    const started = Date.now();
                    const [run] = await runBenchmark({
                        ...opts,
                        queries: [q],
                        parallelism: p,
                        eventsPerSecond: rate,
                        totalEvents: Math.max(1, Math.round(rate * (opts.warmupSeconds + opts.windowSeconds))),
                        warmupEvents: Math.round(rate * opts.warmupSeconds),
                        runTag: `${opts.runTag}-p${p}-t${++n}`,
                    });
                    return judgeTrial(run, opts.rules, (Date.now() - started) / 1000);
                },
            });
            const result: CapacityResult = { query: q.id, title: q.title, parallelism: p, search, efficiency: null };
            if (opts.nexmarkSource && !opts.aborted?.()) {
                result.pipelineCeiling = await searchPipelineCeiling({
                    outputs: opts.outputs,
                    query: q,
                    parallelism: p,
                    warmupSeconds: opts.warmupSeconds,
                    windowSeconds: opts.windowSeconds,
                    checkpointIntervalSeconds: opts.checkpointIntervalSeconds,
                    runTag: `${opts.runTag}-p${p}`,
                    // From the Kafka-fed MST, where the answer usually lies near.
                    startRate: search.mst?.rate ?? opts.startRate,
                    resolution: opts.resolution,
                    maxTrials: opts.maxTrials,
                    tolerance: opts.nexmarkTolerance ?? opts.rules.producerTolerance,
                    updatingTtlSeconds:
                        opts.updatingTtlSeconds ?? updatingTtlSeconds(opts.warmupSeconds + opts.windowSeconds),
                    ...(opts.aborted ? { aborted: opts.aborted } : {}),
                    ...(opts.log ? { log: opts.log } : {}),
                });
                result.bottleneck = bottleneck(search, result.pipelineCeiling);
            }
            results.push(result);
            opts.onSearchEnd?.(result);
        }
    }
    return withEfficiency(results);
}

/** Sets MST(p) / (p x MST(1)) on every result whose query has a p = 1 result. */
export function withEfficiency(results: CapacityResult[]): CapacityResult[] {
    for (const r of results) {
        const one = results.find((x) => x.query === r.query && x.parallelism === 1)?.search.mst?.inputRate;
        const mine = r.search.mst?.inputRate;
        r.efficiency = one && mine ? mine / (r.parallelism * one) : null;
    }
    return results;
}

/** Measures the generator alone and into the stack's broker (the events land on the topics; later groups start past them). */
export async function measureGenerator(opts: {
    bootstrapServers: string;
    topics: { person: string; auction: string; bid: string };
    threads: number;
    events: number;
    client?: LoadClient;
}): Promise<LoadSource> {
    const client = opts.client ?? resolveLoadClient();
    const g = new NexmarkGenerator({ seed: 1, baseTimeMs: Date.now(), eventsPerSecond: 1e6 });
    for (let n = 0; n < 20_000; n++) g.record(n);
    const t0 = process.hrtime.bigint();
    const alone = Math.min(opts.events, 200_000);
    for (let n = 0; n < alone; n++) g.record(n);
    const perThread = alone / (Number(process.hrtime.bigint() - t0) / 1e9);
    const report = await produceNexmark({
        bootstrapServers: opts.bootstrapServers,
        topics: opts.topics,
        totalEvents: opts.events,
        eventsPerSecond: 1e9,
        threads: opts.threads,
        seed: 1,
        client,
    });
    return {
        host: os.hostname(),
        threads: opts.threads,
        aloneEventsPerSecond: perThread * Math.min(opts.threads, os.availableParallelism()),
        intoBrokerEventsPerSecond: report.achievedRate,
        ceiling: "measured",
        ...clientRecord(client),
    };
}
