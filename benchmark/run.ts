// One benchmark run: per query, pipeline up, load, measure, pipeline down. Progress is measured
// on Kafka (benchmark/kafka/progress.ts), Arroyo's own metrics are read beside it
// (benchmark/arroyo/metrics.ts), latency from a sample of the output (benchmark/metrics).
import { Admin, Kafka, logLevel } from "kafkajs";
import { ArroyoClient } from "./arroyo/client";
import { COLLECTION_RATE_MS, mergeSnapshots } from "./arroyo/metrics";
import { OperatorMetricGroup, Pipeline } from "./arroyo/types";
import { createTopicsAndWait } from "./kafka/admin";
import { OffsetCommitter } from "./kafka/commitOffsets";
import { CheckpointTime, KafkaProgressSampler, ProgressPoint, seedGroups, SourceGroup, toPoint } from "./kafka/progress";
import { sampleHosts, HostSample, DockerRunner } from "./metrics/hosts";
import { sampleThermal, ThermalRunner, ThermalSample, thermalFigures } from "./metrics/thermal";
import { arroyoFigures, checkpointFigures, hostFigures, judgeValidity, kafkaFigures, loadFigures } from "./figures";
import { LatencySampler } from "./metrics/latencySampler";
import { produceNexmark } from "./producer";
import { Compression } from "./producer/job";
import { NexmarkQuery, renderQuery, resultsFilesUrl } from "./queries";
import { LoadClient } from "./producer/loadClient";
import { JobSample, QueryFigures, QueryRun } from "./report/types";
import { ClusterOutputs } from "../stacks/outputs";

export interface BenchmarkOptions {
    outputs: ClusterOutputs;
    /** The Kafka client that carries the load (resolved once by the CLI); the default (auto) when absent. */
    loadClient?: LoadClient;
    queries: NexmarkQuery[];
    eventsPerSecond: number;
    totalEvents: number;
    /** Events sent before the measured window opens. */
    warmupEvents: number;
    /** Length of the measured window, seconds; by default it lasts until the load ends. */
    durationSeconds?: number;
    parallelism: number;
    /** Checkpoint interval of the pipelines: Arroyo commits progress to Kafka at each checkpoint. */
    checkpointIntervalSeconds: number;
    seed: number;
    threads?: number;
    compression?: Compression;
    /** Tag in result topic, group and pipeline names, unique per run. */
    runTag: string;
    /** Kafka offsets and the job's state are sampled this often. */
    sampleIntervalMs?: number;
    /** Arroyo's metrics and the hosts' CPU and memory are sampled this often. */
    metricsIntervalMs?: number;
    /** A lag trend above this fraction of the input rate is not sustainable. */
    lagThreshold?: number;
    jobTimeoutMs?: number;
    /** `SET updating_ttl` for the queries, seconds (default: updatingTtlSeconds of the run's length). */
    updatingTtlSeconds?: number;
    /** Most time after the load for the query to catch up (it ends as soon as the lag is 0). */
    drainMs?: number;
    /** Sample CPU and memory from the hosts' Docker engines. */
    hostMetrics?: boolean | DockerRunner;
    /** Sample each host's throttle flags, temperature and clock at the metrics interval (default: when hostMetrics is on). */
    thermal?: boolean | ThermalRunner;
    /** A query during which a host was throttled stays valid (otherwise it is invalid). */
    allowThrottled?: boolean;
    keepResultsTopics?: boolean;
    log?: (line: string) => void;
    onProgress?: (query: string, acked: number, total: number) => void;
}

export const DEFAULT_LAG_THRESHOLD = 0.01;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function resultsTopicOf(runTag: string, queryId: string): string {
    return `nexmark-results-${runTag}-${queryId}`;
}

/** The consumer group of one source table of one query in one run. */
export function groupOf(runTag: string, queryId: string, table: string): string {
    return `arroyo-pi-${runTag}-${queryId}-${table}`;
}

