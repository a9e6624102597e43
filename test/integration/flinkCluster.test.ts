// A real Apache Flink (JobManager, TaskManager, SQL Gateway from Maven Central's jars) next to a real
// Kafka broker: the first engine other than the Arroyo double to consume this project's Kafka load.
// What the benchmark measures on Kafka holds for it: Flink's Kafka source commits, at each completed
// checkpoint, the next offset to read to its group (Kafka's convention), so the group's offsets
// reach the topic's end once every record was read.
import { Kafka, logLevel } from "kafkajs";
import { RunningBroker, startKafkaBroker } from "../../toolchain/kafkaBroker";
import { RunningFlink, startFlinkCluster } from "../../toolchain/flinkCluster";
import { waitFor } from "../../probes/waitFor";
import { FlinkClient } from "../../benchmark/engines/flink/client";

let broker: RunningBroker;
let flink: RunningFlink;

beforeAll(async () => {
    [broker, flink] = await Promise.all([
        startKafkaBroker({ topics: { "flink-in": 2, "flink-out": 1 } }),
        startFlinkCluster({ taskManagers: 1, slotsPerTaskManager: 2 }),
    ]);
}, 240_000);

afterAll(async () => {
    await flink?.stop();
    await broker?.stop();
});

describe("a real Flink session cluster on Kafka", () => {
    it("reads a topic with its Kafka SQL connector, writes the results, and commits its progress to the group at checkpoints", async () => {
        const kafka = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
        const producer = kafka.producer();
        await producer.connect();
        await producer.send({
            topic: "flink-in",
            messages: Array.from({ length: 1_000 }, (_, i) => ({ value: JSON.stringify({ x: i }), partition: i % 2 })),
        });
        await producer.disconnect();

        const flinkApi = new FlinkClient(flink.restUrl, flink.gatewayUrl);
        const session = await flinkApi.openSession();
        await flinkApi.statement(session, "SET 'execution.checkpointing.interval' = '1s'");
        await flinkApi.statement(session, "SET 'parallelism.default' = '2'");
        await flinkApi.statement(
            session,
            `CREATE TABLE src (x BIGINT) WITH ('connector' = 'kafka', 'topic' = 'flink-in', 'properties.bootstrap.servers' = '${broker.bootstrapServers}', 'properties.group.id' = 'flink-g', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json')`,
        );
        await flinkApi.statement(
            session,
            `CREATE TABLE snk (x BIGINT) WITH ('connector' = 'kafka', 'topic' = 'flink-out', 'properties.bootstrap.servers' = '${broker.bootstrapServers}', 'format' = 'json')`,
        );
        const [[jobId]] = (await flinkApi.statement(session, "INSERT INTO snk SELECT x FROM src")) as string[][];
        expect(jobId).toMatch(/^[0-9a-f]{32}$/);

        const admin = kafka.admin();
        await admin.connect();
        try {
            // Committed at a completed checkpoint: the next offset to read, so the end once all was read.
            const committed = await waitFor(
                "Flink's commits to group flink-g",
                async () => {
                    const offsets = (
                        await admin.fetchOffsets({ groupId: "flink-g", topics: ["flink-in"] })
                    )[0].partitions.map((p) => Number(p.offset));
                    if (offsets.reduce((s, o) => s + Math.max(0, o), 0) < 1_000)
                        throw new Error(`committed ${offsets.join(", ")}`);
                    return offsets;
                },
                { timeoutMs: 90_000, intervalMs: 500 },
            );
            expect(committed.sort()).toEqual([500, 500]);
            const out = (await admin.fetchTopicOffsets("flink-out")).reduce((s, p) => s + Number(p.high), 0);
            expect(out).toBeGreaterThanOrEqual(1_000);
        } finally {
            await admin.disconnect();
        }
        const job = await flinkApi.job(jobId);
        expect(job.state).toBe("RUNNING");
        expect(Math.max(...job.vertices.map((v) => v.parallelism))).toBe(2);
        await flinkApi.cancel(jobId);
    }, 180_000);
});
