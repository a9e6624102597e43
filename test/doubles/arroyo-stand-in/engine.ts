// What the test double runs for a job: every record of the source tables' topics is copied
// unchanged to the sink table's topic, with real Kafka clients. It evaluates no SQL; it exists so
// the benchmark's measurement (Kafka progress, Arroyo's metrics, latency) meets Arroyo's
// behaviour. Each behaviour copied from Arroyo v0.15.0 names the file it follows.
import { Admin, Consumer, Kafka, logLevel, Producer } from "kafkajs";
import { retrying } from "../../../benchmark/kafka/admin";
import { assignedConsumer } from "../../../benchmark/kafka/assignedConsumer";
import { OffsetCommitter } from "../../../benchmark/kafka/commitOffsets";
import { COLLECTION_RATE_MS, JobMetrics, newCounters, SubtaskCounters } from "./metrics";
import { FileSinkTable, isKafkaTable, KafkaTable, NexmarkTable } from "./sql";
import { NexmarkGenerator } from "../../../benchmark/nexmark/generator";

/** Per (table, partition): the next offset to read, as a restored checkpoint holds it. */
export type CheckpointState = Map<string, Map<number, number>>;

export interface RunOptions {
    jobId: string;
    /** Logical operator ids, for Arroyo's default consumer group names. */
    sources: { table: KafkaTable; nodeId: number; operatorId: string }[];
    sink?: { table: KafkaTable | FileSinkTable; nodeId: number };
    /** Arroyo's built-in Nexmark source, when the query reads it. */
    nexmark?: { table: NexmarkTable; nodeId: number };
    parallelism: number;
    checkpointIntervalMs: number;
    /** The double's capacity: most records one source subtask reads per second (none: unbounded). */
    subtaskRateCap?: number;
    /** Offsets restored from the last checkpoint when a job restarts or recovers. */
    restored?: CheckpointState;
    /**
     * Test reference, not Arroyo behaviour: (time ms, records read so far) appended as the
     * sources read, so a test can ask afterwards what the double read between two instants.
     */
    readLog?: [number, number][];
}

/**
 * At most `rate` records per second over any span, with bursts of 100 ms: each take() moves a
 * theoretical finish time on by n / rate and waits while it runs more than 100 ms ahead.
 */
class RateLimiter {
    private finishAt = 0;
    constructor(private readonly rate: number) {}
    async take(n: number): Promise<void> {
        const now = Date.now();
        this.finishAt = Math.max(this.finishAt, now) + (n * 1000) / this.rate;
        const ahead = this.finishAt - now - 100;
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
    }
}

/** The record's event time as a Kafka timestamp, from its JSON `datetime`; none when it has none. */
function eventTimestamp(value: Buffer | null): { timestamp?: string } {
    const m = value ? /"datetime":"([^"]+)"/.exec(value.toString("utf8", 0, Math.min(value.length, 400))) : null;
    const t = m ? Date.parse(m[1].endsWith("Z") ? m[1] : `${m[1]}Z`) : NaN;
    return Number.isFinite(t) ? { timestamp: String(t) } : {};
}

/** The consumer group a Kafka source commits to (kafka/source/mod.rs, get_consumer). */
export function sourceGroupId(table: KafkaTable, jobId: string, operatorId: string): string {
    if (table.groupId) return table.groupId;
    if (table.groupIdPrefix) return `${table.groupIdPrefix}-arroyo-${jobId}-${operatorId}`;
    return `arroyo-${jobId}-${operatorId}-consumer`;
}

/** One subtask of a Kafka source table. */
class SourceSubtask {
    readonly counters = newCounters();
    /** Partition -> offset of the last record read (kafka/source/mod.rs keeps `offsets` like this). */
    readonly offsets = new Map<number, number>();
    private consumer?: Consumer;
    private stopped = false;

    constructor(
        private readonly kafka: Kafka,
        readonly table: KafkaTable,
        readonly index: number,
        readonly partitions: number[],
        private readonly consumerGroup: string,
        private readonly limiter: RateLimiter | undefined,
        private readonly forward: (subtask: number, values: (Buffer | null)[]) => Promise<void>,
    ) {}

