// The Nexmark load producer: the one module the benchmark sends load through.
import * as os from "os";
import * as path from "path";
import { Admin, Kafka, logLevel } from "kafkajs";
import { fork } from "child_process";
import { endOffsets } from "../kafka/admin";
import { Compression, GoMessage, Kind, ProducerJob, WorkerMessage } from "./job";
import { clientRecord, DEFAULT_LOAD_CLIENT, LoadClient, LoadClientChoice, resolveLoadClient } from "./loadClient";
import { RateWindows } from "./pacing";
import { expectedPartitionCounts, rangesForWorker } from "./plan";

export interface ProduceOptions {
    bootstrapServers: string;
    topics: Record<Kind, string>;
    totalEvents: number;
    eventsPerSecond: number;
    seed?: number;
    /** Event time of event 0; defaults to the moment sending starts. */
    baseTimeMs?: number;
    /** Producer threads; defaults to the machine's cores. */
    threads?: number;
    batchSize?: number;
    maxInFlight?: number;
    compression?: Compression;
    /** Called once, when every thread is told to start: event 0 is due at this instant. */
    onStart?: (startEpochMs: number) => void;
    /** Called as acknowledgements arrive: events acknowledged so far. */
    onProgress?: (acked: number) => void;
    /** Window over which the achieved rate is judged. */
    windowMs?: number;
    /** The Kafka client for the load (loadClient.ts); Confluent's where built by default. */
    client?: LoadClientChoice | LoadClient;
}

export interface OffsetCheck {
    topic: string;
    expected: number[];
    actual: number[];
    ok: boolean;
}

export interface ProduceReport {
    sent: number;
    perKind: Record<Kind, number>;
    threads: number;
    startEpochMs: number;
    baseTimeMs: number;
    durationMs: number;
    targetRate: number;
    achievedRate: number;
    /** Events/s of every complete window, as acknowledged by the broker. */
    windowRates: number[];
    windowMs: number;
    /** Whether every complete window stayed within 2% of the target; null when the load was shorter than one window. */
    heldTarget: boolean | null;
    /** How far the latest-sent batch ever was behind the global schedule (event n due at start + n / rate). */
    maxScheduleDelayMs: number;
    /**
     * Each producer thread's own worst delay behind the schedule. Threads falling behind one another
     * put events of different ages into the same partitions, which is what makes rows late for
     * Arroyo's windows; a load uniformly behind makes none.
     */
    threadMaxScheduleDelaysMs?: number[];
    /**
     * Events/s the generator sent at: all events over the time until the last one was sent (its due
     * time plus how late it went). Unlike achievedRate it leaves out the wait for the broker's last
     * acknowledgements, so it measures the generator, not Kafka's latency.
     */
    sentRate: number;
    offsetChecks: OffsetCheck[];
    /** The Kafka client that carried the load, with its version. */
    client: string;
    /** Why the load went through kafkajs when the faster client was wanted. */
    clientFallback?: string;
}

/** Thrown when the topics did not grow by exactly what was sent: an event was lost or doubled. */
export class DeliveryMismatchError extends Error {
    constructor(readonly report: ProduceReport) {
        super(
            "Kafka does not hold exactly the events sent: " +
                report.offsetChecks
                    .filter((c) => !c.ok)
                    .map(
                        (c) => `${c.topic} expected ${c.expected.join("/")} per partition, found ${c.actual.join("/")}`,
                    )
                    .join("; "),
        );
        this.name = "DeliveryMismatchError";
    }
}

const KINDS: Kind[] = ["person", "auction", "bid"];
const COMPRESSIONS: readonly Compression[] = ["none", "gzip"];
export const RATE_TOLERANCE = 0.02;

/**
 * Sends exactly `totalEvents` Nexmark events at the target rate from worker threads, then checks
 * every partition of every topic grew by exactly its share.
 */
/** Options that cannot produce anything, refused before any connection. */
function checkProduceOptions(opts: ProduceOptions): void {
    if (!Number.isInteger(opts.totalEvents) || opts.totalEvents <= 0)
        throw new Error("totalEvents must be a positive integer");
    if (!(opts.eventsPerSecond > 0)) throw new Error("eventsPerSecond must be positive");
    if (opts.compression !== undefined && !COMPRESSIONS.includes(opts.compression)) {
        throw new Error(`compression must be one of ${COMPRESSIONS.join(", ")} (got '${opts.compression}')`);
    }
}

