import { Kafka, logLevel } from "kafkajs";
import { ArroyoApiError, ArroyoClient, JobFailedError, JobTimeoutError } from "../../benchmark/engines/arroyo/client";
import { ArroyoStandIn } from "../doubles/arroyo-stand-in/server";
import { RunningBroker, startKafkaBroker } from "../../toolchain/kafkaBroker";

let broker: RunningBroker;
let standIn: ArroyoStandIn;
let client: ArroyoClient;

const passThrough = (bootstrap: string, sinkTopic = "results") => `
CREATE TABLE bid (auction BIGINT, price BIGINT, datetime TIMESTAMP, WATERMARK FOR datetime AS datetime - INTERVAL '4' SECOND)
WITH (connector = 'kafka', type = 'source', format = 'json', bootstrap_servers = '${bootstrap}', topic = 'bids', 'source.offset' = 'latest');
CREATE TABLE results (auction BIGINT, price BIGINT) WITH (connector = 'kafka', type = 'sink', format = 'json', bootstrap_servers = '${bootstrap}', topic = '${sinkTopic}');
INSERT INTO results SELECT auction, price FROM bid;`;

beforeAll(async () => {
    broker = await startKafkaBroker({ topics: { bids: 2, results: 1 } });
    standIn = new ArroyoStandIn();
    client = new ArroyoClient({ baseUrl: await standIn.listen(), pollIntervalMs: 50 });
}, 120_000);

afterAll(async () => {
    await standIn?.close();
    await broker?.stop();
});

afterEach(() => client.removeAllPipelines(10_000));