    async start(startOffsets: Map<number, number>): Promise<void> {
        if (this.partitions.length === 0) return; // more subtasks than partitions: idle (kafka/source/mod.rs)
        this.consumer = await assignedConsumer(this.kafka, { groupId: this.consumerGroup, topic: this.table.topic, partitions: this.partitions, startOffsets, consumerConfig: { maxWaitTimeInMs: 100 } });
        await this.consumer.subscribe({ topic: this.table.topic });
        await this.consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
                const chunk = 500;
                for (let i = 0; i < batch.messages.length && !this.stopped; i += chunk) {
                    const part = batch.messages.slice(i, i + chunk);
                    await this.limiter?.take(part.length);
                    if (this.stopped) return;
                    // A source has no input queue: it counts what it sends downstream, never messages_recv
                    // (crates/arroyo-operator/src/context.rs ArrowCollector::collect; operator.rs counts
                    // messages_recv only where a batch is taken from an input queue).
                    this.counters.messages_sent += part.length;
                    this.counters.bytes_sent += part.reduce((s, m) => s + (m.value?.length ?? 0), 0);
                    await this.forward(this.index, part.map((m) => m.value));
                    this.offsets.set(batch.partition, Number(part[part.length - 1].offset));
                    resolveOffset(part[part.length - 1].offset);
                    await heartbeat();
                }
            },
        });
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.consumer?.disconnect().catch(() => undefined);
    }
}

/**
 * One subtask of Arroyo's Nexmark source: generates its share of event_rate (the rate is split
 * over the subtasks, crates/arroyo-connectors/src/nexmark/operator.rs), no faster than the
 * double's cap, and sends every event downstream (messages_sent; a source has no messages_recv).
 */
class NexmarkSubtask {
    readonly counters = newCounters();
    private stopped = false;
    private loop?: Promise<void>;
    private readonly generator: NexmarkGenerator;

    /** Events per step: 50 ms at the subtask's effective rate, so its output is steady, not bursts. */
    private readonly chunk: number;

    constructor(readonly index: number, private readonly parallelism: number, private readonly rate: number, cap: number | undefined, private readonly forward: (subtask: number, values: (Buffer | null)[]) => Promise<void>) {
        this.generator = new NexmarkGenerator({ seed: index + 1, baseTimeMs: Date.now(), eventsPerSecond: rate });
        this.limiter = cap ? new RateLimiter(cap) : undefined;
        this.chunk = Math.max(1, Math.min(2_000, Math.round(Math.min(rate / parallelism, cap ?? Infinity) * 0.05)));
    }

    private readonly limiter: RateLimiter | undefined;

    start(): void {
        const started = Date.now();
        let n = 0;
        this.loop = (async () => {
            while (!this.stopped) {
                const due = Math.floor(((Date.now() - started) * this.rate) / 1000 / this.parallelism);
                const count = Math.min(due - n, this.chunk);
                if (count <= 0) {
                    await new Promise((r) => setTimeout(r, 10));
                    continue;
                }
                await this.limiter?.take(count);
                const values: Buffer[] = [];
                for (let i = 0; i < count; i++) values.push(Buffer.from(this.generator.record(n++ * this.parallelism + this.index).json));
                this.counters.messages_sent += count;
                this.counters.bytes_sent += values.reduce((s, v) => s + v.length, 0);
                await this.forward(this.index, values);
            }
        })();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.loop?.catch(() => undefined);
    }
}

export class JobRun {
    readonly metrics: JobMetrics;
    readonly sources: SourceSubtask[] = [];
    readonly nexmarkSubtasks: NexmarkSubtask[] = [];
    readonly sinkCounters: SubtaskCounters[];
    /** Offsets of the last completed checkpoint, per table (next offset to read). */
    readonly checkpointed: CheckpointState = new Map();
    checkpoints = 0;
    private producer?: Producer;
    private admin?: Admin;
    private committer?: OffsetCommitter;
    private timers: NodeJS.Timeout[] = [];
    private checkpointing?: Promise<void>;

