// One producer thread: generates its share of the events, paces and sends them, reports acks.
import { CompressionTypes, Kafka, logLevel, Message, Partitioners } from "kafkajs";
import { parentPort, workerData } from "worker_threads";
import { NexmarkGenerator } from "../nexmark/generator";
import { GoMessage, Kind, ProducerJob, WorkerMessage } from "./job";
import { Pacer } from "./pacing";
import { partitionOf } from "./plan";

const post = (m: WorkerMessage) => parentPort?.postMessage(m);

/** Connects, reports ready, waits for the common start, then sends its ranges at its share of the rate. */
export async function runJob(job: ProducerJob, report: (m: WorkerMessage) => void, go: () => Promise<GoMessage>): Promise<void> {
    const kafka = new Kafka({ clientId: `arroyo-pi-nexmark-${job.workerIndex}`, brokers: job.bootstrapServers, logLevel: logLevel.WARN });
    // Partitions are always explicit (partitionOf); the partitioner only silences kafkajs' notice.
    const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: false, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    report({ type: "ready" });
    const { startEpochMs } = await go();
    const generator = new NexmarkGenerator({ seed: job.seed, baseTimeMs: job.baseTimeMs ?? startEpochMs, eventsPerSecond: job.eventsPerSecond });

    const compression = job.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;
    // One global schedule: event n is due at start + n / rate, whichever thread sends it (threads
    // take disjoint n), so an event's time and its due send time are the same instant.
    const pacer = new Pacer(job.eventsPerSecond);
    // A batch goes out when its last event is due, so it is never early; keeping batches to
    // about 20 ms of events at the target rate keeps the first event at most that late.
    const batchSize = Math.max(1, Math.min(job.batchSize, Math.round(job.threadEventsPerSecond * 0.02)));
    const perKind: Record<Kind, number> = { person: 0, auction: 0, bid: 0 };
    const inFlight = new Set<Promise<void>>();
    let acked = 0;
    let lastEvent = -1;
    let maxScheduleDelayMs = 0;
    let lastDelayMs = 0;
    let failure: Error | undefined;
    let lastReport = 0;

    const batch: Record<Kind, Message[]> = { person: [], auction: [], bid: [] };
    let batchCount = 0;

    const flush = async () => {
        if (batchCount === 0) return;
        const topicMessages = (Object.keys(batch) as Kind[])
            .filter((k) => batch[k].length > 0)
            .map((k) => ({ topic: job.topics[k], messages: batch[k] }));
        const counts = { person: batch.person.length, auction: batch.auction.length, bid: batch.bid.length };
        const size = batchCount;
        batch.person = [];
        batch.auction = [];
        batch.bid = [];
        batchCount = 0;

        await pacer.waitUntilDue(lastEvent);
        lastDelayMs = pacer.lagMs(lastEvent);
        maxScheduleDelayMs = Math.max(maxScheduleDelayMs, lastDelayMs);
        while (inFlight.size >= job.maxInFlight) await Promise.race(inFlight);
        if (failure) throw failure;
        const p: Promise<void> = producer
            .sendBatch({ topicMessages, acks: 1, compression })
            .then(() => {
                acked += size;
                for (const k of Object.keys(counts) as Kind[]) perKind[k] += counts[k];
                const now = Date.now();
                if (now - lastReport >= 50) {
                    lastReport = now;
                    report({ type: "progress", acked, atEpochMs: now });
                }
            })
            .catch((err: Error) => {
                failure ??= err;
            })
            .finally(() => inFlight.delete(p));
        inFlight.add(p);
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
        await Promise.all(inFlight);
        if (failure) throw failure;
        report({ type: "progress", acked, atEpochMs: Date.now() });
        report({ type: "done", acked, perKind, maxScheduleDelayMs, lastDelayMs });
    } finally {
        await producer.disconnect();
    }
}

if (parentPort && workerData) {
    const port = parentPort;
    const go = () => new Promise<GoMessage>((resolve) => port.once("message", (m: GoMessage) => resolve(m)));
    runJob(workerData as ProducerJob, post, go).catch((err: Error) => post({ type: "error", message: err.message }));
}
