import { Kafka, logLevel } from "kafkajs";
import { ArroyoClient, JobFailedError } from "./arroyo/client";
import { OperatorMetricGroup, Pipeline } from "./arroyo/types";
import { sampleHosts, HostSample, DockerRunner } from "./metrics/hosts";
import { integrate, maxSeries, meanIn, RatePoint, sinkNodeIds, sourceNodeIds, summedSeries } from "./metrics/operators";
import { ResultsReader } from "./metrics/resultsReader";
import { produceNexmark, ProduceReport } from "./producer";
import { waitFor } from "../probes/waitFor";
import { Compression } from "./producer/job";
import { NexmarkQuery, renderQuery } from "./queries";
import { ClusterOutputs } from "../stacks/outputs";

export interface BenchmarkOptions {
    outputs: ClusterOutputs;
    queries: NexmarkQuery[];
    eventsPerSecond: number;
    totalEvents: number;
    /** Events sent before the measured window opens. */
    warmupEvents: number;
    /** Length of the measured window, seconds; by default it lasts until the load ends. */
    durationSeconds?: number;
    parallelism: number;
    seed: number;
    threads?: number;
    compression?: Compression;
    /** Tag in result topic and pipeline names, unique per run. */
    runTag: string;
    sampleIntervalMs?: number;
    jobTimeoutMs?: number;
    /** Time after the load for the pipeline to catch up before it is stopped. */
    drainMs?: number;
    /** Sample CPU and memory from the hosts' Docker engines. */
    hostMetrics?: boolean | DockerRunner;
    keepResultsTopics?: boolean;
    log?: (line: string) => void;
    onProgress?: (query: string, acked: number, total: number) => void;
}

export interface LatencyFigures {
    count: number;
    p50?: number;
    p95?: number;
    p99?: number;
    max?: number;
}

export interface QueryFigures {
    /** Events/s the load generator had acknowledged by Kafka inside the window (all three topics). */
    producedRate: number;
    /** The part of producedRate on the topics the query reads (q0 reads bids: 46 of 50 events). */
    inputRate: number;
    /** Events/s the pipeline's source operators received (Arroyo's messages_recv) inside the window. */
    processedRate: number | null;
    /** Records/s that reached the results topic inside the window. */
    outputRate: number;
    backpressureMax: number | null;
    backpressureMean: number | null;
    /** Events sent but not yet read by the sources when the load ended (from Arroyo's rate samples). */
    lagAtEnd: number | null;
    latencyMs: LatencyFigures | null;
    latencyNote?: string;
    /** Mean CPU (cores) and memory per host inside the window. */
    hosts: { host: string; cpuCores: number; memoryBytesMean: number; memoryBytesMax: number }[];
    /** Mean cores used by Arroyo's containers (controller and nodes). */
    arroyoCores: number | null;
    /** processedRate / arroyoCores. */
    eventsPerSecondPerCore: number | null;
}

export interface QueryRun {
    id: string;
    title: string;
    pipelineName: string;
    pipelineId: string;
    jobId: string;
    parallelism: number;
    resultsTopic: string;
    window: { startMs: number; endMs: number };
    loadEndMs: number;
    produce: ProduceReport;
    figures: QueryFigures;
    samples: {
        produced: { time: number; acked: number }[];
        processed: RatePoint[];
        sinkSent: RatePoint[];
        backpressure: RatePoint[];
        output: { time: number; records: number }[];
        hosts: HostSample[];
    };
}

function mergeSnapshots(snapshots: OperatorMetricGroup[][]): OperatorMetricGroup[] {
    // Arroyo keeps a few minutes of samples; snapshots taken along the run are merged by time.
    const merged = new Map<string, Map<number, number>>();
    for (const snap of snapshots) {
        for (const g of snap) {
            for (const mg of g.metric_groups) {
                for (const st of mg.subtasks) {
                    const key = `${g.node_id}|${mg.name}|${st.index}`;
                    const series = merged.get(key) ?? new Map<number, number>();
                    for (const m of st.metrics) series.set(m.time, m.value);
                    merged.set(key, series);
                }
            }
        }
    }
    const groups = new Map<number, OperatorMetricGroup>();
    for (const [key, series] of merged) {
        const [node, name, index] = key.split("|");
        const g = groups.get(Number(node)) ?? { node_id: Number(node), metric_groups: [] };
        let mg = g.metric_groups.find((x) => x.name === name);
        if (!mg) {
            mg = { name: name as OperatorMetricGroup["metric_groups"][number]["name"], subtasks: [] };
            g.metric_groups.push(mg);
        }
        mg.subtasks.push({ index: Number(index), metrics: [...series.entries()].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time, value })) });
        groups.set(g.node_id, g);
    }
    return [...groups.values()];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Validates every query with Arroyo before any load is sent; throws with Arroyo's messages. */