describe("the Arroyo client against the REST test double", () => {
    it("pings", () => expect(client.ping()).resolves.toBeUndefined());

    it("validates a query and returns Arroyo's errors as they are", async () => {
        const ok = await client.validateQuery(passThrough(broker.bootstrapServers));
        expect(ok.errors).toEqual([]);
        // Connector nodes are named by their connector, the operators between them "chained_op" (logical.rs).
        expect(ok.graph?.nodes.map((n) => n.operator)).toEqual(["kafka", "chained_op", "kafka"]);
        expect(ok.graph?.nodes.map((n) => n.description)).toEqual(["KafkaSource<bids>", "value", "KafkaSink<results>"]);
        const bad = await client.validateQuery("SELECT * FROM nowhere");
        expect(bad.graph).toBeNull();
        expect(bad.errors).toEqual(["Error during planning: table 'nowhere' not found"]);
    });

    it("refuses a bad query at creation with Arroyo's message", async () => {
        const err = await client
            .createPipeline({ name: "bad", query: "SELECT * FROM nowhere", parallelism: 1 })
            .catch((e) => e);
        expect(err).toBeInstanceOf(ArroyoApiError);
        expect(err.status).toBe(400);
        expect(err.arroyoMessage).toBe("Error during planning: table 'nowhere' not found");
        expect(err.message).toBe(
            "Arroyo POST /pipelines failed (HTTP 400): Error during planning: table 'nowhere' not found",
        );
    });

    it("runs a pipeline with the requested parallelism, reads its metrics, stops and deletes it", async () => {
        const p = await client.createPipeline({
            name: "q0-test",
            query: passThrough(broker.bootstrapServers),
            parallelism: 2,
        });
        expect(p.graph.nodes.every((n) => n.parallelism === 2)).toBe(true);
        const job = await client.waitForJobState(p, ["Running"], 20_000);

        // Arroyo 0.15 serves each metric per subtask as an EWMA rate every 2 s (job_metrics.rs): a
        // source's reading shows as messages_sent (its messages_recv is always 0), a sink's as messages_recv.
        const deadline = Date.now() + 45_000;
        let groups: Awaited<ReturnType<typeof client.operatorMetrics>> = [];
        const series = (node: number, name: string) =>
            groups.find((g) => g.node_id === node)?.metric_groups.find((m) => m.name === name)?.subtasks ?? [];
        const reading = () => series(1, "messages_sent").filter((st) => st.metrics.some((m) => m.value > 0)).length;
        // A rate needs a counter that moves between two collections: keep records coming.
        const producer = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING }).producer();
        await producer.connect();
        while (Date.now() < deadline && reading() < 2) {
            await producer.send({
                topic: "bids",
                messages: Array.from({ length: 50 }, (_, i) => ({
                    value: JSON.stringify({ auction: i, price: i }),
                    partition: i % 2,
                })),
            });
            await new Promise((r) => setTimeout(r, 500));
            groups = await client.operatorMetrics(p.id, job.id);
        }
        await producer.disconnect();
        expect(reading()).toBe(2);
        expect(
            series(1, "messages_recv")
                .flatMap((st) => st.metrics.map((m) => m.value))
                .every((v) => v === 0),
        ).toBe(true);
        expect(series(3, "messages_recv").some((st) => st.metrics.some((m) => m.value > 0))).toBe(true);
        expect(
            series(3, "messages_sent")
                .flatMap((st) => st.metrics.map((m) => m.value))
                .every((v) => v === 0),
        ).toBe(true);
        // Each subtask's series carries its own timestamps, in microseconds.
        const [a, b] = series(1, "messages_sent").map((st) => st.metrics[0].time);
        expect(a).not.toBe(b);
        expect(a).toBeGreaterThan(Date.now() * 1000 - 120e6);

        await expect(client.deletePipeline(p.id)).rejects.toThrow(/must be in a terminal state/);
        await client.stopPipeline(p.id, "immediate");
        expect((await client.waitForJobState(p, ["Stopped"], 10_000)).state).toBe("Stopped");
        // A stopped job keeps serving its last run's metrics.
        expect(
            (await client.operatorMetrics(p.id, job.id)).find((g) => g.node_id === 1)?.metric_groups.length,
        ).toBeGreaterThan(0);
        await client.deletePipeline(p.id);
        expect(await client.listPipelines()).toEqual([]);
    }, 60_000);

    it("sees a failing job recover with a new run_id, then fail after 20 restarts with Arroyo's message and the first error", async () => {
        const p = await client.createPipeline({
            name: "doomed",
            query: passThrough(broker.bootstrapServers),
            parallelism: 1,
        });
        const first = await client.waitForJobState(p, ["Running"], 20_000);
        expect(first.run_id).toBe(1);
        // A persistent error: every run fails 200 ms after it starts (states/running.rs -> Recovering).
        await standIn.failJob(p.id, "Kafka source: broker disconnected", true);
        const states = new Set<string>();
        const runIds = new Set<number>();
        const deadline = Date.now() + 90_000;
        let job = (await client.jobs(p.id))[0];
        while (job.state !== "Failed" && Date.now() < deadline) {
            states.add(job.state);
            runIds.add(job.run_id);
            await new Promise((r) => setTimeout(r, 20));
            job = (await client.jobs(p.id))[0];
        }
        runIds.add(job.run_id);
        expect(job.state).toBe("Failed");
        expect(job.failure_message).toBe("Job has restarted too many times");
        // 20 restarts (pipeline.allowed-restarts): run_id 1 to 21; never a Failing state.
        expect(job.run_id).toBe(21);
        expect(states.has("Recovering")).toBe(true);
        expect([...states].every((s) => ["Running", "Recovering", "Compiling", "Scheduling"].includes(s))).toBe(true);
        expect(await client.firstJobError(p.id, job.id)).toBe("Kafka source: broker disconnected");
        const err = await client.waitForJobState(p, ["Stopped"], 5_000).catch((e) => e);
        expect(err).toBeInstanceOf(JobFailedError);
        expect(err.message).toMatch(
            /pipeline 'doomed' is Failed: Job has restarted too many times \(first error: Kafka source: broker disconnected\)$/,
        );
    }, 120_000);

    it("does not take a crash-looping job for a running one", async () => {
        const p = await client.createPipeline({
            name: "looping",
            query: passThrough(broker.bootstrapServers),
            parallelism: 1,
        });
        await client.waitForJobState(p, ["Running"], 20_000);
        await standIn.failJob(p.id, "panic in operator", true);
        // It passes through Running between restarts; a stable run needs one run_id for 2 s.
        const err = await client.waitForStableRunning(p, 2_000, 60_000, 3).catch((e) => e);
        expect(err).toBeInstanceOf(JobFailedError);
        expect(err.message).toMatch(/restarted 3 times before it could run .*first error: panic in operator/);
    }, 90_000);

    it("lists checkpoints timed from the previous one's completion, and only the recent ones", async () => {
        const slow = new ArroyoStandIn({ checkpointDurationMs: 500 });
        const slowClient = new ArroyoClient({ baseUrl: await slow.listen(), pollIntervalMs: 50 });
        try {
            const p = await slowClient.createPipeline({
                name: "checkpointing",
                query: passThrough(broker.bootstrapServers),
                parallelism: 1,
                checkpointIntervalMicros: 1_000_000,
            });
            const job = await slowClient.waitForJobState(p, ["Running"], 20_000);
            const seen = new Map<number, { start: number; finish: number | null }>();
            const deadline = Date.now() + 40_000;
            while (Date.now() < deadline && [...seen.values()].filter((c) => c.finish !== null).length < 10) {
                for (const c of await slowClient.checkpoints(p.id, job.id))
                    seen.set(c.epoch, {
                        start: c.start_time / 1000,
                        finish: c.finish_time === null ? null : c.finish_time / 1000,
                    });
                await new Promise((r) => setTimeout(r, 200));
            }
            const done = [...seen.entries()].filter(([, c]) => c.finish !== null).sort((a, b) => a[0] - b[0]);
            expect(done.length).toBeGreaterThanOrEqual(10);
            for (const [epoch, c] of done.slice(1)) {
                const previous = seen.get(epoch - 1)!;
                // Interval (1 s) after the previous one finished, checked on a 200 ms tick.
                expect(c.start - previous.finish!).toBeGreaterThanOrEqual(1_000);
                expect(c.start - previous.finish!).toBeLessThan(1_000 + 200 + 150);
                // Timers fire no earlier than asked, give or take the clock's millisecond.
                expect(c.finish! - c.start).toBeGreaterThanOrEqual(499);
            }
            // Older epochs are cleaned up and no longer listed: at most the last 4-6.
            const listed = await slowClient.checkpoints(p.id, job.id);
            expect(listed.length).toBeLessThanOrEqual(6);
            expect(Math.min(...listed.map((c) => c.epoch))).toBeGreaterThan(1);
        } finally {
            await slow.close();
        }
    }, 60_000);

    it("times out naming the state it is stuck in", async () => {
        const slow = new ArroyoStandIn({ schedulingDelayMs: 60_000 });
        const slowClient = new ArroyoClient({ baseUrl: await slow.listen(), pollIntervalMs: 50 });
        try {
            const p = await slowClient.createPipeline({
                name: "stuck",
                query: passThrough(broker.bootstrapServers),
                parallelism: 1,
            });
            const err = await slowClient.waitForJobState(p, ["Running"], 1_000).catch((e) => e);
            expect(err).toBeInstanceOf(JobTimeoutError);
            expect(err.message).toBe(
                "Arroyo pipeline 'stuck' did not reach Running within 1 s (last state: Scheduling)",
            );
        } finally {
            await slow.close();
        }
    }, 30_000);

    it("removes every pipeline before a run, across pages", async () => {
        for (let i = 0; i < 12; i++)
            await client.createPipeline({
                name: `old-${i}`,
                query: passThrough(broker.bootstrapServers),
                parallelism: 1,
            });
        const removed = await client.removeAllPipelines(20_000);
        expect(removed.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `old-${i}`).sort());
        expect(await client.listPipelines()).toEqual([]);
    }, 60_000);

    it("reports an unreachable API clearly", async () => {
        const nowhere = new ArroyoClient({ baseUrl: "http://127.0.0.1:1/api/v1", requestTimeoutMs: 2_000 });
        await expect(nowhere.ping()).rejects.toThrow(
            /^Arroyo GET \/ping failed \(HTTP 0\): cannot reach http:\/\/127\.0\.0\.1:1\/api\/v1/,
        );
    });
});
