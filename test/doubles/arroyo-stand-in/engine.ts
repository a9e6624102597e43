// What the test double runs for a job, with real Kafka clients: a query without a window has every
// record of its source tables' topics copied unchanged to the sink table's topic (it filters,
// maps, joins and aggregates nothing); a query with an event-time window has each window's result
// computed by SQLite when the window closes (windowQuery.ts). It exists so the benchmark's
// measurement (Kafka progress, Arroyo's metrics, checkpoints, latency) meets Arroyo's behaviour.
// Each behaviour copied from Arroyo v0.15.0 names the file it follows.
import { Admin, Consumer, Kafka, logLevel, Producer } from "kafkajs";
import { retrying } from "../../../benchmark/kafka/admin";
import { assignedConsumer } from "../../../benchmark/kafka/assignedConsumer";
import { OffsetCommitter } from "../../../benchmark/kafka/commitOffsets";
import { COLLECTION_RATE_MS, JobMetrics, newCounters, SubtaskCounters } from "./metrics";
import { FileSinkTable, isKafkaTable, KafkaTable, NexmarkTable, WindowSpec } from "./sql";
import { WindowQuery, WindowRow } from "./windowQuery";
import { NexmarkGenerator } from "../../../benchmark/nexmark/generator";

/** Per (table, partition): the next offset to read, as a restored checkpoint holds it. */
export type CheckpointState = Map<string, Map<number, number>>;

/** One checkpoint as the controller records it (crates/arroyo-controller/src/job_controller/mod.rs start_checkpoint). */
export interface CheckpointRecord {
    epoch: number;
    startMs: number;
    finishMs: number | null;
    /** Marked compacted by the controller's cleanup: the API no longer lists it (api_queries.sql get_job_checkpoints). */
    compacted: boolean;
}

/** The job's checkpoint bookkeeping, kept by the pipeline across runs (epochs go on after a restore). */
export interface CheckpointLog {
    epoch: number;
    minEpoch: number;
    records: CheckpointRecord[];
    /** Offsets of the last completed checkpoint: where a new run resumes. */
    completed?: CheckpointState;
}

export interface RunOptions {
    jobId: string;
    /** Logical operator ids, for Arroyo's default consumer group names. */
    sources: { table: KafkaTable; nodeId: number; operatorId: string }[];
    sink?: { table: KafkaTable | FileSinkTable; nodeId: number };
    /** The operators between sources and sink (Arroyo's chained value and window operators). */
    middleNodeId?: number;
    /** Arroyo's built-in Nexmark source, when the query reads it. */
    nexmark?: { table: NexmarkTable; nodeId: number };
    /**
     * The query's event-time window, when it has one: its output waits for the watermark, and is
     * what the query computes over each window (`sql`, the pipeline's SQL; `tables`, the tables
     * and views it reads).
     */
    window?: { spec: WindowSpec; sql: string; tables: string[] };
    parallelism: number;
    checkpointIntervalMs: number;
    /** How long a checkpoint takes from its start to its completion (writing state, in Arroyo). */
    checkpointDurationMs: number;
    checkpoints: CheckpointLog;
    /** The double's capacity: most records one source subtask reads per second (none: unbounded). */
    subtaskRateCap?: number;
    /**
     * Test reference, not Arroyo behaviour: (time ms, records read so far) appended as the
     * sources read, so a test can ask afterwards what the double read between two instants.
     */
    readLog?: [number, number][];
}

/** running.rs: the controller's loop wakes every 200 ms to check checkpoints and metrics. */
const CONTROLLER_TICK_MS = 200;
/** job_controller/mod.rs CHECKPOINTS_TO_KEEP and COMPACT_EVERY: the cleanup keeps the last 4 epochs. */
const CHECKPOINTS_TO_KEEP = 4;
const COMPACT_EVERY = 2;

/**
 * At most `rate` records per second over any span, with bursts of 100 ms: each take() moves a
 * theoretical finish time on by n / rate and waits while it runs more than 100 ms ahead.
 */
class RateLimiter {
    private finishAt = 0;
    constructor(private readonly rate: number) {}
    /** Waits as the capped pipeline would make the source wait; true when it held the source back. */
    async take(n: number): Promise<boolean> {
        const now = Date.now();
        this.finishAt = Math.max(this.finishAt, now) + (n * 1000) / this.rate;
        const ahead = this.finishAt - now - 100;
        if (ahead > 0) await new Promise((r) => setTimeout(r, ahead));
        return ahead > 0;
    }
}

