// The pipeline's own ceiling: the query on Arroyo's built-in Nexmark source (sources-nexmark.sql),
// searched the way the MST is, so neither our generator nor Kafka's source path is in the way and
// the workload is the same as the Kafka-fed one. Arroyo's Nexmark source stamps event n at
// base + n / event_rate and only sleeps when it is ahead of that clock
// (crates/arroyo-connectors/src/nexmark/operator.rs): asked for far more than it reaches, its event
// time crawls, windows hardly close and state only grows, which is another workload. So each trial
// asks for the trial's rate and passes when the source kept it (its messages_sent, de-smoothed)
// with the job healthy.
import { Kafka, logLevel } from "kafkajs";
import { ArroyoClient } from "../engines/arroyo/client";
import { countBetween, mergeSnapshots, sourceNodeIds, subtaskSeries } from "../engines/arroyo/metrics";
import { OperatorMetricGroup } from "../engines/arroyo/types";
import { createTopicsAndWait, resultsTopicConfig, retrying } from "../kafka/admin";
import { NexmarkQuery, renderQuery, resultsFilesUrl } from "../queries";
import { arroyoApiUrlOf } from "../engines";
import { ClusterOutputs } from "../../stacks/outputs";
import { findMax } from "./search";
import { PipelineCeiling, SearchResult, Trial } from "./types";

export type { PipelineCeiling };

export interface NexmarkTrial {
    /** event_rate asked of Arroyo's Nexmark source (total over the subtasks). */
    eventRate: number;
    /** Events/s the source sent on over the window, as Arroyo measured them (de-smoothed). */
    sourceRate: number | null;
    /** Records/s written to the results topic over the window. */
    outputRate: number | null;
    /** The highest fill of the source operators' output queues in the window (0..1; Arroyo's backpressure metric); null when not served. */
    sourceBackpressure?: number | null;
    valid: boolean;
    reasons: string[];
}

