// How one producer thread hands records to Kafka: through kafkajs or through Confluent's
// librdkafka-based client (loadClient.ts chooses). Both count only what the broker acknowledged,
// and both fail the run on the first delivery error rather than drop an event.
import { CompressionTypes, Kafka, logLevel, Message, Partitioners, Producer } from "kafkajs";
import { Compression, Kind } from "./job";
import { LoadClient } from "./loadClient";

export interface OutRecord {
    value: string;
    partition: number;
}

export interface Sender {
    connect(): Promise<void>;
    /** Hands a batch over; waits only while too much is unacknowledged. */
    send(batch: Record<Kind, OutRecord[]>): Promise<void>;
    /** Resolves when everything handed over is acknowledged; rejects with the first delivery error. */
    drain(): Promise<void>;
    readonly acked: number;
    readonly perKind: Record<Kind, number>;
    disconnect(): Promise<void>;
}

export interface SenderOptions {
    client: LoadClient;
    clientId: string;
    bootstrapServers: string[];
    topics: Record<Kind, string>;
    compression: Compression;
    /** kafkajs: batches in flight at once. */
    maxInFlight: number;
    /** Called as acknowledgements arrive (at most every 50 ms). */
    onAcked: (acked: number) => void;
}

const KINDS: Kind[] = ["person", "auction", "bid"];

export function createSender(opts: SenderOptions): Sender {
    return opts.client.kind === "confluent"
        ? new ConfluentSender(opts, opts.client.modulePath)
        : new KafkajsSender(opts);
}

/** Reports progress at most every 50 ms: enough for per-second windows, cheap at 200k events/s. */
function throttled(onAcked: (n: number) => void): (n: number) => void {
    let last = 0;
    return (n) => {
        const now = Date.now();
        if (now - last >= 50) {
            last = now;
            onAcked(n);
        }
    };
}

class KafkajsSender implements Sender {
    acked = 0;
    readonly perKind: Record<Kind, number> = { person: 0, auction: 0, bid: 0 };
    private readonly producer: Producer;
    private readonly inFlight = new Set<Promise<void>>();
    private failure?: Error;
    private readonly report: (n: number) => void;

    constructor(private readonly opts: SenderOptions) {
        const kafka = new Kafka({ clientId: opts.clientId, brokers: opts.bootstrapServers, logLevel: logLevel.WARN });
        // Partitions are always explicit; the partitioner only silences kafkajs' notice.
        this.producer = kafka.producer({
            allowAutoTopicCreation: false,
            idempotent: false,
            createPartitioner: Partitioners.DefaultPartitioner,
        });
        this.report = throttled(opts.onAcked);
    }

    connect(): Promise<void> {
        return this.producer.connect();
    }

    async send(batch: Record<Kind, OutRecord[]>): Promise<void> {
        while (this.inFlight.size >= this.opts.maxInFlight) await Promise.race(this.inFlight);
        if (this.failure) throw this.failure;
        const kinds = KINDS.filter((k) => batch[k].length > 0);
        const topicMessages = kinds.map((k) => ({ topic: this.opts.topics[k], messages: batch[k] as Message[] }));
        const compression = this.opts.compression === "gzip" ? CompressionTypes.GZIP : CompressionTypes.None;
        const p: Promise<void> = this.producer
            .sendBatch({ topicMessages, acks: 1, compression })
            .then(() => {
                for (const k of kinds) {
                    this.perKind[k] += batch[k].length;
                    this.acked += batch[k].length;
                }
                this.report(this.acked);
            })
            .catch((err: Error) => {
                this.failure ??= err;
            })
            .finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
    }

    async drain(): Promise<void> {
        await Promise.all(this.inFlight);
        if (this.failure) throw this.failure;
        this.opts.onAcked(this.acked);
    }

    disconnect(): Promise<void> {
        return this.producer.disconnect();
    }
}

/** The part of @confluentinc/kafka-javascript's native (non-KafkaJS) API used here. */
interface RdKafkaProducer {
    connect(metadataOptions: object, cb: (err: Error | null) => void): void;
    getMetadata(options: { topic: string; timeout: number }, cb: (err: Error | null) => void): void;
    produce(topic: string, partition: number, value: Buffer): unknown;
    setPollInterval(ms: number): void;
    poll(): void;
    flush(timeoutMs: number, cb: (err: Error | null) => void): void;
    disconnect(cb: (err: Error | null) => void): void;
    on(event: "delivery-report", cb: (err: Error | null, report: { topic: string }) => void): void;
    on(event: "event.stats", cb: (stats: { message: string }) => void): void;
}
interface RdKafkaModule {
    Producer: new (
        global: Record<string, string | number | boolean>,
        topic: Record<string, string | number | boolean>,
    ) => RdKafkaProducer;
    CODES: { ERRORS: Record<string, number> };
}

