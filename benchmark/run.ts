// One benchmark run: per query, job up, load, measure, job down, on whichever engine the stack
// runs (engines/). Progress is measured on Kafka (kafka/progress.ts) the same way for every
// engine, the engine's own metrics are read beside it, latency from a sample of the output
// (metrics/); every figure is a pure function of the samples (figures.ts).
import { Admin, Kafka, logLevel } from "kafkajs";
import { EngineJob, StreamEngine } from "./engines/engine";
import { engineFor } from "./engines";
import { createTopicsAndWait, resultsTopicConfig } from "./kafka/admin";
import { OffsetCommitter } from "./kafka/commitOffsets";
import { CheckpointTime, ProgressPoint, SourceGroup, toPoint } from "./kafka/progress";
import { KafkaProgressSampler, seedGroups } from "./kafka/sampler";
import { readTopic } from "./kafka/readTopic";
import { sampleHosts, HostSample, DockerRunner } from "./metrics/hosts";
import { sampleThermal, ThermalRunner, ThermalSample, thermalFigures } from "./metrics/thermal";
import { checkpointFigures, hostFigures, judgeValidity, kafkaFigures, loadFigures } from "./figures";
import { LatencySampler } from "./metrics/latencySampler";
import { produceNexmark, ProduceReport } from "./producer";
import { Compression } from "./producer/job";
import { NexmarkQuery, resultsFilesUrl } from "./queries";
import { LoadClient } from "./producer/loadClient";
import { compareOutputs, expectedOutput, recordedOutput, recordKey, STATELESS } from "./verify";
import { JobSample, QueryFigures, QueryRun } from "./report/types";
import { ClusterOutputs } from "../stacks/outputs";