export interface CeilingOptions {
    outputs: ClusterOutputs;
    query: NexmarkQuery;
    parallelism: number;
    warmupSeconds: number;
    windowSeconds: number;
    checkpointIntervalSeconds: number;
    runTag: string;
    startRate: number;
    resolution: number;
    maxTrials: number;
    /** A trial passes when the source reached its event_rate within this fraction. */
    tolerance: number;
    updatingTtlSeconds: number;
    aborted?: () => boolean;
    log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One trial: the query on Arroyo's Nexmark source at `eventRate`, a warm-up, then a measured window. */
export async function nexmarkTrial(
    opts: Omit<CeilingOptions, "startRate" | "resolution" | "maxTrials" | "tolerance" | "aborted">,
    eventRate: number,
    n: number,
): Promise<NexmarkTrial> {
    const client = new ArroyoClient({
        baseUrl: arroyoApiUrlOf(opts.outputs, "--source nexmark (Arroyo's built-in Nexmark source)"),
    });
    const tag = `${opts.runTag}-nexmark-t${n}`;
    const resultsTopic = `nexmark-results-${tag}-${opts.query.id}`;
    const sql = renderQuery(opts.query, {
        bootstrapServers: opts.outputs.kafkaClusterBootstrapServers,
        resultsTopic,
        resultsFilesUrl: resultsFilesUrl(
            opts.outputs.minioClusterEndpoint,
            opts.outputs.buckets.results,
            tag,
            opts.query.id,
        ),
        updatingTtlSeconds: opts.updatingTtlSeconds,
        source: { kind: "nexmark", eventRate },
    });
    const validation = await client.validateQuery(sql);
    if (validation.errors.length)
        throw new Error(`Arroyo rejected ${opts.query.id} on its Nexmark source: ${validation.errors.join("; ")}`);
    const admin = new Kafka({
        clientId: "arroyo-pi-ceiling",
        brokers: opts.outputs.kafkaBootstrapServers.split(","),
        logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const end = async () =>
        (await retrying(`offsets of ${resultsTopic}`, () => admin.fetchTopicOffsets(resultsTopic))).reduce(
            (s, o) => s + Number(o.high),
            0,
        );
    try {
        await createTopicsAndWait(admin, [resultsTopicConfig(resultsTopic, opts.parallelism)]);
        const pipeline = await client.createPipeline({
            name: `nexmark-${opts.query.id}-${tag}`,
            query: sql,
            parallelism: opts.parallelism,
            checkpointIntervalMicros: Math.round(opts.checkpointIntervalSeconds * 1e6),
        });
        try {
            const job = await client.waitForStableRunning(pipeline, 2_000, 180_000);
            opts.log?.(
                `${opts.query.id}: on Arroyo's Nexmark source at ${eventRate} events/s, parallelism ${opts.parallelism}`,
            );
            const snapshots: OperatorMetricGroup[][] = [];
            const reasons: string[] = [];
            const startMs = Date.now() + opts.warmupSeconds * 1000;
            const endMs = startMs + opts.windowSeconds * 1000;
            let outAt: { start?: [number, number]; end?: [number, number] } = {};
            // Until a metrics collection after the window's end exists (every 2.0-2.2 s).
            while (Date.now() < endMs + 3_000) {
                if (!outAt.start && Date.now() >= startMs) outAt = { start: [Date.now(), await end()] };
                if (!outAt.end && Date.now() >= endMs) outAt.end = [Date.now(), await end()];
                snapshots.push(await client.operatorMetrics(pipeline.id, job.id));
                const j = (await client.jobs(pipeline.id))[0];
                if (j && (j.state !== "Running" || j.run_id !== job.run_id) && reasons.length === 0)
                    reasons.push(
                        `job was ${j.state} (run_id ${job.run_id} -> ${j.run_id})${j.failure_message ? `: ${j.failure_message}` : ""}`,
                    );
                await sleep(1_000);
            }
            snapshots.push(await client.operatorMetrics(pipeline.id, job.id));
            const merged = mergeSnapshots(snapshots);
            const sources = sourceNodeIds(pipeline.graph);
            const covered = subtaskSeries(merged, "messages_sent", sources).every(
                (s) => s.length > 0 && s[0].time <= startMs && s[s.length - 1].time >= endMs,
            );
            const count = covered ? countBetween(merged, sources, "messages_sent", startMs, endMs) : null;
            const o = outAt;
            // backpressure is one output queue's fill, set when that queue gets data (context.rs): the highest in the window.
            const fills = subtaskSeries(merged, "backpressure", sources)
                .flat()
                .filter((p) => p.time >= startMs && p.time <= endMs)
                .map((p) => p.value);
            return {
                eventRate,
                sourceBackpressure: fills.length ? Math.max(...fills) : null,
                sourceRate: count === null ? null : (count * 1000) / (endMs - startMs),
                outputRate:
                    !o.start || !o.end || opts.query.sink === "files"
                        ? null
                        : ((o.end[1] - o.start[1]) * 1000) / Math.max(1, o.end[0] - o.start[0]),
                valid: reasons.length === 0,
                reasons,
            };
        } finally {
            await client.stopPipeline(pipeline.id, "immediate").catch(() => undefined);
            await client.waitForJobState(pipeline, ["Stopped", "Finished", "Failed"], 60_000).catch(() => undefined);
            await client.deletePipeline(pipeline.id).catch(() => undefined);
        }
    } finally {
        await admin.deleteTopics({ topics: [resultsTopic] }).catch(() => undefined);
        await admin.disconnect();
    }
}

/** Below this queue fill nothing downstream held the source back. */
export const SOURCE_BOUND_BACKPRESSURE = 0.05;

/** Judges a Nexmark-source trial: the source kept its event_rate within the tolerance, the job stayed healthy. */
export function judgeNexmarkTrial(t: NexmarkTrial, tolerance: number, seconds = 0): Trial {
    const base = {
        rate: t.eventRate,
        inputRate: t.sourceRate,
        consumedRate: t.sourceRate,
        lagTrend: null,
        achievedRate: t.sourceRate ?? 0,
        p99Ms: null,
        generatorBound: false,
        seconds,
        outputRate: t.outputRate,
    };
    if (!t.valid) return { ...base, pass: false, why: `invalid: ${t.reasons.join("; ")}` };
    if (t.sourceRate === null) return { ...base, pass: false, why: "Arroyo's metrics did not cover the window" };
    const short = 1 - t.sourceRate / t.eventRate;
    // Short with nothing pushing back: the generator inside the source subtasks (on the workers'
    // CPUs, nexmark/operator.rs) is the limit, not the pipeline behind it, so the search ends there
    // as a Kafka-fed one ends at a generator-bound trial.
    if (
        short > tolerance &&
        t.sourceBackpressure !== undefined &&
        t.sourceBackpressure !== null &&
        t.sourceBackpressure < SOURCE_BOUND_BACKPRESSURE
    ) {
        return {
            ...base,
            pass: false,
            generatorBound: true,
            why: `source-bound: Arroyo's Nexmark source reached ${Math.round(t.sourceRate)} of ${t.eventRate} events/s (${(short * 100).toFixed(1)}% short) while its output queues were at most ${(t.sourceBackpressure * 100).toFixed(0)}% full`,
        };
    }
    if (short > tolerance)
        return {
            ...base,
            pass: false,
            why: `the source reached ${Math.round(t.sourceRate)} of ${t.eventRate} events/s (${(short * 100).toFixed(1)}% short)${t.sourceBackpressure ? `, its output queues up to ${(t.sourceBackpressure * 100).toFixed(0)}% full` : ""}`,
        };
    return { ...base, pass: true, why: "kept its rate" };
}

/** Searches the highest event_rate the pipeline keeps on Arroyo's Nexmark source. */
export async function searchPipelineCeiling(opts: CeilingOptions): Promise<PipelineCeiling> {
    let n = 0;
    const search = await findMax({
        startRate: opts.startRate,
        resolution: opts.resolution,
        maxTrials: opts.maxTrials,
        ...(opts.aborted ? { aborted: opts.aborted } : {}),
        trial: async (rate) => {
            const started = Date.now();
            const t = await nexmarkTrial(opts, rate, ++n);
            const judged = judgeNexmarkTrial(t, opts.tolerance, (Date.now() - started) / 1000);
            opts.log?.(
                `${opts.query.id} p=${opts.parallelism} on Arroyo's Nexmark source: ${rate} events/s -> ${judged.pass ? "pass" : "FAIL"} (${judged.why})`,
            );
            return judged;
        },
    });
    const best = search.trials.filter((t) => t.pass).sort((a, b) => b.rate - a.rate)[0];
    return {
        rate: best?.rate ?? null,
        sourceRate: best?.inputRate ?? null,
        outputRate: best?.outputRate ?? null,
        search,
    };
}

/** Which part of the path limits the query, from the Kafka-fed search and the pipeline's own ceiling (both searched the same way). */
export function bottleneck(search: SearchResult, ceiling: PipelineCeiling): string {
    const own = ceiling.rate;
    if (own === null) return `unknown: no trial on Arroyo's Nexmark source kept its rate (${ceiling.search.note})`;
    const fed = search.mst?.rate;
    if (ceiling.search.end === "generator-bound")
        return `unknown: Arroyo's own Nexmark generator (in the source subtasks, on the workers' CPUs) could not go faster than ${own} events/s with nothing pushing back, so the pipeline's ceiling was not reached; the Kafka-fed MST is ${fed ?? "?"} events/s`;
    if (search.end === "generator-bound")
        return `the load path: the generator capped the Kafka-fed search at ${fed ?? "?"} events/s, while Arroyo's pipeline alone kept ${own} events/s on its own source`;
    if (fed === undefined) return `unknown: no Kafka-fed trial passed; Arroyo's pipeline alone kept ${own} events/s`;
    if (own > fed * 1.1)
        return `the Kafka path (generator, broker, Kafka source): Arroyo's pipeline alone kept ${own} events/s, ${(own / fed).toFixed(2)}x the Kafka-fed MST of ${fed}`;
    return `Arroyo's pipeline itself: on its own source it kept ${own} events/s, about the Kafka-fed MST of ${fed} events/s (${(own / fed).toFixed(2)}x)`;
}