    constructor(private readonly opts: RunOptions) {
        this.sinkCounters = Array.from({ length: opts.parallelism }, newCounters);
        this.metrics = new JobMetrics([
            ...opts.sources.map((s) => ({ nodeId: s.nodeId, parallelism: opts.parallelism })),
            ...(opts.nexmark ? [{ nodeId: opts.nexmark.nodeId, parallelism: opts.parallelism }] : []),
            ...(opts.sink ? [{ nodeId: opts.sink.nodeId, parallelism: opts.parallelism }] : []),
        ]);
        for (const [t, c] of opts.restored ?? []) this.checkpointed.set(t, new Map(c));
    }

    /** Records each source subtask has read so far, summed (what the double "consumed"). */
    consumed(): number {
        return [...this.sources, ...this.nexmarkSubtasks].reduce((s, st) => s + st.counters.messages_sent, 0);
    }

    private starting?: Promise<void>;
    private stopped = false;

    /** Starts the run; a stop() meanwhile waits for it, so nothing started is left running. */
    start(): Promise<void> {
        this.starting = this.startAll();
        return this.starting;
    }

    private async startAll(): Promise<void> {
        const { opts } = this;
        const kafkaOf = (servers: string, id: string) => new Kafka({ clientId: `stand-in-${opts.jobId}-${id}`, brokers: servers.split(","), logLevel: logLevel.NOTHING });
        const kafkaSink = opts.sink && isKafkaTable(opts.sink.table) ? opts.sink.table : undefined;
        if (kafkaSink) {
            this.producer = kafkaOf(kafkaSink.bootstrapServers, "sink").producer({ allowAutoTopicCreation: false });
            await this.producer.connect();
        }
        const forward = async (subtask: number, values: (Buffer | null)[]) => {
            opts.readLog?.push([Date.now(), this.consumed()]);
            if (!opts.sink) return;
            // Arroyo's Kafka sink stamps each record with the row's _timestamp in ms
            // (crates/arroyo-connectors/src/kafka/sink/mod.rs); a row read from a source with
            // WATERMARK FOR datetime carries its datetime there. A filesystem sink's files are
            // not written: the double has no object store; it counts what the sink took in.
            if (this.producer && kafkaSink) await this.producer.send({ topic: kafkaSink.topic, messages: values.map((value) => ({ value, ...eventTimestamp(value) })) });
            // A sink's intake is its messages_recv; it sends nothing downstream (messages_sent stays 0).
            const c = this.sinkCounters[subtask];
            c.messages_recv += values.length;
            c.bytes_recv += values.reduce((s, v) => s + (v?.length ?? 0), 0);
        };
        const first = opts.sources[0]?.table.bootstrapServers ?? kafkaSink?.bootstrapServers;
        if (first) {
            const kafka = kafkaOf(first, "admin");
            this.admin = kafka.admin();
            await this.admin.connect();
            this.committer = new OffsetCommitter(kafka);
        }
        for (const src of opts.sources) {
            const kafka = kafkaOf(src.table.bootstrapServers, src.table.name);
            const startOffsets = await this.startOffsets(src.table, sourceGroupId(src.table, opts.jobId, src.operatorId));
            const partitions = [...startOffsets.keys()].sort((a, b) => a - b);
            const limiter = opts.subtaskRateCap ? () => new RateLimiter(opts.subtaskRateCap as number) : () => undefined;
            for (let i = 0; i < opts.parallelism; i++) {
                // Subtask i of n reads the partitions p with p mod n = i (kafka/source/mod.rs).
                const mine = partitions.filter((p) => p % opts.parallelism === i);
                const st = new SourceSubtask(kafka, src.table, i, mine, `stand-in-${opts.jobId}-${src.table.name}-${i}-${Date.now()}`, limiter(), forward);
                this.sources.push(st);
                // A subtask started after stop() would leave a consumer retrying its broker forever.
                if (this.stopped) return;
                await st.start(startOffsets);
            }
        }
        if (opts.nexmark) {
            for (let i = 0; i < opts.parallelism; i++) {
                const st = new NexmarkSubtask(i, opts.parallelism, opts.nexmark.table.eventRate, opts.subtaskRateCap, forward);
                this.nexmarkSubtasks.push(st);
                st.start();
            }
        }
        this.timers.push(setInterval(() => this.collect(), COLLECTION_RATE_MS));
        this.timers.push(setInterval(() => void this.checkpoint(), opts.checkpointIntervalMs));
    }