export interface BenchmarkOptions {
    outputs: ClusterOutputs;
    /** The engine to drive; by default the one the stack runs. */
    engine?: StreamEngine;
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
    /** Checkpoint interval of the jobs: the engines commit their progress to Kafka at checkpoints. */
    checkpointIntervalSeconds: number;
    seed: number;
    threads?: number;
    compression?: Compression;
    /** Tag in result topic, group and pipeline names, unique per run. */
    runTag: string;
    /** Kafka offsets and the job's state are sampled this often. */
    sampleIntervalMs?: number;
    /** The engine's own metrics and the hosts' CPU and memory are sampled this often. */
    metricsIntervalMs?: number;
    /** A lag trend above this fraction of the input rate is not sustainable. */
    lagThreshold?: number;
    jobTimeoutMs?: number;
    /** State TTL of updating joins and aggregates, seconds (default: updatingTtlSeconds of the run's length). */
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
    /**
     * Check each stateless query's output record by record against the events sent (verify.ts);
     * with a fixed baseTimeMs, record every other query's output for `npm run compare`.
     */
    verify?: boolean;
    /**
     * Stamp event n with baseTimeMs + n / rate in every run instead of the load's start: the same
     * events and windows for every engine and run, so stateful outputs compare record by record.
     * Event time is then not the clock, so no latency is measured.
     */
    baseTimeMs?: number;
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

function paramsFor(outputs: ClusterOutputs, runTag: string, q: NexmarkQuery, ttlSeconds: number) {
    return {
        updatingTtlSeconds: ttlSeconds,
        bootstrapServers: outputs.kafkaClusterBootstrapServers,
        resultsTopic: resultsTopicOf(runTag, q.id),
        resultsFilesUrl: resultsFilesUrl(outputs.minioClusterEndpoint, outputs.buckets.results, runTag, q.id),
        source: {
            kind: "kafka" as const,
            topics: outputs.topics,
            groups: {
                person: groupOf(runTag, q.id, "person"),
                auction: groupOf(runTag, q.id, "auction"),
                bid: groupOf(runTag, q.id, "bid"),
            },
        },
    };
}

/** Validates every query with the engine before any load is sent; throws with the engine's messages. */
export async function validateQueries(
    engine: StreamEngine,
    opts: Pick<
        BenchmarkOptions,
        "queries" | "outputs" | "runTag" | "totalEvents" | "eventsPerSecond" | "updatingTtlSeconds"
    >,
): Promise<Map<string, string>> {
    const rendered = new Map<string, string>();
    const problems: string[] = [];
    const ttl = opts.updatingTtlSeconds ?? updatingTtlSeconds(opts.totalEvents / opts.eventsPerSecond);
    for (const q of opts.queries) {
        if (q.engine !== engine.name)
            throw new Error(`${q.id} is written for ${q.engine}, and this run drives ${engine.name}`);
        const sql = engine.render(q, paramsFor(opts.outputs, opts.runTag, q, ttl));
        const errors = await engine.validate(q, sql);
        if (errors.length > 0) problems.push(`${q.id}: ${errors.join("; ")}`);
        rendered.set(q.id, sql);
    }
    if (problems.length > 0)
        throw new Error(
            `${engine.profile.label} rejected ${problems.length === 1 ? "a query" : "queries"}; nothing was run:\n  ${problems.join("\n  ")}`,
        );
    return rendered;
}

/** Runs each query in turn: job up, load, measure, job down. */
export async function runBenchmark(opts: BenchmarkOptions): Promise<QueryRun[]> {
    const log = opts.log ?? (() => undefined);
    const engine = opts.engine ?? engineFor(opts.outputs);
    await engine.ping();
    const removed = await engine.removeEarlierJobs();
    if (removed.length > 0) log(`stopped and deleted ${removed.length} earlier job(s): ${removed.join(", ")}`);
    const rendered = await validateQueries(engine, opts);

    const kafka = new Kafka({
        clientId: "arroyo-pi-bench",
        brokers: opts.outputs.kafkaBootstrapServers.split(","),
        logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const committer = new OffsetCommitter(kafka);
    const runs: QueryRun[] = [];
    try {
        for (const q of opts.queries)
            runs.push(await runQuery(opts, engine, q, rendered.get(q.id) as string, admin, committer, log));
    } finally {
        await committer.disconnect();
        await admin.disconnect();
    }
    return runs;
}

/**
 * How long updating joins and aggregates keep state in a run (Arroyo's `SET updating_ttl`, Flink's
 * table.exec.state.ttl): Arroyo's default is 24 h (arroyo-planner/src/lib.rs PlanningOptions),
 * Flink's forever, which on a Pi keeps every bid of q4 or q20 for the whole run. The run's load
 * spans `runSeconds`; state younger than that plus a margin for start-up and the drain changes no
 * result inside the run.
 */
export function updatingTtlSeconds(runSeconds: number): number {
    return Math.ceil(runSeconds) + 300;
}

/** The job must stay running on one attempt this long before the load starts (a crash loop passes through running). */
function stableRunningMs(checkpointMs: number): number {
    return Math.min(10_000, Math.max(2_000, checkpointMs));
}

interface QuerySamples {
    produced: { time: number; acked: number }[];
    progress: ProgressPoint[];
    jobs: JobSample[];
    checkpoints: Map<number, CheckpointTime>;
    hosts: HostSample[];
    thermal: ThermalSample[];
    errors: Set<string>;
}

/** What one query's run needs throughout: its options, names, groups and where samples go. */
interface QueryContext {
    opts: BenchmarkOptions;
    engine: StreamEngine;
    q: NexmarkQuery;
    resultsTopic: string;
    jobName: string;
    groups: SourceGroup[];
    sampleIntervalMs: number;
    metricsIntervalMs: number;
    checkpointMs: number;
    thermal: boolean | ThermalRunner;
    samples: QuerySamples;
    log: (line: string) => void;
}

type Window = { startMs: number; endMs: number };

async function runQuery(
    opts: BenchmarkOptions,
    engine: StreamEngine,
    q: NexmarkQuery,
    sql: string,
    admin: Admin,
    committer: OffsetCommitter,
    log: (line: string) => void,
): Promise<QueryRun> {
    const ctx: QueryContext = {
        opts,
        engine,
        q,
        log,
        resultsTopic: resultsTopicOf(opts.runTag, q.id),
        jobName: `nexmark-${q.id}-${opts.runTag}`,
        groups: q.reads.map((table) => ({
            table,
            topic: opts.outputs.topics[table],
            groupId: groupOf(opts.runTag, q.id, table),
        })),
        sampleIntervalMs: opts.sampleIntervalMs ?? 1_000,
        metricsIntervalMs: opts.metricsIntervalMs ?? 10_000,
        checkpointMs: opts.checkpointIntervalSeconds * 1000,
        thermal: opts.thermal ?? opts.hostMetrics !== false,
        samples: {
            produced: [],
            progress: [],
            jobs: [],
            checkpoints: new Map(),
            hosts: [],
            thermal: [],
            errors: new Set(),
        },
    };
    const start = await prepare(ctx, admin, committer);
    log(
        `${q.id}: starting ${engine.profile.label} job ${ctx.jobName} with parallelism ${opts.parallelism}, checkpoints every ${opts.checkpointIntervalSeconds} s`,
    );
    let job: EngineJob;
    try {
        job = await engine.start({
            name: ctx.jobName,
            query: q,
            sql,
            parallelism: opts.parallelism,
            checkpointIntervalMs: ctx.checkpointMs,
            stableMs: stableRunningMs(ctx.checkpointMs),
            timeoutMs: opts.jobTimeoutMs ?? 180_000,
        });
    } catch (err) {
        await tearDown(ctx, admin, undefined, undefined);
        throw err;
    }
    const latencyFrom =
        opts.baseTimeMs !== undefined
            ? undefined
            : q.latencyColumn
              ? ({ kind: "event-time", column: q.latencyColumn } as const)
              : q.latencyWindowEnd
                ? ({ kind: "window-end" } as const)
                : undefined;
    // Window outputs are few: every partition of the results topic (created with one per subtask) is read.
    const latencyPartitions = q.latencyWindowEnd ? Array.from({ length: opts.parallelism }, (_, p) => p) : [0];
    const latency = latencyFrom
        ? new LatencySampler(
              opts.outputs.kafkaBootstrapServers,
              ctx.resultsTopic,
              latencyFrom,
              `arroyo-pi-${opts.runTag}-${q.id}-latency`,
              latencyPartitions,
          )
        : undefined;
    const timers: NodeJS.Timeout[] = [];
    try {
        await latency?.start();
        const sampling = await startSampling(
            ctx,
            job,
            new KafkaProgressSampler(admin, ctx.groups, ctx.resultsTopic),
            start,
            timers,
        );
        const { produce, window } = await load(ctx, latency);
        const loadEndMs = produce.startEpochMs + produce.durationMs;
        await drain(ctx, sampling.takeProgress, window, loadEndMs);
        timers.forEach(clearInterval);
        await sampling.takeProgress();
        await sampling.takeMetrics();
        const drainEndMs = Date.now();
        const run = await results(ctx, job, { produce, window, loadEndMs, drainEndMs, latency, latencyFrom });
        if (opts.verify) run.verification = await verifyRun(ctx, run);
        return run;
    } finally {
        timers.forEach(clearInterval);
        await latency?.stop();
        await tearDown(ctx, admin, job, latency);
    }
}

/** Prepare: the results topic and the consumer groups at the topics' current end (where the job starts reading). */
async function prepare(ctx: QueryContext, admin: Admin, committer: OffsetCommitter): Promise<Map<string, number[]>> {
    await createTopicsAndWait(admin, [resultsTopicConfig(ctx.resultsTopic, ctx.opts.parallelism)]);
    try {
        return await seedGroups(admin, committer, ctx.groups);
    } catch (err) {
        await admin.deleteTopics({ topics: [ctx.resultsTopic] }).catch(() => undefined);
        throw err;
    }
}

/** Sample: Kafka offsets, the job's state and its checkpoint list together; the engine's metrics and the hosts less often. */
async function startSampling(
    ctx: QueryContext,
    job: EngineJob,
    sampler: KafkaProgressSampler,
    start: Map<string, number[]>,
    timers: NodeJS.Timeout[],
) {
    const { samples, opts } = ctx;
    let sampling: Promise<void> | undefined;
    const sampleOnce = async () => {
        try {
            const [s, seen] = await Promise.all([sampler.sample(), job.observe()]);
            samples.progress.push(toPoint(s, start, [], ctx.engine.profile.commits));
            samples.jobs.push({ time: s.time, ...seen.job });
            // Engines list only recent checkpoints (older ones are compacted or rotated away): keep every one seen.
            for (const c of seen.checkpoints) samples.checkpoints.set(c.epoch, c);
        } catch (err) {
            samples.errors.add(`progress sample: ${(err as Error).message}`);
        }
    };
    // One sample at a time; the marker is cleared in a later tick, never before it is set.
    const takeProgress = () => (sampling ??= sampleOnce().finally(() => (sampling = undefined)));
    const takeMetrics = async () => {
        try {
            await Promise.all([
                job.sampleMetrics(),
                opts.hostMetrics !== false
                    ? sampleHosts(
                          opts.outputs,
                          typeof opts.hostMetrics === "function" ? opts.hostMetrics : undefined,
                      ).then((h) => samples.hosts.push(...h))
                    : undefined,
                ctx.thermal
                    ? sampleThermal(opts.outputs, typeof ctx.thermal === "function" ? ctx.thermal : undefined).then(
                          (t) => samples.thermal.push(...t),
                      )
                    : undefined,
            ]);
        } catch (err) {
            samples.errors.add(`metrics sample: ${(err as Error).message}`);
        }
    };
    await takeProgress();
    timers.push(setInterval(() => void takeProgress(), ctx.sampleIntervalMs));
    timers.push(setInterval(() => void takeMetrics(), ctx.metricsIntervalMs));
    return { takeProgress, takeMetrics };
}

/** Load: exactly totalEvents on one schedule; the window is set on that schedule. */
async function load(
    ctx: QueryContext,
    latency: LatencySampler | undefined,
): Promise<{ produce: ProduceReport; window: Window }> {
    const { opts, q, samples } = ctx;
    let window = { startMs: 0, endMs: 0 };
    ctx.log(
        `${q.id}: sending ${opts.totalEvents} events at ${opts.eventsPerSecond}/s (${opts.warmupEvents} of them warm-up)`,
    );
    const produce = await produceNexmark({
        bootstrapServers: opts.outputs.kafkaBootstrapServers,
        topics: opts.outputs.topics,
        totalEvents: opts.totalEvents,
        eventsPerSecond: opts.eventsPerSecond,
        seed: opts.seed,
        ...(opts.baseTimeMs !== undefined ? { baseTimeMs: opts.baseTimeMs } : {}),
        ...(opts.threads ? { threads: opts.threads } : {}),
        ...(opts.compression ? { compression: opts.compression } : {}),
        ...(opts.loadClient ? { client: opts.loadClient } : {}),
        onStart: (t0) => {
            // Event n is due (and stamped) at t0 + n / rate.
            const startMs = t0 + (opts.warmupEvents * 1000) / opts.eventsPerSecond;
            const scheduledEnd = t0 + (opts.totalEvents * 1000) / opts.eventsPerSecond;
            window = {
                startMs,
                endMs: opts.durationSeconds
                    ? Math.min(scheduledEnd, startMs + opts.durationSeconds * 1000)
                    : scheduledEnd,
            };
            latency?.setWindow(window.startMs, window.endMs);
        },
        onProgress: (acked) => {
            samples.produced.push({ time: Date.now(), acked });
            opts.onProgress?.(q.id, acked, opts.totalEvents);
        },
    });
    return { produce, window };
}

/**
 * Drain: until the lag is 0 after the load, or three checkpoints of the cadence measured so far
 * (checkpoints come every interval + their duration, slower under backpressure). Then long enough
 * for the engine's metrics to cover the window's end (Arroyo collects every 2.0-2.2 s).
 */
async function drain(
    ctx: QueryContext,
    takeProgress: () => Promise<void>,
    window: Window,
    loadEndMs: number,
): Promise<void> {
    const { samples, opts, sampleIntervalMs } = ctx;
    // A sample at or after the window's end is needed before the drain may stop.
    while (Date.now() < window.endMs + sampleIntervalMs) await sleep(sampleIntervalMs / 4);
    const drainUntil =
        Date.now() +
        (opts.drainMs ?? Math.max(3 * measuredCadenceMs([...samples.checkpoints.values()], ctx.checkpointMs), 10_000));
    while (Date.now() < drainUntil) {
        await takeProgress();
        const last = samples.progress[samples.progress.length - 1];
        if (last && last.time > loadEndMs && last.lag <= 0) break;
        await sleep(sampleIntervalMs);
    }
    while (Date.now() < window.endMs + ctx.engine.metricsSettleMs(ctx.metricsIntervalMs)) await sleep(100);
}

/** Figures: a pure function of the samples (figures.ts), the engine's own beside them; then the validity. */
async function results(
    ctx: QueryContext,
    job: EngineJob,
    run: {
        produce: ProduceReport;
        window: Window;
        loadEndMs: number;
        drainEndMs: number;
        latency: LatencySampler | undefined;
        latencyFrom: { kind: "event-time" | "window-end" } | undefined;
    },
): Promise<QueryRun> {
    const { opts, q, samples, engine, log } = ctx;
    const { produce, window, latency, latencyFrom } = run;
    const checkpoints = [...samples.checkpoints.values()].sort((a, b) => a.epoch - b.epoch);
    const loadF = loadFigures(
        {
            produced: samples.produced,
            startEpochMs: produce.startEpochMs,
            eventsPerSecond: opts.eventsPerSecond,
            totalEvents: opts.totalEvents,
            maxScheduleDelayMs: produce.maxScheduleDelayMs,
            ...(produce.threadMaxScheduleDelaysMs
                ? { threadMaxScheduleDelaysMs: produce.threadMaxScheduleDelaysMs }
                : {}),
            windowed: q.latencyWindowEnd === true,
        },
        window,
    );
    const kafka = kafkaFigures(
        {
            progress: samples.progress,
            checkpoints,
            window,
            lagThreshold: opts.lagThreshold ?? DEFAULT_LAG_THRESHOLD,
            kafkaSink: q.sink === "kafka",
        },
        loadF,
    );
    const own = job.figures(window, kafka.consumedInWindow);
    const host = hostFigures(
        opts.outputs.hosts.map((h) => h.name),
        samples.hosts,
        window,
        engine.profile.containerPattern,
    );
    const ackedAt = (t: number) => [...samples.produced].reverse().find((p) => p.time <= t)?.acked ?? 0;
    const seconds = Math.max(0.001, (window.endMs - window.startMs) / 1000);
    const figures: QueryFigures = {
        producedRate: (ackedAt(window.endMs) - ackedAt(window.startMs)) / seconds,
        kafka,
        engine: own.figures,
        checkpoints: checkpointFigures(checkpoints, samples.progress, window, opts.checkpointIntervalSeconds),
        load: loadF,
        latencyMs: latency ? latency.histogram.summary() : null,
        latencyFrom: latencyFrom?.kind ?? null,
        latencySample: latency
            ? { read: latency.read, outsideWindow: latency.outsideWindow, unparsable: latency.unparsable }
            : null,
        ...(latency
            ? {}
            : {
                  latencyNote:
                      q.sink === "files"
                          ? "the output is files in MinIO, not records in Kafka"
                          : "the output carries neither the input's time nor a tumbling or sliding window's end",
              }),
        hosts: host.hosts,
        thermal: ctx.thermal ? thermalFigures(samples.thermal, window, ctx.metricsIntervalMs) : null,
        engineCores: host.engineCores,
        eventsPerSecondPerCore:
            host.engineCores && kafka.consumedRate !== null ? kafka.consumedRate / host.engineCores : null,
    };
    const words = engine.profile;
    let validity = judgeValidity(samples.jobs, job.initialRunId, window.startMs, run.drainEndMs, undefined, words);
    if (!validity.valid)
        validity = judgeValidity(
            samples.jobs,
            job.initialRunId,
            window.startMs,
            run.drainEndMs,
            await job.firstError().catch(() => undefined),
            words,
        );
    // A throttled host measured its own lowered clock, not the engine (--allow-throttled keeps the query valid).
    if (figures.thermal?.limited && !opts.allowThrottled)
        validity = { valid: false, reasons: [...validity.reasons, `hardware throttled: ${figures.thermal.note}`] };
    for (const e of samples.errors) log(`${q.id}: ${e}`);
    if (latency && latency.unparsable > 0)
        log(`${q.id}: ${latency.unparsable} output records had no readable '${q.latencyColumn}'`);
    if (kafka.verdict === "inconclusive") log(`${q.id}: verdict inconclusive: ${kafka.verdictReason}`);
    if (loadF.lateRowsRisk) log(`${q.id}: ${loadF.lateRowsRisk}`);
    if (!validity.valid) log(`${q.id}: INVALID: ${validity.reasons.join("; ")}`);

    return {
        id: q.id,
        engine: engine.name,
        title: q.title,
        pipelineName: ctx.jobName,
        pipelineId: job.submissionId,
        jobId: job.id,
        parallelism: opts.parallelism,
        checkpointIntervalSeconds: opts.checkpointIntervalSeconds,
        updatingTtlSeconds: opts.updatingTtlSeconds ?? updatingTtlSeconds(opts.totalEvents / opts.eventsPerSecond),
        resultsTopic: ctx.resultsTopic,
        consumerGroups: Object.fromEntries(ctx.groups.map((g) => [g.table, g.groupId])),
        window,
        loadEndMs: run.loadEndMs,
        produce,
        figures,
        validity,
        samples: {
            produced: samples.produced,
            progress: samples.progress,
            ...own.series,
            checkpoints,
            jobs: samples.jobs,
            hosts: samples.hosts,
            thermal: samples.thermal,
        },
    };
}

/** --verify: the results topic read whole and compared with what the query computes from the events sent. */
async function verifyRun(ctx: QueryContext, run: QueryRun): Promise<QueryRun["verification"]> {
    const { q, opts } = ctx;
    if (q.sink !== "kafka") return { notVerified: `${q.id} writes files, not records` };
    if (!STATELESS[q.id]) {
        if (opts.baseTimeMs === undefined)
            return {
                notVerified: `${q.id} keeps state (windows, joins or aggregates): run it with a fixed --base-time and compare its output between engines (npm run compare)`,
            };
        const read = await readTopic(
            opts.outputs.kafkaBootstrapServers,
            ctx.resultsTopic,
            `arroyo-pi-${opts.runTag}-${q.id}-verify`,
        );
        const recorded = recordedOutput(q.columns, read, {
            baseTimeMs: opts.baseTimeMs,
            seed: opts.seed,
            eventsPerSecond: opts.eventsPerSecond,
            totalEvents: opts.totalEvents,
        });
        ctx.log(`${q.id}: recorded its ${recorded.records} output records for comparison between runs`);
        return recorded;
    }
    const expected = expectedOutput(q.id, q.columns, {
        seed: opts.seed,
        baseTimeMs: run.produce.baseTimeMs,
        eventsPerSecond: opts.eventsPerSecond,
        totalEvents: opts.totalEvents,
    });
    const records = await readTopic(
        opts.outputs.kafkaBootstrapServers,
        ctx.resultsTopic,
        `arroyo-pi-${opts.runTag}-${q.id}-verify`,
    );
    const v = compareOutputs(
        expected,
        records.map((r) => recordKey(q.columns, r)),
    );
    ctx.log(
        `${q.id}: verified ${v.read} output records against ${v.expected} expected: ${v.matched} matched, ${v.missing} missing, ${v.extra} extra`,
    );
    return v;
}

/** Tear down: the job, the results topic (unless kept), the groups. */
async function tearDown(
    ctx: QueryContext,
    admin: Admin,
    job: EngineJob | undefined,
    latency: LatencySampler | undefined,
): Promise<void> {
    const { q, opts, log } = ctx;
    const stopped = job
        ? await job.stop().then(
              () => true,
              (err: Error) => {
                  log(`${q.id}: could not stop ${ctx.engine.profile.label} job ${job.id}: ${err.message}`);
                  return false;
              },
          )
        : false;
    if (!opts.keepResultsTopics) await admin.deleteTopics({ topics: [ctx.resultsTopic] }).catch(() => undefined);
    await admin
        .deleteGroups([
            ...ctx.groups.map((g) => g.groupId),
            ...(latency ? [`arroyo-pi-${opts.runTag}-${q.id}-latency`] : []),
        ])
        .catch(() => undefined);
    if (stopped) log(`${q.id}: ${ctx.engine.profile.label} job stopped and removed`);
}

/** Mean start-to-start time of the checkpoints seen, or the interval asked for when fewer than two were seen. */
export function measuredCadenceMs(checkpoints: CheckpointTime[], intervalMs: number): number {
    const starts = checkpoints.map((c) => c.startMs).sort((a, b) => a - b);
    if (starts.length < 2) return intervalMs;
    return Math.max(intervalMs, (starts[starts.length - 1] - starts[0]) / (starts.length - 1));
}
