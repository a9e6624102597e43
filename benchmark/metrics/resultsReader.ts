import { Consumer, Kafka, logLevel } from "kafkajs";
import { LatencyHistogram } from "./latency";

export interface OutputPoint {
    /** ms since the epoch, when read */
    time: number;
    records: number;
}

/**
 * Reads a query's results topic from its start while the query runs: counts output records
 * over time and, when output records carry their input's event time, their latency.
 */
export class ResultsReader {
    readonly histogram = new LatencyHistogram();
    readonly points: OutputPoint[] = [];
    private consumer?: Consumer;
    private window: { start: number; end: number } | undefined;
    total = 0;
    unparsable = 0;

    constructor(private readonly bootstrapServers: string, private readonly topic: string, private readonly latencyColumn?: string) {}

    /** Only latencies of records read inside this window count (set once warm-up is over). */
    setWindow(start: number, end: number): void {
        this.window = { start, end };
    }

    async start(): Promise<void> {
        const kafka = new Kafka({ clientId: "arroyo-pi-results", brokers: this.bootstrapServers.split(","), logLevel: logLevel.NOTHING });
        this.consumer = kafka.consumer({ groupId: `arroyo-pi-results-${this.topic}`, maxWaitTimeInMs: 200 });
        await this.consumer.connect();
        await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
        await this.consumer.run({
            eachBatch: async ({ batch }) => {
                const now = Date.now();
                this.total += batch.messages.length;
                this.points.push({ time: now, records: batch.messages.length });
                if (!this.latencyColumn) return;
                const inWindow = !this.window || (now >= this.window.start && now <= this.window.end);
                if (!inWindow) return;
                for (const m of batch.messages) {
                    const eventTime = this.eventTimeOf(m.value?.toString() ?? "");
                    if (eventTime === undefined) this.unparsable++;
                    else this.histogram.record(now - eventTime);
                }
            },
        });
    }

    private eventTimeOf(json: string): number | undefined {
        try {
            const v = (JSON.parse(json) as Record<string, unknown>)[this.latencyColumn as string];
            const t = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v.endsWith("Z") || /[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`) : NaN;
            return Number.isFinite(t) ? t : undefined;
        } catch {
            return undefined;
        }
    }

    /** Output records read between two instants. */
    recordsBetween(start: number, end: number): number {
        return this.points.filter((p) => p.time >= start && p.time <= end).reduce((s, p) => s + p.records, 0);
    }

    async stop(): Promise<void> {
        await this.consumer?.disconnect().catch(() => undefined);
    }
}