export async function validateQueries(client: ArroyoClient, opts: Pick<BenchmarkOptions, "queries" | "outputs" | "runTag">): Promise<Map<string, string>> {
    const rendered = new Map<string, string>();
    const problems: string[] = [];
    for (const q of opts.queries) {
        const sql = renderQuery(q, queryParams(opts.outputs, resultsTopicOf(opts.runTag, q.id)));
        const result = await client.validateQuery(sql);
        if (result.errors.length > 0) problems.push(`${q.id}: ${result.errors.join("; ")}`);
        rendered.set(q.id, sql);
    }
    if (problems.length > 0) throw new Error(`Arroyo rejected ${problems.length === 1 ? "a query" : "queries"}; nothing was run:\n  ${problems.join("\n  ")}`);
    return rendered;
}

export function resultsTopicOf(runTag: string, queryId: string): string {
    return `nexmark-results-${runTag}-${queryId}`;
}

function queryParams(outputs: ClusterOutputs, resultsTopic: string) {
    return { bootstrapServers: outputs.kafkaClusterBootstrapServers, topics: outputs.topics, resultsTopic, sourceOffset: "latest" as const };
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
    const runs: QueryRun[] = [];
    try {
        for (const q of opts.queries) {
            runs.push(await runQuery(opts, q, rendered.get(q.id) as string, client, admin, log));
        }
    } finally {
        await admin.disconnect();
    }
    return runs;
}