/**
 * The double's rate cap stands for a pipeline slower than its source. In Arroyo such a pipeline
 * fills the source's output queue, and the source's backpressure gauge reads that queue's fill when
 * it gets data (crates/arroyo-operator/src/context.rs): full while the cap holds the source back,
 * empty while it does not.
 */
function queueFill(counters: SubtaskCounters, heldBack: boolean): void {
    counters.tx_queue_rem = heldBack ? 0 : counters.tx_queue_size;
}

/** The record's event time (its JSON `datetime`), ms; NaN when it has none. */
function eventTime(value: Buffer | null): number {
    const m = value ? /"datetime":"([^"]+)"/.exec(value.toString("utf8", 0, Math.min(value.length, 400))) : null;
    return m ? Date.parse(m[1].endsWith("Z") ? m[1] : `${m[1]}Z`) : NaN;
}

/** The consumer group a Kafka source commits to (kafka/source/mod.rs, get_consumer). */
export function sourceGroupId(table: KafkaTable, jobId: string, operatorId: string): string {
    if (table.groupId) return table.groupId;
    if (table.groupIdPrefix) return `${table.groupIdPrefix}-arroyo-${jobId}-${operatorId}`;
    return `arroyo-${jobId}-${operatorId}-consumer`;
}

/** A batch on its way downstream: the source subtask that read it, the values and each value's table. */
type Forward = (subtask: number, values: (Buffer | null)[], tables: string[]) => Promise<void>;

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
        private readonly forward: Forward,
    ) {}

    async start(startOffsets: Map<number, number>): Promise<void> {
        if (this.partitions.length === 0) return; // more subtasks than partitions: idle (kafka/source/mod.rs)
        this.consumer = await assignedConsumer(this.kafka, {
            groupId: this.consumerGroup,
            topic: this.table.topic,
            partitions: this.partitions,
            startOffsets,
            consumerConfig: { maxWaitTimeInMs: 100 },
        });
        await this.consumer.subscribe({ topic: this.table.topic });
        await this.consumer.run({
            autoCommit: false,
            eachBatchAutoResolve: false,
            eachBatch: async ({ batch, heartbeat, resolveOffset }) => {
                const chunk = 500;
                for (let i = 0; i < batch.messages.length && !this.stopped; i += chunk) {
                    const part = batch.messages.slice(i, i + chunk);
                    queueFill(this.counters, (await this.limiter?.take(part.length)) ?? false);
                    if (this.stopped) return;
                    // A source has no input queue: it counts what it sends downstream, never messages_recv
                    // (crates/arroyo-operator/src/context.rs ArrowCollector::collect; operator.rs counts
                    // messages_recv only where a batch is taken from an input queue).
                    this.counters.messages_sent += part.length;
                    await this.forward(
                        this.index,
                        part.map((m) => m.value),
                        part.map(() => this.table.name),
                    );
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
 * Event n is stamped base + n / event_rate whatever rate the subtask reaches (operator.rs), so a
 * subtask slower than its share falls behind in event time.
 */
class NexmarkSubtask {
    readonly counters = newCounters();
    private stopped = false;
    private loop?: Promise<void>;
    private readonly generator: NexmarkGenerator;
    private readonly limiter: RateLimiter | undefined;
    /** Events per step: 50 ms at the subtask's effective rate, so its output is steady, not bursts. */
    private readonly chunk: number;

    constructor(
        readonly index: number,
        private readonly parallelism: number,
        private readonly rate: number,
        cap: number | undefined,
        private readonly forward: Forward,
    ) {
        this.generator = new NexmarkGenerator({ seed: index + 1, baseTimeMs: Date.now(), eventsPerSecond: rate });
        this.limiter = cap ? new RateLimiter(cap) : undefined;
        this.chunk = Math.max(1, Math.min(2_000, Math.round(Math.min(rate / parallelism, cap ?? Infinity) * 0.05)));
    }

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
                queueFill(this.counters, (await this.limiter?.take(count)) ?? false);
                const values: Buffer[] = [];
                const tables: string[] = [];
                for (let i = 0; i < count; i++) {
                    const record = this.generator.record(n++ * this.parallelism + this.index);
                    values.push(Buffer.from(record.json));
                    // The queries read the connector's rows through one view per kind (sources-nexmark.sql).
                    tables.push(record.kind);
                }
                this.counters.messages_sent += count;
                await this.forward(this.index, values, tables);
            }
        })();
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.loop?.catch(() => undefined);
    }
}

/** One key's session: its first and last rows' times, and its rows. */
interface Session {
    first: number;
    last: number;
    rows: WindowRow[];
}

/**
 * A window operator's timing, as Arroyo v0.15.0 times it; what a closed window writes is
 * WindowQuery's (windowQuery.ts):
 * - Each source subtask's watermark generator (crates/arroyo-worker/src/arrow/watermark_generator.rs
 *   process_batch ~160-197) passes the batch on, then sends the batch's smallest `datetime - 4 s`
 *   (the tables' WATERMARK FOR datetime AS datetime - INTERVAL '4' SECOND) only when the batch's
 *   largest event time is more than the period past the one it last sent at (1 s:
 *   arroyo-planner/src/extension/watermark_node.rs period_micros), starting from the epoch.
 * - An operator's watermark is the least of its inputs' last watermarks, and there is none until
 *   every input has sent one (crates/arroyo-operator/src/context.rs WatermarkHolder).
 * - Tumbling and sliding windows drop a row only when its bin started before the watermark's bin
 *   (tumbling_aggregating_window.rs ~279-287, sliding_aggregating_window.rs ~631-633), session
 *   windows when its time is before the watermark (session_aggregating_window.rs ~287-295).
 * - Sliding windows (tumbling ones are the case slide = width) advance one bin at a time while the
 *   next bin's end is at or before the watermark's bin, and each advance emits the window
 *   [bin_end - width, bin_end) when any of its bins holds rows (sliding_aggregating_window.rs
 *   should_advance, advance; an advance with no rows in the window left emits nothing).
 * - A session is one key's: a row joins it when its time is before the last row's time + gap
 *   (session_aggregating_window.rs add_batch), and it closes once last + gap is before the
 *   watermark (watermark_update); its end is last + gap (finish: window_end).
 * Rows leave stamped with their window's end - 1 ms: the output's _timestamp is the window's end
 * - 1 ns (to_record_batch), which the Kafka sink writes in ms (kafka/sink/mod.rs).
 */
export class WindowTiming {
    /** Per source subtask: the largest event time of the batch it last sent a watermark with. */
    private readonly emittedAt = new Map<number, number>();
    /** Per source subtask: the last watermark it sent. */
    private readonly inputs = new Map<number, number>();
    private lastPresent: number | undefined;
    /** Tumbling and sliding windows: rows by the end of their bin. */
    private readonly bins = new Map<number, WindowRow[]>();
    /** The last window end the operator advanced past. */
    private advancedTo = -Infinity;
    /** Session windows: each key's open sessions. */
    private readonly sessions = new Map<string, Session[]>();
    dropped = 0;

    constructor(
        private readonly spec: WindowSpec,
        /** The operator's inputs: every source subtask. */
        private readonly inputCount: number,
        /**
         * How far the watermark trails event time: the Kafka tables' WATERMARK clause (4 s), or for
         * the Nexmark connector, which declares none, the planner's default `_timestamp - 1 s`
         * (arroyo-planner/src/rewriters.rs ~72-81).
         */
        private readonly delayMs = WATERMARK_DELAY_MS,
        /** A session's key: the values of the query's GROUP BY columns beside the session call. */
        private readonly sessionKey: (value: Buffer | null) => string = () => "",
    ) {}

    private binStart(t: number): number {
        return this.spec.kind === "session" ? t : Math.floor(t / this.spec.slideMs) * this.spec.slideMs;
    }

    /** The operator's watermark: undefined until every input has sent one. */
    get watermark(): number | undefined {
        return this.lastPresent;
    }

    private late(t: number): boolean {
        const wm = this.lastPresent;
        if (wm === undefined) return false;
        return this.spec.kind === "session" ? t < wm : this.binStart(t) < this.binStart(wm);
    }

    private keep(row: WindowRow, t: number): void {
        const { spec } = this;
        if (spec.kind !== "session") {
            const end = this.binStart(t) + spec.slideMs;
            const bin = this.bins.get(end) ?? [];
            bin.push(row);
            this.bins.set(end, bin);
            return;
        }
        const key = this.sessionKey(row.value);
        const open = this.sessions.get(key) ?? [];
        // The sessions this row touches merge into one (a row within the gap of either side).
        const touched = open.filter((s) => t < s.last + spec.gapMs && t + spec.gapMs > s.first);
        const merged: Session = {
            first: Math.min(t, ...touched.map((s) => s.first)),
            last: Math.max(t, ...touched.map((s) => s.last)),
            rows: [...touched.flatMap((s) => s.rows), row],
        };
        this.sessions.set(key, [...open.filter((s) => !touched.includes(s)), merged]);
    }

    /**
     * Takes one source subtask's batch (`tables[i]` names the table of `values[i]`); returns the
     * windows the watermark closed, oldest first, each with its rows.
     */
    take(subtask: number, values: (Buffer | null)[], tables: string[] = []): { end: number; rows: WindowRow[] }[] {
        const times = values.map(eventTime);
        values.forEach((value, i) => {
            const t = times[i];
            if (!Number.isFinite(t) || this.late(t)) {
                this.dropped++;
                return;
            }
            this.keep({ table: tables[i] ?? "", value }, t);
        });
        // The batch went on first; then, maybe, its watermark.
        const finite = times.filter((t) => Number.isFinite(t));
        if (finite.length) {
            const max = Math.max(...finite);
            if (max - (this.emittedAt.get(subtask) ?? 0) > WATERMARK_PERIOD_MS) {
                this.inputs.set(subtask, Math.min(...finite) - this.delayMs);
                this.emittedAt.set(subtask, max);
                if (this.inputs.size === this.inputCount) this.lastPresent = Math.min(...this.inputs.values());
            }
        }
        const wm = this.lastPresent;
        if (wm === undefined) return [];
        return this.spec.kind === "session" ? this.closeSessions(wm, this.spec.gapMs) : this.advance(wm, this.spec);
    }

    private advance(wm: number, spec: { slideMs: number; widthMs: number }): { end: number; rows: WindowRow[] }[] {
        const through = this.binStart(wm);
        if (through <= this.advancedTo) return [];
        // Every window end after the last advance, up to the watermark's bin, whose window holds a bin with rows.
        const ends = new Set<number>();
        for (const binEnd of this.bins.keys())
            for (let end = binEnd; end < binEnd + spec.widthMs; end += spec.slideMs)
                if (end > this.advancedTo && end <= through) ends.add(end);
        const out = [...ends]
            .sort((a, b) => a - b)
            .map((end) => ({
                end,
                rows: [...this.bins]
                    .filter(([binEnd]) => binEnd > end - spec.widthMs && binEnd <= end)
                    .sort(([a], [b]) => a - b)
                    .flatMap(([, rows]) => rows),
            }));
        this.advancedTo = through;
        // No later window holds a bin ending at or before through + slide - width.
        for (const binEnd of [...this.bins.keys()])
            if (binEnd <= through + spec.slideMs - spec.widthMs) this.bins.delete(binEnd);
        return out;
    }

    private closeSessions(wm: number, gapMs: number): { end: number; rows: WindowRow[] }[] {
        const out: { end: number; rows: WindowRow[] }[] = [];
        for (const [key, open] of this.sessions) {
            const closing = open.filter((s) => s.last + gapMs < wm);
            if (!closing.length) continue;
            out.push(...closing.map((s) => ({ end: s.last + gapMs, rows: s.rows })));
            const left = open.filter((s) => !closing.includes(s));
            if (left.length) this.sessions.set(key, left);
            else this.sessions.delete(key);
        }
        return out.sort((a, b) => a.end - b.end);
    }
}

/** watermark_node.rs period_micros: a source subtask sends a watermark at most once per second of event time. */
const WATERMARK_PERIOD_MS = 1_000;
/** The Kafka tables' WATERMARK FOR datetime AS datetime - INTERVAL '4' SECOND. */
const WATERMARK_DELAY_MS = 4_000;
/** The planner's default watermark where a source declares none, as the Nexmark connector: _timestamp - 1 s (rewriters.rs ~72-81). */
const NEXMARK_WATERMARK_DELAY_MS = 1_000;

export class JobRun {
    readonly metrics: JobMetrics;
    readonly sources: SourceSubtask[] = [];
    readonly nexmarkSubtasks: NexmarkSubtask[] = [];
    readonly middleCounters: SubtaskCounters[];
    readonly sinkCounters: SubtaskCounters[];
    private windowTiming?: WindowTiming;
    private windowQuery?: WindowQuery;
    private producer?: Producer;
    private admin?: Admin;
    private committer?: OffsetCommitter;
    private timers: NodeJS.Timeout[] = [];
    private checkpointInFlight = false;
    private lastCheckpointMs: number;
    private lastCollectMs = 0;
    private readonly restored?: CheckpointState;

    constructor(private readonly opts: RunOptions) {
        this.sinkCounters = Array.from({ length: opts.parallelism }, newCounters);
        this.middleCounters = Array.from({ length: opts.parallelism }, newCounters);
        this.metrics = new JobMetrics([
            ...opts.sources.map((s) => ({ nodeId: s.nodeId, parallelism: opts.parallelism })),
            ...(opts.nexmark ? [{ nodeId: opts.nexmark.nodeId, parallelism: opts.parallelism }] : []),
            ...(opts.middleNodeId !== undefined ? [{ nodeId: opts.middleNodeId, parallelism: opts.parallelism }] : []),
            ...(opts.sink ? [{ nodeId: opts.sink.nodeId, parallelism: opts.parallelism }] : []),
        ]);
        if (opts.checkpoints.completed)
            this.restored = new Map([...opts.checkpoints.completed].map(([t, c]) => [t, new Map(c)]));
        // job_controller/mod.rs (RunningJobModel): the first checkpoint is delayed by a random
        // fraction of the interval, "so that on controller restart, checkpoint times are staggered".
        this.lastCheckpointMs = Date.now() + Math.random() * opts.checkpointIntervalMs;
    }

    /** Records each source subtask has read so far, summed (what the double "consumed"). */
    consumed(): number {
        return [...this.sources, ...this.nexmarkSubtasks].reduce((s, st) => s + st.counters.messages_sent, 0);
    }

    /** Rows a window dropped as late. */
    lateRowsDropped(): number {
        return this.windowTiming?.dropped ?? 0;
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
        const kafkaOf = (servers: string, id: string) =>
            new Kafka({
                clientId: `stand-in-${opts.jobId}-${id}`,
                brokers: servers.split(","),
                logLevel: logLevel.NOTHING,
            });
        const kafkaSink = opts.sink && isKafkaTable(opts.sink.table) ? opts.sink.table : undefined;
        if (kafkaSink) {
            this.producer = kafkaOf(kafkaSink.bootstrapServers, "sink").producer({ allowAutoTopicCreation: false });
            await this.producer.connect();
        }
        const first = opts.sources[0]?.table.bootstrapServers ?? kafkaSink?.bootstrapServers;
        if (first) {
            const kafka = kafkaOf(first, "admin");
            this.admin = kafka.admin();
            await this.admin.connect();
            this.committer = new OffsetCommitter(kafka);
        }
        if (opts.window) {
            const query = await WindowQuery.create(opts.window.sql, opts.window.tables, opts.sink?.table.name ?? "");
            this.windowQuery = query;
            const keyOf = (value: Buffer | null): string => {
                const json = value ? (JSON.parse(value.toString("utf8")) as Record<string, unknown>) : {};
                return JSON.stringify(query.sessionKey.map((c) => json[c] ?? null));
            };
            this.windowTiming = new WindowTiming(
                opts.window.spec,
                Math.max(1, opts.sources.length) * opts.parallelism,
                opts.nexmark ? NEXMARK_WATERMARK_DELAY_MS : WATERMARK_DELAY_MS,
                keyOf,
            );
        }
        const forward: Forward = (subtask, values, tables) => this.forward(subtask, values, tables);
        for (const [s, src] of opts.sources.entries()) {
            // The window operator's inputs are every subtask of every source (context.rs WatermarkHolder: one per input).
            const forwardFrom: Forward = (subtask, values, tables) =>
                this.forward(subtask, values, tables, s * opts.parallelism + subtask);
            const kafka = kafkaOf(src.table.bootstrapServers, src.table.name);
            const startOffsets = await this.startOffsets(
                src.table,
                sourceGroupId(src.table, opts.jobId, src.operatorId),
            );
            const byPosition = await this.partitionsInMetadataOrder(src.table.topic);
            const limiter = opts.subtaskRateCap
                ? () => new RateLimiter(opts.subtaskRateCap as number)
                : () => undefined;
            for (let i = 0; i < opts.parallelism; i++) {
                // Subtask i of n reads the partitions at positions p of the topic's metadata with
                // p mod n = i (kafka/source/mod.rs get_consumer: partitions().iter().enumerate()).
                const mine = byPosition.filter((_, position) => position % opts.parallelism === i);
                const st = new SourceSubtask(
                    kafka,
                    src.table,
                    i,
                    mine,
                    `stand-in-${opts.jobId}-${src.table.name}-${i}-${Date.now()}`,
                    limiter(),
                    forwardFrom,
                );
                this.sources.push(st);
                // A subtask started after stop() would leave a consumer retrying its broker forever.
                if (this.stopped) return;
                await st.start(startOffsets);
            }
        }
        if (opts.nexmark) {
            for (let i = 0; i < opts.parallelism; i++) {
                const st = new NexmarkSubtask(
                    i,
                    opts.parallelism,
                    opts.nexmark.table.eventRate,
                    opts.subtaskRateCap,
                    forward,
                );
                this.nexmarkSubtasks.push(st);
                st.start();
            }
        }
        this.timers.push(setInterval(() => this.tick(), CONTROLLER_TICK_MS));
    }

    /**
     * A source batch through the middle operator to the sink: unchanged for a query without a
     * window, and for one with a window what the query computes over each window it closed.
     */
    private async forward(
        subtask: number,
        values: (Buffer | null)[],
        tables: string[],
        input = subtask,
    ): Promise<void> {
        const { opts } = this;
        opts.readLog?.push([Date.now(), this.consumed()]);
        this.middleCounters[subtask].messages_recv += values.length;
        const timing = this.windowTiming;
        const query = this.windowQuery;
        const out =
            timing && query
                ? timing.take(input, values, tables).map((w) => ({
                      values: query.evaluate(w.end, w.rows) as (Buffer | null)[],
                      timestamp: String(w.end - 1),
                  }))
                : [{ values, timestamp: undefined }];
        for (const batch of out) {
            this.middleCounters[subtask].messages_sent += batch.values.length;
            if (!opts.sink || batch.values.length === 0) continue;
            // Arroyo's Kafka sink stamps each record with the row's _timestamp in ms
            // (crates/arroyo-connectors/src/kafka/sink/mod.rs): a row read from a source with
            // WATERMARK FOR datetime carries its datetime there, a window's output its end - 1 ns.
            // A filesystem sink's files are not written (the double has no object store): it
            // counts what the sink took in.
            if (this.producer && opts.sink && isKafkaTable(opts.sink.table)) {
                const topic = opts.sink.table.topic;
                await this.producer.send({
                    topic,
                    messages: batch.values.map((value) => {
                        const t =
                            batch.timestamp ??
                            (Number.isFinite(eventTime(value)) ? String(eventTime(value)) : undefined);
                        return { value, ...(t ? { timestamp: t } : {}) };
                    }),
                });
            }
            // A sink's intake is its messages_recv; it sends nothing downstream (messages_sent stays 0).
            this.sinkCounters[subtask].messages_recv += batch.values.length;
        }
    }

    private async partitionsInMetadataOrder(topic: string): Promise<number[]> {
        const admin = this.admin as Admin;
        const meta = await retrying(`metadata of ${topic}`, () => admin.fetchTopicMetadata({ topics: [topic] }));
        return (meta.topics[0]?.partitions ?? []).map((p) => p.partitionId);
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
        const restored = this.restored?.get(table.name);
        const committed =
            table.offset === "group" && !restored
                ? await retrying(`offsets of group ${groupId}`, () =>
                      admin.fetchOffsets({ groupId, topics: [table.topic] }),
                  )
                : [];
        const groupOffset = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        const out = new Map<number, number>();
        for (const p of topicOffsets) {
            const low = Number(p.low);
            const high = Number(p.high);
            let offset: number;
            if (restored) offset = restored.get(p.partition) ?? low;
            else if (table.offset === "earliest") offset = low;
            else if (table.offset === "group" && (groupOffset.get(p.partition) ?? -1) >= 0)
                offset = groupOffset.get(p.partition) as number;
            else offset = high;
            out.set(p.partition, offset);
        }
        return out;
    }

    /**
     * The controller's loop for this job (states/running.rs, job_controller/mod.rs progress()): a
     * checkpoint starts once `checkpoint_interval` has passed since the previous one *finished*,
     * only one at a time; metrics are collected once COLLECTION_RATE has passed since the last
     * collection. Both are checked on the loop's 200 ms tick, so each comes up to 0.2 s late.
     */
    private tick(): void {
        const now = Date.now();
        if (!this.checkpointInFlight && now - this.lastCheckpointMs > this.opts.checkpointIntervalMs) this.checkpoint();
        if (now - this.lastCollectMs > COLLECTION_RATE_MS) {
            this.lastCollectMs = now;
            this.collect();
        }
    }

    private collect(): void {
        const sourceNode = new Map(this.opts.sources.map((s) => [s.nodeId, s.table.name]));
        this.metrics.collect((nodeId, subtask) => {
            if (this.opts.sink && nodeId === this.opts.sink.nodeId) return this.sinkCounters[subtask];
            if (nodeId === this.opts.middleNodeId) return this.middleCounters[subtask];
            if (this.opts.nexmark && nodeId === this.opts.nexmark.nodeId)
                return this.nexmarkSubtasks[subtask]?.counters ?? newCounters();
            const table = sourceNode.get(nodeId);
            return this.sources.find((s) => s.table.name === table && s.index === subtask)?.counters ?? newCounters();
        });
    }

    /**
     * One checkpoint (job_controller/mod.rs start_checkpoint, finish_checkpoint_if_done): the
     * epoch goes up, and each Kafka source subtask, as the barrier reaches it, keeps offset + 1
     * per partition it read in its state and commits the offset of the last record read (not the
     * next one) for its own partitions, asynchronously, "just for progress tracking for metrics":
     * a failed commit only logs a warning (kafka/source/mod.rs, ControlMessage::Checkpoint); then
     * the row is recorded with its start time. The checkpoint completes after the configured
     * duration; the next one is timed from that completion. Then the cleanup marks all but the
     * last CHECKPOINTS_TO_KEEP epochs compacted on every COMPACT_EVERY-th epoch.
     */
    private checkpoint(): void {
        const log = this.opts.checkpoints;
        log.epoch += 1;
        this.checkpointInFlight = true;
        const state: CheckpointState = new Map(
            [...(log.completed ?? new Map<string, Map<number, number>>())].map(([t, c]) => [t, new Map(c)]),
        );
        for (const st of this.sources) {
            if (st.offsets.size === 0) continue;
            const table = new Map(state.get(st.table.name) ?? []);
            for (const [p, o] of st.offsets) table.set(p, o + 1);
            state.set(st.table.name, table);
            const src = this.opts.sources.find((s) => s.table.name === st.table.name);
            if (!src || !this.committer) continue;
            const groupId = sourceGroupId(src.table, this.opts.jobId, src.operatorId);
            void this.committer
                .commit(
                    groupId,
                    st.table.topic,
                    [...st.offsets].map(([partition, offset]) => ({ partition, offset })),
                )
                .catch((err: Error) => console.warn(`stand-in: Failed to commit offset to Kafka: ${err.message}`));
        }
        // The row, with its start time, only once the barriers reached the sources (start_checkpoint
        // awaits the workers' checkpoint calls, then inserts it with the time then): the listed start
        // comes after the sources began committing.
        const record: CheckpointRecord = { epoch: log.epoch, startMs: Date.now(), finishMs: null, compacted: false };
        log.records.push(record);
        const finish = setTimeout(() => {
            if (this.stopped) return;
            record.finishMs = Date.now();
            log.completed = state;
            this.lastCheckpointMs = Date.now();
            this.checkpointInFlight = false;
            if (log.epoch - log.minEpoch > CHECKPOINTS_TO_KEEP && log.epoch % COMPACT_EVERY === 0) {
                log.minEpoch = log.epoch - CHECKPOINTS_TO_KEEP;
                for (const r of log.records) if (r.epoch < log.minEpoch) r.compacted = true;
            }
        }, this.opts.checkpointDurationMs);
        this.timers.push(finish);
    }

    async stop(): Promise<void> {
        this.stopped = true;
        await this.starting?.catch(() => undefined);
        this.timers.forEach((t) => clearInterval(t));
        this.timers = [];
        await Promise.all([...this.sources, ...this.nexmarkSubtasks].map((s) => s.stop()));
        await this.producer?.disconnect().catch(() => undefined);
        await this.committer?.disconnect().catch(() => undefined);
        await this.admin?.disconnect().catch(() => undefined);
        this.windowQuery?.close();
    }
}
