import { Consumer, Kafka, logLevel } from "kafkajs";
import { instantOf } from "../nexmark/serialize";
import { assignedConsumer } from "../kafka/assignedConsumer";
import { LatencyHistogram } from "./latency";

/**
 * End-to-end latency from a sample of a query's output: reads one partition of the results topic
 * (output is counted from end offsets, not here, so reading never caps what is measured), or all of
 * them for window outputs (a few records per window: which partition an engine's sink picks for
 * them is its partitioner's choice, and one partition may get none), and, for
 * each record whose time lies in the measured window, records read time minus that time. Warm-up
 * events never enter the figures.
 * - "event-time": the time is the input event's, from an output column. The generator stamps each
 *   event with its scheduled send time on one global schedule (benchmark/producer), so a generator
 *   behind schedule shows as latency: no coordinated omission.
 * - "window-end": the time is the Kafka record's timestamp, which Arroyo 0.15's Kafka sink sets
 *   from the row's _timestamp (crates/arroyo-connectors/src/kafka/sink/mod.rs), and which for the
 *   output of a tumbling or sliding window is the window's end minus 1 ns
 *   (crates/arroyo-planner/src/extension/aggregate.rs, final_projection), and for a session window
 *   too (crates/arroyo-worker/src/arrow/session_aggregating_window.rs); a join of two windows
 *   keeps it (crates/arroyo-worker/src/arrow/instant_join.rs joins rows of one timestamp).
 */
export class LatencySampler {
    readonly histogram = new LatencyHistogram();
    private consumer?: Consumer;
    private window: { start: number; end: number } | undefined;
    /** Records read, and records outside the window or without a readable event time. */
    read = 0;
    outsideWindow = 0;
    unparsable = 0;

    constructor(
        private readonly bootstrapServers: string,
        private readonly topic: string,
        private readonly from: { kind: "event-time"; column: string } | { kind: "window-end" },
        private readonly groupId: string,
        private readonly partitions: number[] = [0],
    ) {}

    /** Event-time window of the measured events; records of other events are not counted. */
    setWindow(start: number, end: number): void {
        this.window = { start, end };
    }

    async start(): Promise<void> {
        const kafka = new Kafka({
            clientId: "arroyo-pi-latency",
            brokers: this.bootstrapServers.split(","),
            logLevel: logLevel.NOTHING,
        });
        this.consumer = await assignedConsumer(kafka, {
            groupId: this.groupId,
            topic: this.topic,
            partitions: this.partitions,
            startOffsets: new Map(this.partitions.map((p) => [p, 0])),
            consumerConfig: { maxWaitTimeInMs: 100 },
        });
        await this.consumer.subscribe({ topic: this.topic });
        await this.consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
                const now = Date.now();
                for (const m of batch.messages) {
                    this.read++;
                    // Window output is stamped window end - 1 ns, i.e. its last millisecond: +1 gives the end.
                    const eventTime =
                        this.from.kind === "window-end"
                            ? Number(m.timestamp) + 1
                            : this.eventTimeOf(m.value?.toString() ?? "");
                    if (eventTime === undefined) this.unparsable++;
                    else if (!this.window || eventTime < this.window.start || eventTime > this.window.end)
                        this.outsideWindow++;
                    else this.histogram.record(now - eventTime);
                }
            },
        });
    }

    private eventTimeOf(json: string): number | undefined {
        try {
            const v = (JSON.parse(json) as Record<string, unknown>)[(this.from as { column: string }).column];
            const t = typeof v === "number" ? v : typeof v === "string" ? instantOf(v) : NaN;
            return Number.isFinite(t) ? t : undefined;
        } catch {
            return undefined;
        }
    }

    async stop(): Promise<void> {
        await this.consumer?.disconnect().catch(() => undefined);
    }
}