async function runQuery(
    opts: BenchmarkOptions,
    q: NexmarkQuery,
    sql: string,
    client: ArroyoClient,
    admin: ReturnType<Kafka["admin"]>,
    log: (line: string) => void,
): Promise<QueryRun> {
    const resultsTopic = resultsTopicOf(opts.runTag, q.id);
    const pipelineName = `nexmark-${q.id}-${opts.runTag}`;
    const sampleIntervalMs = opts.sampleIntervalMs ?? 5_000;
    await admin.createTopics({ topics: [{ topic: resultsTopic, numPartitions: opts.parallelism, replicationFactor: 1 }], waitForLeaders: true });

    log(`${q.id}: starting pipeline ${pipelineName} with parallelism ${opts.parallelism}`);
    const pipeline: Pipeline = await client.createPipeline({ name: pipelineName, query: sql, parallelism: opts.parallelism });
    const reader = new ResultsReader(opts.outputs.kafkaBootstrapServers, resultsTopic, q.latencyColumn);
    const snapshots: OperatorMetricGroup[][] = [];
    const hostSamples: HostSample[] = [];
    let sampler: NodeJS.Timeout | undefined;
    let samplingError: string | undefined;
    try {
        const job = await client.waitForJobState(pipeline, ["Running"], opts.jobTimeoutMs ?? 180_000);
        await reader.start();
        // Sources read from 'latest': load sent before they poll would never reach them. They
        // are polling once Arroyo reports their metrics.
        const sources = sourceNodeIds(pipeline.graph);
        const polling = await waitFor(`${q.id}'s source operators`, async () => {
            const groups = await client.operatorMetrics(pipeline.id, job.id);
            const reporting = sources.filter((id) => groups.some((g) => g.node_id === id && g.metric_groups.some((m) => m.name === "messages_recv")));
            if (reporting.length < sources.length) throw new Error(`${reporting.length} of ${sources.length} report metrics`);
        }, { timeoutMs: 30_000, intervalMs: 500 }).then(() => true, () => false);
        if (!polling) log(`${q.id}: the source operators reported no metrics within 30 s; starting the load anyway`);

        const takeSample = async () => {
            try {
                snapshots.push(await client.operatorMetrics(pipeline.id, job.id));
                if (opts.hostMetrics !== false) {
                    const runner = typeof opts.hostMetrics === "function" ? opts.hostMetrics : undefined;
                    hostSamples.push(...(await sampleHosts(opts.outputs, runner)));
                }
            } catch (err) {
                samplingError ??= (err as Error).message;
            }
        };
        sampler = setInterval(() => void takeSample(), sampleIntervalMs);

        const produced: { time: number; acked: number }[] = [];
        log(`${q.id}: sending ${opts.totalEvents} events at ${opts.eventsPerSecond}/s (${opts.warmupEvents} of them warm-up)`);
        const produce = await produceNexmark({
            bootstrapServers: opts.outputs.kafkaBootstrapServers,
            topics: opts.outputs.topics,
            totalEvents: opts.totalEvents,
            eventsPerSecond: opts.eventsPerSecond,
            seed: opts.seed,
            ...(opts.threads ? { threads: opts.threads } : {}),
            ...(opts.compression ? { compression: opts.compression } : {}),
            onProgress: (acked) => {
                produced.push({ time: Date.now(), acked });
                opts.onProgress?.(q.id, acked, opts.totalEvents);
            },
        });
        const loadEndMs = produce.startEpochMs + produce.durationMs;
        const startMs = produced.find((p) => p.acked >= opts.warmupEvents)?.time ?? produce.startEpochMs;
        const endMs = opts.durationSeconds ? Math.min(loadEndMs, startMs + opts.durationSeconds * 1000) : loadEndMs;
        reader.setWindow(startMs, endMs);

        // Let the pipeline catch up and Arroyo publish the window's last rate samples.
        await sleep(opts.drainMs ?? Math.max(2 * sampleIntervalMs, 5_000));
        clearInterval(sampler);
        sampler = undefined;
        await takeSample();
        // A job that failed or restarted during the load measured something else: say so.
        const finalJob = (await client.jobs(pipeline.id))[0];
        if (!finalJob || finalJob.state !== "Running") throw new JobFailedError(finalJob ?? job, pipelineName);

        const groups = mergeSnapshots(snapshots);
        const processed = summedSeries(groups, sources, "messages_recv");
        const sinkSent = summedSeries(groups, sinkNodeIds(pipeline.graph), "messages_sent");
        const backpressure = maxSeries(groups, "backpressure");
        const seconds = Math.max(0.001, (endMs - startMs) / 1000);
        const ackedAt = (t: number) => [...produced].reverse().find((p) => p.time <= t)?.acked ?? 0;

        const processedRate = meanIn(processed, startMs, endMs) ?? null;
        const inWindow = backpressure.filter((p) => p.time >= startMs && p.time <= endMs);
        const windowHosts = hostSamples.filter((h) => h.time >= startMs && h.time <= endMs);
        const hosts = opts.outputs.hosts.map((h) => {
            const mine = windowHosts.filter((s) => s.host === h.name);
            const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);
            return { host: h.name, cpuCores: mean(mine.map((s) => s.cpuCores)), memoryBytesMean: mean(mine.map((s) => s.memoryBytes)), memoryBytesMax: Math.max(0, ...mine.map((s) => s.memoryBytes)) };
        });
        const arroyoCoreSamples = new Map<number, number>();
        for (const s of windowHosts) {
            for (const c of s.containers) if (/arroyo-(controller|node)/.test(c.container)) arroyoCoreSamples.set(s.time, (arroyoCoreSamples.get(s.time) ?? 0) + c.cpuCores);
        }
        const arroyoCores = arroyoCoreSamples.size ? [...arroyoCoreSamples.values()].reduce((a, b) => a + b, 0) / arroyoCoreSamples.size : null;
        const received = processed.length ? integrate(processed, loadEndMs) : undefined;
        const inputEvents = q.reads.reduce((sum, kind) => sum + produce.perKind[kind], 0);
        const inputShare = inputEvents / Math.max(1, produce.sent);
        const producedRate = (ackedAt(endMs) - ackedAt(startMs)) / seconds;

        const figures: QueryFigures = {
            producedRate,
            inputRate: producedRate * inputShare,
            processedRate,
            outputRate: reader.recordsBetween(startMs, endMs) / seconds,
            backpressureMax: inWindow.length ? Math.max(...inWindow.map((p) => p.value)) : null,
            backpressureMean: inWindow.length ? inWindow.reduce((s, p) => s + p.value, 0) / inWindow.length : null,
            lagAtEnd: received === undefined ? null : Math.max(0, Math.round(inputEvents - received)),
            latencyMs: q.latencyColumn ? reader.histogram.summary() : null,
            ...(q.latencyColumn ? {} : { latencyNote: "outputs are aggregates; they do not map to single input events" }),
            hosts,
            arroyoCores,
            eventsPerSecondPerCore: arroyoCores && processedRate !== null ? processedRate / arroyoCores : null,
        };
        if (samplingError) log(`${q.id}: some metric samples failed: ${samplingError}`);
        if (reader.unparsable > 0) log(`${q.id}: ${reader.unparsable} output records had no readable '${q.latencyColumn}'`);

        return {
            id: q.id,
            title: q.title,
            pipelineName,
            pipelineId: pipeline.id,
            jobId: job.id,
            parallelism: opts.parallelism,
            resultsTopic,
            window: { startMs, endMs },
            loadEndMs,
            produce,
            figures,
            samples: { produced, processed, sinkSent, backpressure, output: reader.points, hosts: hostSamples },
        };
    } finally {
        if (sampler) clearInterval(sampler);
        await reader.stop();
        await client.stopPipeline(pipeline.id, "immediate").catch(() => undefined);
        await client.waitForJobState(pipeline, ["Stopped", "Finished", "Failed"], 60_000).catch(() => undefined);
        await client.deletePipeline(pipeline.id).catch((err: Error) => log(`${q.id}: could not delete pipeline ${pipeline.id}: ${err.message}`));
        if (!opts.keepResultsTopics) await admin.deleteTopics({ topics: [resultsTopic] }).catch(() => undefined);
        log(`${q.id}: pipeline stopped and deleted`);
    }
}
