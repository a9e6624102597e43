// One producer process: generates its share of the events, paces and sends them, reports acks.
// A process, not a worker thread: Confluent's client is a native addon that loads once per process.
import { NexmarkGenerator } from "../nexmark/generator";
import { GoMessage, Kind, ProducerJob, WorkerMessage } from "./job";
import { Pacer } from "./pacing";
import { partitionOf } from "./plan";
import { createSender, OutRecord } from "./senders";

/** Connects, reports ready, waits for the common start, then sends its ranges at its share of the rate. */
export async function runJob(
    job: ProducerJob,
    report: (m: WorkerMessage) => void,
    go: () => Promise<GoMessage>,
): Promise<void> {
    const sender = createSender({
        client: job.client,
        clientId: `arroyo-pi-nexmark-${job.workerIndex}`,
        bootstrapServers: job.bootstrapServers,
        topics: job.topics,
        compression: job.compression,
        maxInFlight: job.maxInFlight,
        onAcked: (acked) => report({ type: "progress", acked, atEpochMs: Date.now() }),
    });
    await sender.connect();
    // Generating is warmed up (JIT) before the start, so the first batches leave on schedule.
    const warm = new NexmarkGenerator({ seed: job.seed + 1, baseTimeMs: 0, eventsPerSecond: job.eventsPerSecond });
    for (let n = 0; n < 5_000; n++) warm.record(n);
    report({ type: "ready" });
    const { startEpochMs } = await go();
    const generator = new NexmarkGenerator({
        seed: job.seed,
        baseTimeMs: job.baseTimeMs ?? startEpochMs,
        eventsPerSecond: job.eventsPerSecond,
    });

    // One global schedule: event n is due at start + n / rate, whichever thread sends it (threads
    // take disjoint n), so an event's time and its due send time are the same instant.
    const pacer = new Pacer(job.eventsPerSecond);
    // A batch goes out when its last event is due, so it is never early; keeping batches to
    // about 20 ms of events at the target rate keeps the first event at most that late.
    const batchSize = Math.max(1, Math.min(job.batchSize, Math.round(job.threadEventsPerSecond * 0.02)));
    let lastEvent = -1;
    let maxScheduleDelayMs = 0;
    let lastDelayMs = 0;

    let batch: Record<Kind, OutRecord[]> = { person: [], auction: [], bid: [] };
    let batchCount = 0;

    const flush = async () => {
        if (batchCount === 0) return;
        const out = batch;
        batch = { person: [], auction: [], bid: [] };
        batchCount = 0;
        await pacer.waitUntilDue(lastEvent);
        lastDelayMs = pacer.lagMs(lastEvent);
        maxScheduleDelayMs = Math.max(maxScheduleDelayMs, lastDelayMs);
        await sender.send(out);
    };

    try {
        pacer.start(startEpochMs);
        for (const range of job.ranges) {
            for (let n = range.first; n < range.first + range.count; n++) {
                const rec = generator.record(n);
                batch[rec.kind].push({ value: rec.json, partition: partitionOf(n, job.partitions[rec.kind]) });
                lastEvent = n;
                if (++batchCount >= batchSize) await flush();
            }
        }
        await flush();
        await sender.drain();
        report({ type: "done", acked: sender.acked, perKind: { ...sender.perKind }, maxScheduleDelayMs, lastDelayMs });
    } finally {
        await sender.disconnect();
    }
}

if (require.main === module && process.send) {
    // The first message is the job, the second the common start.
    const send = (m: WorkerMessage) => process.send?.(m);
    process.once("message", (job: ProducerJob) => {
        const go = () => new Promise<GoMessage>((resolve) => process.once("message", (m: GoMessage) => resolve(m)));
        runJob(job, send, go).then(
            () => process.disconnect(),
            (err: Error) => {
                send({ type: "error", message: err.message });
                process.disconnect();
                process.exitCode = 1;
            },
        );
    });
}
