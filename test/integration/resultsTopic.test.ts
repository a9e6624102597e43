// A results topic keeps records stamped long ago. Under a fixed --base-time an engine writes its
// window outputs with event times months in the past; on a topic with the broker's default time
// retention those records are deleted at the next retention check (the first windows of q5 went
// missing on Flink that way, at random, as the check fell). Here the broker checks every second:
// a topic made the default way loses such records while the results topic, made as the benchmark
// makes it, keeps every one.
import { Kafka, logLevel } from "kafkajs";
import { createTopicsAndWait, resultsTopicConfig, retrying } from "../../benchmark/kafka/admin";
import { readTopic } from "../../benchmark/kafka/readTopic";
import { waitFor } from "../../probes/waitFor";
import { RunningBroker, startKafkaBroker } from "../../toolchain/kafkaBroker";

let broker: RunningBroker;

beforeAll(async () => {
    broker = await startKafkaBroker({ retentionCheckMs: 1_000 });
}, 120_000);

afterAll(() => broker?.stop());

it("keeps records whose timestamps are older than the broker's retention, where a default topic loses them", async () => {
    const kafka = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    try {
        await createTopicsAndWait(admin, [
            resultsTopicConfig("results-kept", 1),
            { topic: "results-default", numPartitions: 1 },
        ]);
        // Ten window outputs stamped 2026-01-01, each written on its own, as an engine writes
        // windows as they close: every write but the first rolls a new segment.
        const stamp = Date.UTC(2026, 0, 1);
        for (let i = 0; i < 10; i++)
            for (const topic of ["results-kept", "results-default"])
                await producer.send({
                    topic,
                    messages: [{ value: JSON.stringify({ window: i }), timestamp: String(stamp + i * 2_000) }],
                });
        // The default topic shows the broker applied retention to these records: its start moves.
        const start = async (topic: string) =>
            Number((await retrying(`offsets of ${topic}`, () => admin.fetchTopicOffsets(topic)))[0].low);
        await waitFor(
            "retention on results-default",
            async () => {
                if ((await start("results-default")) === 0) throw new Error("start offset still 0");
            },
            { timeoutMs: 120_000, intervalMs: 500 },
        );
        // A check after that one has passed over the kept topic too.
        const lost = await start("results-default");
        await waitFor(
            "a further retention check",
            async () => {
                await producer.send({
                    topic: "results-default",
                    messages: [{ value: "{}", timestamp: String(stamp) }],
                });
                if ((await start("results-default")) <= lost) throw new Error("no further deletion yet");
            },
            { timeoutMs: 120_000, intervalMs: 1_000 },
        );
        expect(lost).toBeGreaterThan(0);
        expect(await start("results-kept")).toBe(0);
        const kept = await readTopic(broker.bootstrapServers, "results-kept", "results-kept-reader");
        expect(kept.map((r) => r.window)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    } finally {
        await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
}, 300_000);