/** Each topic's partitions and end offsets before the load; a missing topic is refused by name. */
async function topicsBefore(
    admin: Admin,
    opts: ProduceOptions,
): Promise<{ partitions: Record<Kind, number>; before: Record<Kind, number[]> }> {
    const existing = new Set(await admin.listTopics());
    const missing = KINDS.map((k) => opts.topics[k]).filter((t) => !existing.has(t));
    if (missing.length > 0) {
        throw new Error(
            `topic${missing.length > 1 ? "s" : ""} ${missing.map((t) => `'${t}'`).join(", ")} not found on ${opts.bootstrapServers}: 'pulumi up' creates the Nexmark topics, or pass the stack that has them`,
        );
    }
    const partitions = {} as Record<Kind, number>;
    const before = {} as Record<Kind, number[]>;
    for (const kind of KINDS) {
        before[kind] = await endOffsets(admin, opts.topics[kind]);
        partitions[kind] = before[kind].length;
    }
    return { partitions, before };
}

/** One job per producer thread that has events to send: its share of the event numbers and the rate. */
function producerJobs(
    opts: ProduceOptions,
    threads: number,
    partitions: Record<Kind, number>,
    client: LoadClient,
): ProducerJob[] {
    return Array.from({ length: threads }, (_, w) => ({
        workerIndex: w,
        bootstrapServers: opts.bootstrapServers.split(","),
        topics: opts.topics,
        partitions,
        seed: opts.seed ?? 1,
        ...(opts.baseTimeMs !== undefined ? { baseTimeMs: opts.baseTimeMs } : {}),
        eventsPerSecond: opts.eventsPerSecond,
        threadEventsPerSecond: opts.eventsPerSecond / threads,
        ranges: rangesForWorker(w, threads, 0, opts.totalEvents),
        // kafkajs groups a batch's messages per partition in quadratic time; measured on
        // 2 cores, 500-event batches with 8 in flight sent the most (perf:generator).
        // librdkafka batches on its own: a batch here is only how often the pacer looks.
        batchSize: opts.batchSize ?? (client.kind === "confluent" ? 2_000 : 500),
        maxInFlight: opts.maxInFlight ?? 8,
        compression: opts.compression ?? "none",
        client,
    })).filter((job) => job.ranges.length > 0);
}

const eventsOf = (job: ProducerJob): number => job.ranges.reduce((sum, r) => sum + r.count, 0);

/** What the threads reported: acknowledged events per thread, per kind, progress, schedule delays. */
interface ThreadTallies {
    ackedBy: number[];
    perKind: Record<Kind, number>;
    maxScheduleDelayMs: number;
    threadDelays: number[];
    lastDelayMs: number;
    progress: { atEpochMs: number; events: number }[];
    startEpochMs: number;
}

/**
 * Forks one producer thread per job, starts them all at one instant (also event 0's time, so
 * start-up shows neither as a slow window nor as latency) and waits for them; a thread that fails
 * stops the others.
 */
async function runProducerThreads(jobs: ProducerJob[], threads: number, opts: ProduceOptions): Promise<ThreadTallies> {
    const t: ThreadTallies = {
        ackedBy: new Array<number>(threads).fill(0),
        perKind: { person: 0, auction: 0, bid: 0 },
        maxScheduleDelayMs: 0,
        threadDelays: [],
        lastDelayMs: 0,
        progress: [],
        startEpochMs: 0,
    };
    let allReady: () => void = () => undefined;
    const ready = new Promise<void>((r) => (allReady = r));
    let readyCount = 0;
    const workers = jobs.map((job) => {
        const worker = fork(path.join(__dirname, "worker.ts"), [], {
            execArgv: ["-r", "ts-node/register/transpile-only"],
            stdio: ["ignore", "inherit", "inherit", "ipc"],
        });
        worker.send(job);
        let finished = false;
        const done = new Promise<void>((resolve, reject) => {
            worker.on("message", (m: WorkerMessage) => {
                if (m.type === "ready") {
                    if (++readyCount === jobs.length) allReady();
                } else if (m.type === "progress") {
                    t.progress.push({ atEpochMs: m.atEpochMs, events: m.acked - t.ackedBy[job.workerIndex] });
                    t.ackedBy[job.workerIndex] = m.acked;
                    opts.onProgress?.(t.ackedBy.reduce((sum, x) => sum + x, 0));
                } else if (m.type === "done") {
                    finished = true;
                    for (const k of KINDS) t.perKind[k] += m.perKind[k];
                    t.maxScheduleDelayMs = Math.max(t.maxScheduleDelayMs, m.maxScheduleDelayMs);
                    t.threadDelays[job.workerIndex] = m.maxScheduleDelayMs;
                    t.lastDelayMs = Math.max(t.lastDelayMs, m.lastDelayMs);
                } else {
                    reject(new Error(`producer thread ${job.workerIndex}: ${m.message}`));
                }
            });
            worker.on("error", reject);
            worker.on("exit", (code, signal) => {
                if (code === 0) return resolve();
                // A thread that reported done had every event flushed and acknowledged; dying while
                // it disconnects loses none, and the offset check after the run still counts each
                // partition. Say so, and go on.
                const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
                if (finished) {
                    process.stderr.write(
                        `producer thread ${job.workerIndex} ${how} after all its events were acknowledged; ` +
                            "Kafka's end offsets are checked next\n",
                    );
                    return resolve();
                }
                reject(
                    new Error(
                        `producer thread ${job.workerIndex} ${how} with ${t.ackedBy[job.workerIndex]} of its ` +
                            `${eventsOf(job)} events acknowledged`,
                    ),
                );
            });
        });
        return { worker, done };
    });
    try {
        // A thread that fails before it is ready must not leave the others waiting for the start.
        await Promise.race([ready, Promise.all(workers.map((w) => w.done))]);
        t.startEpochMs = Date.now() + 50;
        const go: GoMessage = { type: "go", startEpochMs: t.startEpochMs };
        opts.onStart?.(t.startEpochMs);
        for (const w of workers) w.worker.send(go);
        await Promise.all(workers.map((w) => w.done));
    } catch (err) {
        for (const w of workers) w.worker.kill();
        throw err;
    }
    return t;
}

