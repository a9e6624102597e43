// One benchmark run: per query, pipeline up, load, measure, pipeline down. Progress is measured
// on Kafka (benchmark/kafka/progress.ts), Arroyo's own metrics are read beside it
// (benchmark/arroyo/metrics.ts), latency from a sample of the output (benchmark/metrics).
import { Admin, Kafka, logLevel } from "kafkajs";
import { ArroyoClient } from "./arroyo/client";
import { integrate, maxSeries, meanIn, mergeSnapshots, sinkNodeIds, sourceNodeIds, summedRate } from "./arroyo/metrics";
import { OperatorMetricGroup, Pipeline } from "./arroyo/types";
import { createTopicsAndWait } from "./kafka/admin";
import { OffsetCommitter } from "./kafka/commitOffsets";
import { KafkaProgressSampler, ProgressPoint, seedGroups, SourceGroup, toPoint, windowProgress } from "./kafka/progress";
import { sampleHosts, HostSample, DockerRunner } from "./metrics/hosts";
import { LatencySampler } from "./metrics/latencySampler";
import { produceNexmark } from "./producer";
import { Compression } from "./producer/job";
import { NexmarkQuery, renderQuery, resultsFilesUrl } from "./queries";
import { LoadClient } from "./producer/loadClient";
import { JobSample, QueryFigures, QueryRun, Validity } from "./report/types";
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
    /** Most time after the load for the query to catch up (it ends as soon as the lag is 0). */
    drainMs?: number;
    /** Sample CPU and memory from the hosts' Docker engines. */
    hostMetrics?: boolean | DockerRunner;
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

