import { Consumer, Kafka, logLevel, Producer } from "kafkajs";
import { KafkaTable } from "./sql";

/** Per-subtask message counts of one operator, sampled into per-second rates. */
export class OperatorCounters {
    readonly counts = new Map<string, number[]>();
    readonly samples = new Map<string, { time: number; values: number[] }[]>();
    private last = new Map<string, number[]>();

    constructor(readonly nodeId: number, readonly description: string, readonly parallelism: number, readonly groups: string[]) {
        for (const g of groups) this.counts.set(g, new Array(parallelism).fill(0));
    }

    add(group: string, subtask: number, n: number): void {
        const c = this.counts.get(group);
        if (c) c[subtask % this.parallelism] += n;
    }

    /** Records rates since the previous sample, as Arroyo reports messages/s per subtask. */
    sample(nowMs: number, intervalMs: number): void {
        for (const [group, counts] of this.counts) {
            const prev = this.last.get(group) ?? new Array(this.parallelism).fill(0);
            const values = counts.map((c, i) => ((c - prev[i]) * 1000) / intervalMs);
            this.last.set(group, [...counts]);
            const list = this.samples.get(group) ?? [];
            list.push({ time: nowMs * 1000, values });
            if (list.length > 300) list.shift();
            this.samples.set(group, list);
        }
    }
}

/**
 * What the stand-in runs for a job: every record of the source tables' topics is copied unchanged
 * to the sink table's topic, with real Kafka consumers and a real producer. It evaluates no SQL;
 * it exists so the benchmark's plumbing (load, metrics, results topic, latency) can be tested.
 */
export class PassThroughJob {
    readonly operators: OperatorCounters[] = [];
    private consumers: Consumer[] = [];
    private producer?: Producer;
    private sampler?: NodeJS.Timeout;

    constructor(
        private readonly jobId: string,
        private readonly sources: KafkaTable[],
        private readonly sink: KafkaTable | undefined,
        parallelism: number,
        private readonly fromEarliest: boolean,
    ) {
        sources.forEach((s, i) => this.operators.push(new OperatorCounters(i + 1, `source: ${s.name}`, parallelism, ["messages_recv", "messages_sent", "bytes_recv", "backpressure"])));
        if (sink) this.operators.push(new OperatorCounters(sources.length + 1, `sink: ${sink.name}`, parallelism, ["messages_recv", "messages_sent", "backpressure"]));
    }

    async start(): Promise<void> {
        const sinkCounters = this.sink ? this.operators[this.operators.length - 1] : undefined;
        if (this.sink) {
            const kafka = new Kafka({ clientId: `stand-in-${this.jobId}-sink`, brokers: this.sink.bootstrapServers.split(","), logLevel: logLevel.NOTHING });
            this.producer = kafka.producer({ allowAutoTopicCreation: false });
            await this.producer.connect();
        }
        for (const [i, source] of this.sources.entries()) {
            const counters = this.operators[i];
            const kafka = new Kafka({ clientId: `stand-in-${this.jobId}-${source.name}`, brokers: source.bootstrapServers.split(","), logLevel: logLevel.NOTHING });
            const consumer = kafka.consumer({ groupId: `stand-in-${this.jobId}-${source.name}`, maxWaitTimeInMs: 100 });
            await consumer.connect();
            await consumer.subscribe({ topic: source.topic, fromBeginning: this.fromEarliest });
            await consumer.run({
                eachBatch: async ({ batch }) => {
                    const n = batch.messages.length;
                    counters.add("messages_recv", batch.partition, n);
                    counters.add("bytes_recv", batch.partition, batch.messages.reduce((s, m) => s + (m.value?.length ?? 0), 0));
                    if (this.producer && this.sink && sinkCounters) {
                        await this.producer.send({ topic: this.sink.topic, messages: batch.messages.map((m) => ({ value: m.value })) });
                        counters.add("messages_sent", batch.partition, n);
                        sinkCounters.add("messages_recv", batch.partition, n);
                        sinkCounters.add("messages_sent", batch.partition, n);
                    }
                },
            });
            this.consumers.push(consumer);
        }
        const intervalMs = 1000;
        this.sampler = setInterval(() => this.operators.forEach((o) => o.sample(Date.now(), intervalMs)), intervalMs);
    }

    async stop(): Promise<void> {
        if (this.sampler) clearInterval(this.sampler);
        await Promise.all(this.consumers.map((c) => c.disconnect().catch(() => undefined)));
        await this.producer?.disconnect().catch(() => undefined);
    }
}