function renderFor(outputs: ClusterOutputs, runTag: string, q: NexmarkQuery, ttlSeconds: number): string {
    return renderQuery(q, {
        updatingTtlSeconds: ttlSeconds,
        bootstrapServers: outputs.kafkaClusterBootstrapServers,
        resultsTopic: resultsTopicOf(runTag, q.id),
        resultsFilesUrl: resultsFilesUrl(outputs.minioClusterEndpoint, outputs.buckets.results, runTag, q.id),
        source: {
            kind: "kafka",
            topics: outputs.topics,
            groups: { person: groupOf(runTag, q.id, "person"), auction: groupOf(runTag, q.id, "auction"), bid: groupOf(runTag, q.id, "bid") },
        },
    });
}

/** Validates every query with Arroyo before any load is sent; throws with Arroyo's messages. */
export async function validateQueries(client: ArroyoClient, opts: Pick<BenchmarkOptions, "queries" | "outputs" | "runTag" | "totalEvents" | "eventsPerSecond" | "updatingTtlSeconds">): Promise<Map<string, string>> {
    const rendered = new Map<string, string>();
    const problems: string[] = [];
    const ttl = opts.updatingTtlSeconds ?? updatingTtlSeconds(opts.totalEvents / opts.eventsPerSecond);
    for (const q of opts.queries) {
        const sql = renderFor(opts.outputs, opts.runTag, q, ttl);
        const result = await client.validateQuery(sql);
        if (result.errors.length > 0) problems.push(`${q.id}: ${result.errors.join("; ")}`);
        rendered.set(q.id, sql);
    }
    if (problems.length > 0) throw new Error(`Arroyo rejected ${problems.length === 1 ? "a query" : "queries"}; nothing was run:\n  ${problems.join("\n  ")}`);
    return rendered;
}