    /**
     * Where each partition starts (kafka/source/mod.rs get_consumer): a restored checkpoint's
     * offset; with restored state, a partition it does not know from the beginning; otherwise
     * 'source.offset': earliest, latest, or group (the group's committed offset, or the end
     * when it has none: librdkafka's auto.offset.reset defaults to latest).
     */
    private async startOffsets(table: KafkaTable, groupId: string): Promise<Map<number, number>> {
        const admin = this.admin as Admin;
        const topicOffsets = await retrying(`offsets of ${table.topic}`, () => admin.fetchTopicOffsets(table.topic));
        const restored = this.checkpointed.get(table.name);
        const committed = table.offset === "group" && !restored ? await retrying(`offsets of group ${groupId}`, () => admin.fetchOffsets({ groupId, topics: [table.topic] })) : [];
        const groupOffset = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        const out = new Map<number, number>();
        for (const p of topicOffsets) {
            const low = Number(p.low);
            const high = Number(p.high);
            let offset: number;
            if (restored) offset = restored.get(p.partition) ?? low;
            else if (table.offset === "earliest") offset = low;
            else if (table.offset === "group" && (groupOffset.get(p.partition) ?? -1) >= 0) offset = groupOffset.get(p.partition) as number;
            else offset = high;
            out.set(p.partition, offset);
        }
        return out;
    }

    private collect(): void {
        const sourceNode = new Map(this.opts.sources.map((s) => [s.nodeId, s.table.name]));
        this.metrics.collect((nodeId, subtask) => {
            if (this.opts.sink && nodeId === this.opts.sink.nodeId) return this.sinkCounters[subtask];
            if (this.opts.nexmark && nodeId === this.opts.nexmark.nodeId) return this.nexmarkSubtasks[subtask]?.counters ?? newCounters();
            const table = sourceNode.get(nodeId);
            return this.sources.find((s) => s.table.name === table && s.index === subtask)?.counters ?? newCounters();
        });
    }

    /**
     * A checkpoint, as a Kafka source takes it (kafka/source/mod.rs, ControlMessage::Checkpoint):
     * the state keeps offset + 1 per partition read, and the group gets the offset of the last
     * record read (not the next one), committed "just for progress tracking for metrics".
     */
    checkpoint(): Promise<void> {
        if (this.checkpointing) return this.checkpointing;
        const work = async () => {
            try {
                for (const src of this.opts.sources) {
                    const groupId = sourceGroupId(src.table, this.opts.jobId, src.operatorId);
                    const read = new Map<number, number>();
                    for (const st of this.sources.filter((s) => s.table.name === src.table.name)) for (const [p, o] of st.offsets) read.set(p, o);
                    if (read.size === 0) continue;
                    const state = this.checkpointed.get(src.table.name) ?? new Map<number, number>();
                    for (const [p, o] of read) state.set(p, o + 1);
                    this.checkpointed.set(src.table.name, state);
                    await this.committer?.commit(groupId, src.table.topic, [...read].map(([partition, offset]) => ({ partition, offset })));
                }
                this.checkpoints++;
            } catch (err) {
                // Arroyo only warns when the commit fails ("Failed to commit offset to Kafka").
                console.warn(`stand-in: failed to commit offsets to Kafka: ${(err as Error).message}`);
            }
        };
        // Cleared in a later tick, also when the work finishes without awaiting anything.
        this.checkpointing = work().finally(() => (this.checkpointing = undefined));
        return this.checkpointing;
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.starting?.catch(() => undefined);
        this.timers.forEach(clearInterval);
        this.timers = [];
        await Promise.all([...this.sources, ...this.nexmarkSubtasks].map((s) => s.stop()));
        await this.checkpointing;
        await this.producer?.disconnect().catch(() => undefined);
        await this.committer?.disconnect().catch(() => undefined);
        await this.admin?.disconnect().catch(() => undefined);
    }
}