/** Each topic's partitions grew by exactly the events sent there: nothing lost, nothing twice. */
async function offsetChecksAfter(
    admin: Admin,
    opts: ProduceOptions,
    partitions: Record<Kind, number>,
    before: Record<Kind, number[]>,
): Promise<OffsetCheck[]> {
    const checks: OffsetCheck[] = [];
    for (const kind of KINDS) {
        const after = await endOffsets(admin, opts.topics[kind]);
        const want = expectedPartitionCounts(0, opts.totalEvents, partitions[kind])[kind];
        const grew = after.map((o, p) => o - (before[kind][p] ?? 0));
        checks.push({
            topic: opts.topics[kind],
            expected: want,
            actual: grew,
            ok: grew.length === want.length && grew.every((g, p) => g === want[p]),
        });
    }
    return checks;
}

export async function produceNexmark(opts: ProduceOptions): Promise<ProduceReport> {
    checkProduceOptions(opts);
    const threads = Math.max(1, opts.threads ?? os.availableParallelism());
    const client =
        typeof opts.client === "object" ? opts.client : resolveLoadClient(opts.client ?? DEFAULT_LOAD_CLIENT);
    const windowMs = opts.windowMs ?? 10_000;
    const kafka = new Kafka({
        clientId: "arroyo-pi-nexmark-admin",
        brokers: opts.bootstrapServers.split(","),
        logLevel: logLevel.WARN,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
        const { partitions, before } = await topicsBefore(admin, opts);
        const t = await runProducerThreads(producerJobs(opts, threads, partitions, client), threads, opts);
        const endEpochMs = Date.now();
        const windows = new RateWindows(windowMs, t.startEpochMs);
        for (const p of t.progress) windows.add(p.atEpochMs, p.events);
        const offsetChecks = await offsetChecksAfter(admin, opts, partitions, before);

        const durationMs = endEpochMs - t.startEpochMs;
        const sent = t.ackedBy.reduce((s, x) => s + x, 0);
        const windowRates = windows.rates(endEpochMs);
        const report: ProduceReport = {
            sent,
            perKind: t.perKind,
            threads,
            startEpochMs: t.startEpochMs,
            baseTimeMs: opts.baseTimeMs ?? t.startEpochMs,
            durationMs,
            targetRate: opts.eventsPerSecond,
            achievedRate: (sent * 1000) / Math.max(1, durationMs),
            windowRates,
            windowMs,
            heldTarget:
                windowRates.length === 0
                    ? null
                    : windowRates.every(
                          (r) => Math.abs(r - opts.eventsPerSecond) <= RATE_TOLERANCE * opts.eventsPerSecond,
                      ),
            maxScheduleDelayMs: t.maxScheduleDelayMs,
            threadMaxScheduleDelaysMs: t.threadDelays,
            // The last event (number total - 1) was due at (total - 1) / rate after the start.
            sentRate:
                (sent * 1000) / Math.max(1, ((opts.totalEvents - 1) * 1000) / opts.eventsPerSecond + t.lastDelayMs),
            offsetChecks,
            ...clientRecord(client),
        };
        if (offsetChecks.some((c) => !c.ok)) throw new DeliveryMismatchError(report);
        return report;
    } finally {
        await admin.disconnect();
    }
}