function renderFor(outputs: ClusterOutputs, runTag: string, q: NexmarkQuery): string {
    return renderQuery(q, {
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
export async function validateQueries(client: ArroyoClient, opts: Pick<BenchmarkOptions, "queries" | "outputs" | "runTag">): Promise<Map<string, string>> {
    const rendered = new Map<string, string>();
    const problems: string[] = [];
    for (const q of opts.queries) {
        const sql = renderFor(opts.outputs, opts.runTag, q);
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

/** Restarts, recoveries and failures inside [fromMs, toMs], from the job samples. */
export function judgeValidity(jobs: JobSample[], initialRunId: number, fromMs: number, toMs: number): Validity {
    const reasons: string[] = [];
    const at = (t: number) => `${((t - fromMs) / 1000).toFixed(1)} s into the window`;
    const inside = jobs.filter((j) => j.time >= fromMs && j.time <= toMs);
    const notRunning = inside.find((j) => j.state !== "Running");
    // A job passes through Failing before Failed; Arroyo's message may show only on a later sample.
    const failure = notRunning ? jobs.find((j) => j.time >= notRunning.time && j.failure)?.failure : undefined;
    if (notRunning) reasons.push(`job was ${notRunning.state ?? "gone"} ${at(notRunning.time)}${failure ? `: ${failure}` : ""}`);
    const restarted = inside.find((j) => j.runId !== null && j.runId !== initialRunId);
    if (restarted) reasons.push(`job restarted (run_id ${initialRunId} -> ${restarted.runId}) ${at(restarted.time)}`);
    return { valid: reasons.length === 0, reasons };
}

async function runQuery(opts: BenchmarkOptions, q: NexmarkQuery, sql: string, client: ArroyoClient, admin: Admin, committer: OffsetCommitter, log: (line: string) => void): Promise<QueryRun> {
    const resultsTopic = resultsTopicOf(opts.runTag, q.id);
    const pipelineName = `nexmark-${q.id}-${opts.runTag}`;
    const sampleIntervalMs = opts.sampleIntervalMs ?? 1_000;
    const metricsIntervalMs = opts.metricsIntervalMs ?? 10_000;
    const checkpointMs = opts.checkpointIntervalSeconds * 1000;
    const groups: SourceGroup[] = q.reads.map((table) => ({ table, topic: opts.outputs.topics[table], groupId: groupOf(opts.runTag, q.id, table) }));

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
    const progress: ProgressPoint[] = [];
    const jobs: JobSample[] = [];
    const snapshots: OperatorMetricGroup[][] = [];
    const hostSamples: HostSample[] = [];
    const timers: NodeJS.Timeout[] = [];
    const errors = new Set<string>();
    try {
        const job = await client.waitForJobState(pipeline, ["Running"], opts.jobTimeoutMs ?? 180_000);
        await latency?.start();

        let sampling: Promise<void> | undefined;
        const sampleOnce = async () => {
            try {
                const [s, js] = await Promise.all([sampler.sample(), client.jobs(pipeline.id)]);
                progress.push(toPoint(s, start));
                const j = js.find((x) => x.id === job.id) ?? js[0];
                jobs.push({ time: s.time, state: j?.state ?? null, runId: j?.run_id ?? null, failure: j?.failure_message ?? null });
            } catch (err) {
                errors.add(`progress sample: ${(err as Error).message}`);
            }
        };
        // One sample at a time; the marker is cleared in a later tick, never before it is set.
        const takeProgress = () => (sampling ??= sampleOnce().finally(() => (sampling = undefined)));
        const takeMetrics = async () => {
            try {
                snapshots.push(await client.operatorMetrics(pipeline.id, job.id));
                if (opts.hostMetrics !== false) hostSamples.push(...(await sampleHosts(opts.outputs, typeof opts.hostMetrics === "function" ? opts.hostMetrics : undefined)));
            } catch (err) {
                errors.add(`metrics sample: ${(err as Error).message}`);
            }
        };
        await takeProgress();
        timers.push(setInterval(() => void takeProgress(), sampleIntervalMs));
        timers.push(setInterval(() => void takeMetrics(), metricsIntervalMs));

        const produced: { time: number; acked: number }[] = [];
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
                // The window is set on the load's schedule: event n is due (and stamped) at t0 + n / rate.
                const startMs = t0 + (opts.warmupEvents * 1000) / opts.eventsPerSecond;
                const scheduledEnd = t0 + (opts.totalEvents * 1000) / opts.eventsPerSecond;
                window = { startMs, endMs: opts.durationSeconds ? Math.min(scheduledEnd, startMs + opts.durationSeconds * 1000) : scheduledEnd };
                latency?.setWindow(window.startMs, window.endMs);
            },
            onProgress: (acked) => {
                produced.push({ time: Date.now(), acked });
                opts.onProgress?.(q.id, acked, opts.totalEvents);
            },
        });
        const loadEndMs = produce.startEpochMs + produce.durationMs;
        // A sample at or after the window's end is needed before the drain may stop.
        while (Date.now() < window.endMs + sampleIntervalMs) await sleep(sampleIntervalMs / 4);

        // Let the query catch up: until its lag is 0 at a commit, or the drain time is over.
        const drainUntil = Date.now() + (opts.drainMs ?? Math.max(3 * checkpointMs, 10_000));
        while (Date.now() < drainUntil) {
            await takeProgress();
            const last = progress[progress.length - 1];
            if (last && last.time > loadEndMs && last.lag <= 0) break;
            await sleep(sampleIntervalMs);
        }
        timers.forEach(clearInterval);
        await takeProgress();
        await takeMetrics();
        const drainEndMs = Date.now();

        const kafkaWindow = windowProgress(progress, window.startMs, window.endMs);
        const merged = mergeSnapshots(snapshots);
        const arroyoSource = summedRate(merged, sourceNodeIds(pipeline.graph), "messages_sent");
        const arroyoSink = summedRate(merged, sinkNodeIds(pipeline.graph), "messages_recv");
        const backpressure = maxSeries(merged, "backpressure");
        const bpIn = backpressure.filter((p) => p.time >= window.startMs && p.time <= window.endMs);
        const arroyoConsumed = kafkaWindow.consumed && arroyoSource.length ? integrate(arroyoSource, kafkaWindow.consumed.fromMs, kafkaWindow.consumed.toMs) : null;
        const limit = kafkaWindow.inputRate === null ? null : (opts.lagThreshold ?? DEFAULT_LAG_THRESHOLD) * kafkaWindow.inputRate;
        const last = progress[progress.length - 1];

        const windowHosts = hostSamples.filter((h) => h.time >= window.startMs && h.time <= window.endMs);
        const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
        const hosts = opts.outputs.hosts.map((h) => {
            const mine = windowHosts.filter((s) => s.host === h.name);
            return { host: h.name, cpuCores: mean(mine.map((s) => s.cpuCores)), memoryBytesMean: mean(mine.map((s) => s.memoryBytes)), memoryBytesMax: Math.max(0, ...mine.map((s) => s.memoryBytes)) };
        });
        const arroyoCoreSamples = new Map<number, number>();
        for (const s of windowHosts) {
            for (const c of s.containers) if (/arroyo-(controller|node)/.test(c.container)) arroyoCoreSamples.set(s.time, (arroyoCoreSamples.get(s.time) ?? 0) + c.cpuCores);
        }
        const arroyoCores = arroyoCoreSamples.size ? mean([...arroyoCoreSamples.values()]) : null;
        const ackedAt = (t: number) => [...produced].reverse().find((p) => p.time <= t)?.acked ?? 0;
        const seconds = Math.max(0.001, (window.endMs - window.startMs) / 1000);

        const figures: QueryFigures = {
            producedRate: (ackedAt(window.endMs) - ackedAt(window.startMs)) / seconds,
            kafka: {
                inputRate: kafkaWindow.inputRate,
                consumedRate: kafkaWindow.consumedRate,
                consumedInWindow: kafkaWindow.consumed,
                lagTrend: kafkaWindow.lagTrend,
                lagTrendBasis: kafkaWindow.lagTrendBasis,
                lagTrendLimit: limit,
                sustainable: kafkaWindow.lagTrend === null || limit === null ? null : kafkaWindow.lagTrend <= limit,
                lagAtEnd: last ? last.lag : null,
                // A query writing files to MinIO (q10) leaves the results topic empty: no Kafka figure.
                outputRate: q.sink === "kafka" ? kafkaWindow.outputRate : null,
            },
            arroyo: {
                sourceRate: meanIn(arroyoSource, window.startMs, window.endMs) ?? null,
                sinkRate: meanIn(arroyoSink, window.startMs, window.endMs) ?? null,
                consumedInWindow: arroyoConsumed,
                differenceFromKafka: arroyoConsumed !== null && kafkaWindow.consumed && kafkaWindow.consumed.events > 0 ? (arroyoConsumed - kafkaWindow.consumed.events) / kafkaWindow.consumed.events : null,
                backpressureMax: bpIn.length ? Math.max(...bpIn.map((p) => p.value)) : null,
                backpressureMean: bpIn.length ? mean(bpIn.map((p) => p.value)) : null,
            },
            latencyMs: latency ? latency.histogram.summary() : null,
            latencyFrom: latencyFrom?.kind ?? null,
            latencySample: latency ? { read: latency.read, outsideWindow: latency.outsideWindow, unparsable: latency.unparsable } : null,
            ...(latency ? {} : { latencyNote: q.sink === "files" ? "the output is files in MinIO, not records in Kafka" : "the output carries neither the input's time nor a tumbling or sliding window's end" }),
            hosts,
            arroyoCores,
            eventsPerSecondPerCore: arroyoCores && kafkaWindow.consumedRate !== null ? kafkaWindow.consumedRate / arroyoCores : null,
        };
        const validity = judgeValidity(jobs, job.run_id, window.startMs, drainEndMs);
        for (const e of errors) log(`${q.id}: ${e}`);
        if (latency && latency.unparsable > 0) log(`${q.id}: ${latency.unparsable} output records had no readable '${q.latencyColumn}'`);
        if (!validity.valid) log(`${q.id}: INVALID: ${validity.reasons.join("; ")}`);

        return {
            id: q.id,
            title: q.title,
            pipelineName,
            pipelineId: pipeline.id,
            jobId: job.id,
            parallelism: opts.parallelism,
            checkpointIntervalSeconds: opts.checkpointIntervalSeconds,
            resultsTopic,
            consumerGroups: Object.fromEntries(groups.map((g) => [g.table, g.groupId])),
            window,
            loadEndMs,
            produce,
            figures,
            validity,
            samples: { produced, progress, arroyoSource, arroyoSink, backpressure, jobs, hosts: hostSamples },
        };
    } finally {
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