/**
 * librdkafka batches and sends on its own threads; JavaScript only enqueues. A delivery report per
 * record costs more CPU than sending it (measured here: 1M records of 280 B took 7-8 CPU s with
 * reports, 3.2 s without), so librdkafka reports only failures (delivery.report.only.error), and
 * progress is what has left its queue: records handed over minus msg_cnt, the records it still
 * holds (its statistics, every 100 ms). A failed record fails the run at once; the coordinator
 * then checks every partition's end offset against what was sent, so none is lost or doubled
 * unnoticed. A full local queue is waited out, never dropped.
 */
class ConfluentSender implements Sender {
    acked = 0;
    private readonly handedPerKind: Record<Kind, number> = { person: 0, auction: 0, bid: 0 };
    private handed = 0;
    private failure?: Error;
    private readonly producer: RdKafkaProducer;
    private readonly queueFull: number;
    private readonly report: (n: number) => void;
    /** Records allowed in librdkafka's queue before send() waits: bounds memory and the progress error. */
    private static readonly MAX_QUEUED = 200_000;

    constructor(
        private readonly opts: SenderOptions,
        modulePath: string,
    ) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const rd = require(modulePath) as RdKafkaModule;
        this.queueFull = rd.CODES.ERRORS.ERR__QUEUE_FULL;
        this.report = throttled(opts.onAcked);
        this.producer = new rd.Producer(
            {
                "client.id": opts.clientId,
                "bootstrap.servers": opts.bootstrapServers.join(","),
                // The load's delivery contract, as with kafkajs: the leader's acknowledgement.
                "request.required.acks": 1,
                "enable.idempotence": false,
                "compression.codec": opts.compression === "gzip" ? "gzip" : "none",
                "linger.ms": 5,
                // librdkafka's default (1,000,000) lets a slow broker collect hundreds of small
                // produce requests, which it answers one at a time per connection: under CPU
                // contention the first seconds of a 4,000 events/s load reached Kafka up to 1.7 s
                // late (364-482 requests awaiting a response). With 5, as Kafka's Java producer,
                // the records wait in librdkafka's queue instead and join the next request (lag at
                // most 198 ms in the first second, 126 ms after).
                "max.in.flight.requests.per.connection": 5,
                "batch.num.messages": 10_000,
                "queue.buffering.max.messages": 1_000_000,
                "queue.buffering.max.kbytes": 1_048_576,
                dr_cb: true,
                "delivery.report.only.error": true,
                "statistics.interval.ms": 100,
            },
            {},
        );
        this.producer.on("delivery-report", (err, report) => {
            this.failure ??= new Error(
                `delivery to ${report?.topic ?? "?"} failed: ${err?.message ?? "unknown error"}`,
            );
        });
        this.producer.on("event.stats", ({ message }) => {
            // msg_cnt was taken a moment before this handler runs, while JavaScript may have handed
            // over more: never count more than was handed, never go back.
            const queued = (JSON.parse(message) as { msg_cnt: number }).msg_cnt;
            this.acked = Math.max(this.acked, this.handed - queued);
            this.report(this.acked);
        });
    }

    /** What was handed over per kind; all of it once drain() succeeded. */
    get perKind(): Record<Kind, number> {
        return { ...this.handedPerKind };
    }

    connect(): Promise<void> {
        return new Promise((resolve, reject) =>
            this.producer.connect({}, (err) => {
                if (err) return reject(err);
                // Reports and statistics reach JavaScript only when the producer is polled.
                this.producer.setPollInterval(10);
                // Leaders known before the start: otherwise the first records wait for librdkafka
                // to look them up, and the measured window opens on that backlog draining.
                const topics = KINDS.map((k) => this.opts.topics[k]);
                let left = topics.length;
                for (const topic of topics) {
                    this.producer.getMetadata({ topic, timeout: 10_000 }, (e) => {
                        if (e) return reject(e);
                        if (--left === 0) resolve();
                    });
                }
            }),
        );
    }

    async send(batch: Record<Kind, OutRecord[]>): Promise<void> {
        while (this.handed - this.acked > ConfluentSender.MAX_QUEUED && !this.failure) await pause(2);
        if (this.failure) throw this.failure;
        for (const k of KINDS) {
            const topic = this.opts.topics[k];
            for (const r of batch[k]) {
                const value = Buffer.from(r.value);
                for (;;) {
                    try {
                        this.producer.produce(topic, r.partition, value);
                        break;
                    } catch (err) {
                        if ((err as { code?: number }).code !== this.queueFull) throw err;
                        this.producer.poll();
                        await pause(5);
                    }
                }
                this.handed++;
                this.handedPerKind[k]++;
            }
        }
    }

    async drain(): Promise<void> {
        // flush() returns once librdkafka's queue is empty: every record acknowledged or failed.
        await new Promise<void>((resolve, reject) =>
            this.producer.flush(120_000, (err) => (err ? reject(err) : resolve())),
        );
        // A failure's report may still wait for the next poll.
        this.producer.poll();
        await pause(20);
        if (this.failure) throw this.failure;
        this.acked = this.handed;
        this.opts.onAcked(this.acked);
    }

    disconnect(): Promise<void> {
        return new Promise((resolve) => this.producer.disconnect(() => resolve()));
    }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