/** Runs each query in turn: pipeline up, load, measure, pipeline down. */
export async function runBenchmark(opts: BenchmarkOptions): Promise<QueryRun[]> {
    const log = opts.log ?? (() => undefined);
    const client = new ArroyoClient({ baseUrl: opts.outputs.arroyoApiUrl });
    await client.ping();
    const removed = await client.removeAllPipelines();
    if (removed.length > 0) log(`stopped and deleted ${removed.length} earlier pipeline(s): ${removed.join(", ")}`);
    const rendered = await validateQueries(client, opts);

    const kafka = new Kafka({ clientId: "arroyo-pi-bench", brokers: opts.outputs.kafkaBootstrapServers.split(","), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const committer = new OffsetCommitter(kafka);
    const runs: QueryRun[] = [];
    try {
        for (const q of opts.queries) runs.push(await runQuery(opts, q, rendered.get(q.id) as string, client, admin, committer, log));
    } finally {
        await committer.disconnect();
        await admin.disconnect();
    }
    return runs;
}

/**
 * How long updating joins and aggregates keep state in a run (`SET updating_ttl`): Arroyo's
 * default is 24 h (arroyo-planner/src/lib.rs PlanningOptions), which on a Pi keeps every bid of
 * q4 or q20 for the whole run. The run's load spans `runSeconds`; state younger than that plus a
 * margin for start-up and the drain changes no result inside the run.
 */
export function updatingTtlSeconds(runSeconds: number): number {
    return Math.ceil(runSeconds) + 300;
}

/** The job must stay Running on one run_id this long before the load starts (a crash loop passes through Running). */
function stableRunningMs(checkpointMs: number): number {
    return Math.min(10_000, Math.max(2_000, checkpointMs));
}

interface QuerySamples {
    produced: { time: number; acked: number }[];
    progress: ProgressPoint[];
    jobs: JobSample[];
    snapshots: OperatorMetricGroup[][];
    checkpoints: Map<number, CheckpointTime>;
    hosts: HostSample[];
    thermal: ThermalSample[];
    errors: Set<string>;
}

async function runQuery(opts: BenchmarkOptions, q: NexmarkQuery, sql: string, client: ArroyoClient, admin: Admin, committer: OffsetCommitter, log: (line: string) => void): Promise<QueryRun> {
    const resultsTopic = resultsTopicOf(opts.runTag, q.id);
    const pipelineName = `nexmark-${q.id}-${opts.runTag}`;
    const sampleIntervalMs = opts.sampleIntervalMs ?? 1_000;
    const metricsIntervalMs = opts.metricsIntervalMs ?? 10_000;
    const checkpointMs = opts.checkpointIntervalSeconds * 1000;
    const lagThreshold = opts.lagThreshold ?? DEFAULT_LAG_THRESHOLD;
    const groups: SourceGroup[] = q.reads.map((table) => ({ table, topic: opts.outputs.topics[table], groupId: groupOf(opts.runTag, q.id, table) }));

    // Prepare: the results topic and the consumer groups at the topics' current end.
    await createTopicsAndWait(admin, [{ topic: resultsTopic, numPartitions: opts.parallelism }]);
    let start: Map<string, number[]>;
    try {
        start = await seedGroups(admin, committer, groups);
    } catch (err) {
        await admin.deleteTopics({ topics: [resultsTopic] }).catch(() => undefined);
        throw err;
    }
    log(`${q.id}: starting pipeline ${pipelineName} with parallelism ${opts.parallelism}, checkpoints every ${opts.checkpointIntervalSeconds} s`);
    const pipeline: Pipeline = await client.createPipeline({ name: pipelineName, query: sql, parallelism: opts.parallelism, checkpointIntervalMicros: Math.round(checkpointMs * 1000) });
    const latencyFrom = q.latencyColumn ? ({ kind: "event-time", column: q.latencyColumn } as const) : q.latencyWindowEnd ? ({ kind: "window-end" } as const) : undefined;
    const latency = latencyFrom ? new LatencySampler(opts.outputs.kafkaBootstrapServers, resultsTopic, latencyFrom, `arroyo-pi-${opts.runTag}-${q.id}-latency`) : undefined;
    const sampler = new KafkaProgressSampler(admin, groups, resultsTopic);
    const samples: QuerySamples = { produced: [], progress: [], jobs: [], snapshots: [], checkpoints: new Map(), hosts: [], thermal: [], errors: new Set() };
    const thermal = opts.thermal ?? opts.hostMetrics !== false;
    const timers: NodeJS.Timeout[] = [];
    try {
        const job = await client.waitForStableRunning(pipeline, stableRunningMs(checkpointMs), opts.jobTimeoutMs ?? 180_000);
        await latency?.start();

        // Sample: Kafka offsets, the job's state and its checkpoint list together; metrics and hosts less often.
        let sampling: Promise<void> | undefined;
        const sampleOnce = async () => {
            try {
                const [s, js, cps] = await Promise.all([sampler.sample(), client.jobs(pipeline.id), client.checkpoints(pipeline.id, job.id).catch(() => [])]);
                samples.progress.push(toPoint(s, start));
                const j = js.find((x) => x.id === job.id) ?? js[0];
                samples.jobs.push({ time: s.time, state: j?.state ?? null, runId: j?.run_id ?? null, failure: j?.failure_message ?? null });
                // Arroyo lists only recent checkpoints (older ones are compacted away): keep every one seen.
                for (const c of cps) samples.checkpoints.set(c.epoch, { epoch: c.epoch, startMs: c.start_time / 1000, finishMs: c.finish_time === null ? null : c.finish_time / 1000 });
            } catch (err) {
                samples.errors.add(`progress sample: ${(err as Error).message}`);
            }
        };
        // One sample at a time; the marker is cleared in a later tick, never before it is set.
        const takeProgress = () => (sampling ??= sampleOnce().finally(() => (sampling = undefined)));
        const takeMetrics = async () => {
            try {
                samples.snapshots.push(await client.operatorMetrics(pipeline.id, job.id));
                await Promise.all([
                    opts.hostMetrics !== false ? sampleHosts(opts.outputs, typeof opts.hostMetrics === "function" ? opts.hostMetrics : undefined).then((h) => samples.hosts.push(...h)) : undefined,
                    thermal ? sampleThermal(opts.outputs, typeof thermal === "function" ? thermal : undefined).then((t) => samples.thermal.push(...t)) : undefined,
                ]);
            } catch (err) {
                samples.errors.add(`metrics sample: ${(err as Error).message}`);
            }
        };
        await takeProgress();
        timers.push(setInterval(() => void takeProgress(), sampleIntervalMs));
        timers.push(setInterval(() => void takeMetrics(), metricsIntervalMs));

        // Load: exactly totalEvents on one schedule; the window is set on that schedule.
        let window = { startMs: 0, endMs: 0 };
        log(`${q.id}: sending ${opts.totalEvents} events at ${opts.eventsPerSecond}/s (${opts.warmupEvents} of them warm-up)`);
        const produce = await produceNexmark({
            bootstrapServers: opts.outputs.kafkaBootstrapServers,
            topics: opts.outputs.topics,
            totalEvents: opts.totalEvents,
            eventsPerSecond: opts.eventsPerSecond,
            seed: opts.seed,
            ...(opts.threads ? { threads: opts.threads } : {}),
            ...(opts.compression ? { compression: opts.compression } : {}),
            ...(opts.loadClient ? { client: opts.loadClient } : {}),
            onStart: (t0) => {
                // Event n is due (and stamped) at t0 + n / rate.
                const startMs = t0 + (opts.warmupEvents * 1000) / opts.eventsPerSecond;
                const scheduledEnd = t0 + (opts.totalEvents * 1000) / opts.eventsPerSecond;
                window = { startMs, endMs: opts.durationSeconds ? Math.min(scheduledEnd, startMs + opts.durationSeconds * 1000) : scheduledEnd };
                latency?.setWindow(window.startMs, window.endMs);
            },
            onProgress: (acked) => {
                samples.produced.push({ time: Date.now(), acked });
                opts.onProgress?.(q.id, acked, opts.totalEvents);
            },
        });
        const loadEndMs = produce.startEpochMs + produce.durationMs;
        // A sample at or after the window's end is needed before the drain may stop.
        while (Date.now() < window.endMs + sampleIntervalMs) await sleep(sampleIntervalMs / 4);

        // Drain: until the lag is 0 after the load, or three checkpoints of the cadence measured so
        // far (Arroyo's checkpoints come every interval + their duration, slower under backpressure).
        const drainUntil = Date.now() + (opts.drainMs ?? Math.max(3 * measuredCadenceMs([...samples.checkpoints.values()], checkpointMs), 10_000));
        while (Date.now() < drainUntil) {
            await takeProgress();
            const last = samples.progress[samples.progress.length - 1];
            if (last && last.time > loadEndMs && last.lag <= 0) break;
            await sleep(sampleIntervalMs);
        }
        // Arroyo's metrics need a collection after the window's end (every 2.0-2.2 s) to cover it.
        while (Date.now() < window.endMs + COLLECTION_RATE_MS + 1_000) await sleep(100);
        timers.forEach(clearInterval);
        await takeProgress();
        await takeMetrics();
        const drainEndMs = Date.now();

        // Figures: a pure function of the samples (figures.ts).
        const checkpoints = [...samples.checkpoints.values()].sort((a, b) => a.epoch - b.epoch);
        const load = loadFigures({ produced: samples.produced, startEpochMs: produce.startEpochMs, eventsPerSecond: opts.eventsPerSecond, totalEvents: opts.totalEvents, maxScheduleDelayMs: produce.maxScheduleDelayMs, windowed: q.latencyWindowEnd === true }, window);
        const kafka = kafkaFigures({ progress: samples.progress, checkpoints, window, lagThreshold, kafkaSink: q.sink === "kafka" }, load);
        const arroyo = arroyoFigures(mergeSnapshots(samples.snapshots), pipeline.graph, window, kafka.consumedInWindow);
        const host = hostFigures(opts.outputs.hosts.map((h) => h.name), samples.hosts, window);
        const ackedAt = (t: number) => [...samples.produced].reverse().find((p) => p.time <= t)?.acked ?? 0;
        const seconds = Math.max(0.001, (window.endMs - window.startMs) / 1000);
        const figures: QueryFigures = {
            producedRate: (ackedAt(window.endMs) - ackedAt(window.startMs)) / seconds,
            kafka,
            arroyo: arroyo.figures,
            checkpoints: checkpointFigures(checkpoints, samples.progress, window, opts.checkpointIntervalSeconds),
            load,
            latencyMs: latency ? latency.histogram.summary() : null,
            latencyFrom: latencyFrom?.kind ?? null,
            latencySample: latency ? { read: latency.read, outsideWindow: latency.outsideWindow, unparsable: latency.unparsable } : null,
            ...(latency ? {} : { latencyNote: q.sink === "files" ? "the output is files in MinIO, not records in Kafka" : "the output carries neither the input's time nor a tumbling or sliding window's end" }),
            hosts: host.hosts,
            thermal: thermal ? thermalFigures(samples.thermal, window, metricsIntervalMs) : null,
            arroyoCores: host.arroyoCores,
            eventsPerSecondPerCore: host.arroyoCores && kafka.consumedRate !== null ? kafka.consumedRate / host.arroyoCores : null,
        };
        let validity = judgeValidity(samples.jobs, job.run_id, window.startMs, drainEndMs);
        if (!validity.valid) validity = judgeValidity(samples.jobs, job.run_id, window.startMs, drainEndMs, await client.firstJobError(pipeline.id, job.id).catch(() => undefined));
        // A throttled host measured its own lowered clock, not the engine (--allow-throttled keeps the query valid).
        if (figures.thermal?.limited && !opts.allowThrottled) validity = { valid: false, reasons: [...validity.reasons, `hardware throttled: ${figures.thermal.note}`] };
        for (const e of samples.errors) log(`${q.id}: ${e}`);
        if (latency && latency.unparsable > 0) log(`${q.id}: ${latency.unparsable} output records had no readable '${q.latencyColumn}'`);
        if (kafka.verdict === "inconclusive") log(`${q.id}: verdict inconclusive: ${kafka.verdictReason}`);
        if (load.lateRowsRisk) log(`${q.id}: ${load.lateRowsRisk}`);
        if (!validity.valid) log(`${q.id}: INVALID: ${validity.reasons.join("; ")}`);

        return {
            id: q.id,
            title: q.title,
            pipelineName,
            pipelineId: pipeline.id,
            jobId: job.id,
            parallelism: opts.parallelism,
            checkpointIntervalSeconds: opts.checkpointIntervalSeconds,
            updatingTtlSeconds: opts.updatingTtlSeconds ?? updatingTtlSeconds(opts.totalEvents / opts.eventsPerSecond),
            resultsTopic,
            consumerGroups: Object.fromEntries(groups.map((g) => [g.table, g.groupId])),
            window,
            loadEndMs,
            produce,
            figures,
            validity,
            samples: { produced: samples.produced, progress: samples.progress, ...arroyo.series, checkpoints, jobs: samples.jobs, hosts: samples.hosts, thermal: samples.thermal },
        };
    } finally {
        // Tear down: pipeline, results topic, groups.
        timers.forEach(clearInterval);
        await latency?.stop();
        await client.stopPipeline(pipeline.id, "immediate").catch(() => undefined);
        await client.waitForJobState(pipeline, ["Stopped", "Finished", "Failed"], 60_000).catch(() => undefined);
        await client.deletePipeline(pipeline.id).catch((err: Error) => log(`${q.id}: could not delete pipeline ${pipeline.id}: ${err.message}`));
        if (!opts.keepResultsTopics) await admin.deleteTopics({ topics: [resultsTopic] }).catch(() => undefined);
        await admin.deleteGroups([...groups.map((g) => g.groupId), ...(latency ? [`arroyo-pi-${opts.runTag}-${q.id}-latency`] : [])]).catch(() => undefined);
        log(`${q.id}: pipeline stopped and deleted`);
    }
}

/** Mean start-to-start time of the checkpoints seen, or the interval asked for when fewer than two were seen. */
export function measuredCadenceMs(checkpoints: CheckpointTime[], intervalMs: number): number {
    const starts = checkpoints.map((c) => c.startMs).sort((a, b) => a - b);
    if (starts.length < 2) return intervalMs;
    return Math.max(intervalMs, (starts[starts.length - 1] - starts[0]) / (starts.length - 1));
}
