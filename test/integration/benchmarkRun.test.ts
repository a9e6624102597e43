import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFile } from "child_process";
import { promisify } from "util";
import { Kafka, logLevel } from "kafkajs";
import { runBenchmark } from "../../benchmark/run";
import { selectQueries } from "../../benchmark/queries";
import { writeResults, toolInfo } from "../../benchmark/report/results";
import { BenchmarkResults, RESULTS_SCHEMA_VERSION } from "../../benchmark/report/types";
import { ClusterOutputs } from "../../stacks/outputs";
import { RunningBroker, startKafkaBroker } from "../../toolchain/kafkaBroker";
import { doubleOutputs, NEXMARK_TOPICS } from "../helpers/doubleCluster";
import { StandInProcess, startStandInProcess } from "../helpers/standInProcess";

let broker: RunningBroker;
let standIn: StandInProcess;
let outputs: ClusterOutputs;
const topics = NEXMARK_TOPICS;
// Bids are 46 of every 50 events: q0 and q2 read only them.
const BID_SHARE = 46 / 50;

beforeAll(async () => {
    broker = await startKafkaBroker({ topics: Object.fromEntries(Object.values(topics).map((t) => [t, 2])) });
    standIn = await startStandInProcess();
    outputs = doubleOutputs(broker.bootstrapServers, standIn.apiUrl, {
        hosts: [
            { name: "controller", address: "localhost", roles: ["kafka", "minio", "arroyo-controller"], dockerHost: "unix:///nonexistent.sock" },
            { name: "worker1", address: "localhost", roles: ["arroyo-node"], dockerHost: "unix:///nonexistent.sock", taskSlots: 2 },
        ],
    });
}, 120_000);

afterAll(async () => {
    await standIn?.stop();
    await broker?.stop();
});

// Checkpoints every second and Kafka sampled four times a second: a short run still spans ~10 commits.
// The lag-trend limit is 5% of the input (1% by default): on a 10 s window, one 250 ms sample of
// jitter in when a commit is seen moves the fitted trend by ~2.5% of the input (README), and a
// starved machine delays samples further (seen: 76 events/s of trend at 3,673/s, the double keeping
// up, lag 0 at the end). A real deficit, as in the capped test below, is ~45%.
const base = () => ({ outputs, parallelism: 2, checkpointIntervalSeconds: 1, seed: 5, threads: 1, sampleIntervalMs: 250, metricsIntervalMs: 2_000, drainMs: 5_000, hostMetrics: false as const, lagThreshold: 0.05 });

describe("a benchmark run against the test double and a real broker, the double faster than the load", () => {
    let results: BenchmarkResults;
    let dir: string;
    let doubleRead: number | undefined;

    beforeAll(async () => {
        // Stale pipelines from an earlier run must be cleaned away first.
        await fetch(`${outputs.arroyoApiUrl}/pipelines`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name: "stale", parallelism: 1, query: "CREATE TABLE bid (a BIGINT) WITH (connector = 'kafka', type = 'source', format = 'json', bootstrap_servers = 'x:1', topic = 'nexmark-bid'); SELECT a FROM bid;" }),
        });
        const startedAt = new Date().toISOString();
        // Fake `docker stats` answers: host metrics are parsed and attributed without a Docker engine.
        const docker = async (_host: string, args: string[]) =>
            args[0] === "ps"
                ? "c1\nc2\n"
                : [
                      JSON.stringify({ Name: "arroyo-pi-bench-test-arroyo-controller", CPUPerc: "20.00%", MemUsage: "100MiB / 1GiB" }),
                      JSON.stringify({ Name: "arroyo-pi-bench-test-arroyo-node-worker1", CPUPerc: "150.00%", MemUsage: "300MiB / 1GiB" }),
                  ].join("\n");
        // Four seconds of warm-up, then a 10 s window: the load's first seconds can reach Kafka late
        // while the clients and the broker settle (seen with librdkafka: up to ~2,000 events behind
        // for 2-3 s, then caught up), and a window opening on that backlog would count it as input.
        const runs = await runBenchmark({ ...base(), queries: selectQueries(["q0"]), eventsPerSecond: 4_000, totalEvents: 56_000, warmupEvents: 16_000, runTag: "fast", hostMetrics: docker, metricsIntervalMs: 1_000 });
        const c = runs[0].figures.kafka.consumedInWindow;
        doubleRead = c ? await standIn.readBetween("nexmark-q0-fast", c.fromMs, c.toMs) : undefined;
        results = {
            schemaVersion: RESULTS_SCHEMA_VERSION,
            mode: "fixed-rate",
            load: { host: "test", threads: 1, aloneEventsPerSecond: null, intoBrokerEventsPerSecond: null, ceiling: "not measured", client: runs[0].produce.client },
            tool: toolInfo(),
            startedAt,
            finishedAt: new Date().toISOString(),
            configuration: { stack: "bench-test", queries: ["q0"], eventsPerSecond: 4_000, totalEvents: 56_000, warmupEvents: 16_000, durationSeconds: null, parallelism: 2, checkpointIntervalSeconds: 1, sampleIntervalSeconds: 0.25, metricsIntervalSeconds: 1, lagThreshold: 0.05, seed: 5, producerThreads: 1, generatorNotes: [] },
            versions: { images: outputs.images, node: process.version },
            topology: { hosts: outputs.hosts, totalSlots: 2, partitions: 2, arroyoApiUrl: outputs.arroyoApiUrl, kafkaBootstrapServers: outputs.kafkaBootstrapServers },
            queries: runs,
        };
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-results-"));
        await writeResults(dir, results);
    }, 180_000);

    it("counts on Kafka what the double consumed in the window, within one checkpoint of events", () => {
        const k = results.queries[0].figures.kafka;
        expect(k.consumedInWindow).not.toBeNull();
        const events = k.consumedInWindow!.events;
        expect(events).toBeGreaterThan(4_000 * BID_SHARE * 5);
        // Kafka sees a read only at the next checkpoint's commit: one checkpoint (1 s) of input at most.
        expect(doubleRead).toBeDefined();
        expect(Math.abs(events - doubleRead!)).toBeLessThanOrEqual(4_000 * BID_SHARE * 1);
    });

    it("finds the rate sustainable, with no lag at the end and the input rate of the bids", () => {
        const q = results.queries[0];
        const k = q.figures.kafka;
        expect(q.produce.sent).toBe(56_000);
        expect(k.inputRate! / (4_000 * BID_SHARE)).toBeGreaterThan(0.9);
        expect(k.inputRate! / (4_000 * BID_SHARE)).toBeLessThan(1.1);
        expect(k.consumedRate! / k.inputRate!).toBeGreaterThan(0.9);
        expect(k.lagTrendBasis).toBe("commits");
        expect(k.sustainable).toBe(true);
        expect(k.lagAtEnd).toBe(0);
        expect(k.outputRate! / k.inputRate!).toBeGreaterThan(0.9);
        expect(q.validity).toEqual({ valid: true, reasons: [] });
    });

    it("reads Arroyo's source rate from messages_sent and holds it against Kafka's count", () => {
        const a = results.queries[0].figures.arroyo;
        expect(a.sourceRate).not.toBeNull();
        expect(a.sourceRate!).toBeGreaterThan(0);
        expect(a.sinkRate!).toBeGreaterThan(0);
        expect(a.differenceFromKafka).not.toBeNull();
        // Smoothed by Arroyo (EWMA, alpha 0.1, every 2 s): starting from 0 when the load starts, the
        // smoothed rate trails the real one through a 10 s window, so Arroyo's count falls short of
        // Kafka's; it never exceeds it by more than a checkpoint's worth.
        expect(a.differenceFromKafka!).toBeLessThan(0.1);
        expect(a.differenceFromKafka!).toBeGreaterThan(-1);
    });

    it("measures latency only for events inside the measured window", () => {
        const q = results.queries[0];
        const l = q.figures.latencyMs!;
        expect(l.count).toBeGreaterThan(1_000);
        // Partition 0 of the output, events after the warm-up only: fewer than the window's bids.
        expect(l.count).toBeLessThanOrEqual(40_000 * BID_SHARE);
        expect(q.figures.latencySample!.outsideWindow).toBeGreaterThan(0);
        expect(l.p50).toBeLessThanOrEqual(l.p99 as number);
        expect(l.p99).toBeLessThan(30_000);
    });

    it("attributed host CPU to hosts and computed throughput per core from Kafka's consumed rate", () => {
        const f = results.queries[0].figures;
        expect(f.hosts.find((h) => h.host === "worker1")?.cpuCores).toBeCloseTo(1.5);
        expect(f.arroyoCores).toBeCloseTo(1.7);
        expect(f.eventsPerSecondPerCore).toBeCloseTo((f.kafka.consumedRate as number) / 1.7);
    });

    it("left no pipeline, results topic or consumer group behind, and removed the stale pipeline", async () => {
        const res = await fetch(`${outputs.arroyoApiUrl}/pipelines`);
        expect(((await res.json()) as { data: unknown[] }).data).toEqual([]);
        const admin = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        const left = (await admin.listTopics()).filter((t) => t.startsWith("nexmark-results"));
        const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith("arroyo-pi-fast"));
        await admin.disconnect();
        expect(left).toEqual([]);
        expect(groups).toEqual([]);
    });

    it("wrote results.json, summary.md and SVG charts", () => {
        expect(fs.readdirSync(dir).sort()).toEqual(["lag-over-time.svg", "rates-over-time.svg", "results.json", "summary.md", "throughput.svg"]);
        const json = JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8")) as BenchmarkResults;
        expect(json.schemaVersion).toBe(3);
        expect(json.queries.map((q) => q.id)).toEqual(["q0"]);
        expect(json.queries[0].samples.progress.length).toBeGreaterThan(20);
        const md = fs.readFileSync(path.join(dir, "summary.md"), "utf8");
        expect(md).toMatch(/^\| q0 \| yes \| [\d,]+ \| [\d,]+ \| -?[\d,]+ \| yes \| 0 \| [\d,]+ \|/m);
        expect(md).toMatch(/^\| query \| controller \| worker1 \|$/m);
        // Which Kafka client carried the load is part of the record.
        expect(json.load.client).toBe(json.queries[0].produce.client);
        expect(md).toContain(`producer thread(s) on ${json.load.client}`);
        for (const svg of ["throughput.svg", "rates-over-time.svg", "lag-over-time.svg"]) expect(fs.readFileSync(path.join(dir, svg), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>$/);
    });
});

describe("a query the double cannot keep up with", () => {
    afterAll(() => standIn.setSubtaskRateCap(0));

    it("is not sustainable, with a lag trend of input minus what the double read (within 20%)", async () => {
        // Two subtasks capped at 1,500 records/s each: 3,000/s against 6,000 x 46/50 = 5,520 bids/s.
        await standIn.setSubtaskRateCap(1_500);
        const [q] = await runBenchmark({ ...base(), queries: selectQueries(["q0"]), eventsPerSecond: 6_000, totalEvents: 90_000, warmupEvents: 18_000, runTag: "capped", drainMs: 1_000 });
        const k = q.figures.kafka;
        const w = k.consumedInWindow!;
        // The double's capacity is its cap unless the machine starves it below that: the reference
        // is what it read over the window, from its own log.
        const read = (await standIn.readBetween("nexmark-q0-capped", w.fromMs, w.toMs))!;
        const doubleRate = (read * 1000) / (w.toMs - w.fromMs);
        expect(doubleRate).toBeLessThan(3_000 * 1.05);
        expect(doubleRate).toBeLessThan(k.inputRate! * 0.8);
        const expected = k.inputRate! - doubleRate;
        expect(k.inputRate! / (6_000 * BID_SHARE)).toBeGreaterThan(0.9);
        expect(k.lagTrend!).toBeGreaterThan(expected * 0.8);
        expect(k.lagTrend!).toBeLessThan(expected * 1.2);
        expect(k.consumedRate! / doubleRate).toBeGreaterThan(0.9);
        expect(k.consumedRate! / doubleRate).toBeLessThan(1.1);
        expect(k.sustainable).toBe(false);
        expect(k.lagAtEnd!).toBeGreaterThan(0);
        expect(q.validity.valid).toBe(true);
    }, 180_000);
});

describe("failure paths of a run", () => {
    const small = () => ({ ...base(), eventsPerSecond: 2_000, totalEvents: 16_000, warmupEvents: 2_000, drainMs: 1_000 });

    it("stops before any load when Arroyo rejects a query, with Arroyo's message", async () => {
        const bad = { id: "q99", title: "Q99 broken", reference: "-", arroyo: "-", deviation: "-", columns: [], body: "INSERT INTO results SELECT * FROM nowhere;", reads: [], sink: "kafka" as const };
        const before = await new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING }).admin();
        await before.connect();
        const offsets = await before.fetchTopicOffsets(topics.bid);
        await expect(runBenchmark({ ...small(), queries: [bad], runTag: "bad" })).rejects.toThrow(
            "Arroyo rejected a query; nothing was run:\n  q99: Error during planning: table 'nowhere' not found; Error during planning: sink table 'results' not found",
        );
        expect(await before.fetchTopicOffsets(topics.bid)).toEqual(offsets);
        await before.disconnect();
    }, 60_000);

    it("measures a windowed query's latency from its records' Kafka timestamps, window events only", async () => {
        // The double passes records through and stamps them, as Arroyo's Kafka sink does, with the
        // row's _timestamp: the event time here, the window end - 1 ns for a real window's output.
        const [q] = await runBenchmark({ ...small(), queries: selectQueries(["q5"]), runTag: "windowed" });
        expect(q.figures.latencyFrom).toBe("window-end");
        expect(q.figures.latencyMs!.count).toBeGreaterThan(100);
        expect(q.figures.latencySample!.outsideWindow).toBeGreaterThan(0);
        expect(q.figures.latencySample!.unparsable).toBe(0);
        expect(q.figures.latencyMs!.p99!).toBeLessThan(30_000);
    }, 90_000);

    it("marks a query invalid when its job restarts in the measured window", async () => {
        let restarted = false;
        const [q] = await runBenchmark({
            ...small(),
            queries: selectQueries(["q0"]),
            runTag: "restart",
            onProgress: (_id, acked) => {
                if (!restarted && acked >= 8_000) {
                    restarted = true;
                    void standIn.restartJob("nexmark-q0-restart");
                }
            },
        });
        expect(restarted).toBe(true);
        expect(q.validity.valid).toBe(false);
        expect(q.validity.reasons.join("; ")).toMatch(/job restarted \(run_id 1 -> 2\)/);
        // The restarted run resumed from the last checkpoint: nothing was lost.
        expect(q.figures.kafka.lagAtEnd).toBe(0);
    }, 90_000);

    it("marks a query invalid with Arroyo's failure message when the job fails, and cleans up", async () => {
        // It fails once 4,000 events are acknowledged: inside the measured window (the warm-up is the
        // first 2,000), however long the producer took to start.
        let failed = false;
        const [q] = await runBenchmark({
            ...small(),
            queries: selectQueries(["q0"]),
            runTag: "failing",
            onProgress: (_id, acked) => {
                if (!failed && acked >= 4_000) {
                    failed = true;
                    void standIn.failJob("nexmark-q0-failing", "worker lost: node worker1 stopped heartbeating");
                }
            },
        });
        expect(failed).toBe(true);
        expect(q.validity.valid).toBe(false);
        expect(q.validity.reasons[0]).toMatch(/^job was Fail(ing|ed) .*: worker lost: node worker1 stopped heartbeating$/);
        const res = await fetch(`${outputs.arroyoApiUrl}/pipelines`);
        expect(((await res.json()) as { data: unknown[] }).data).toEqual([]);
    }, 90_000);
});

describe("npm run bench flags", () => {
    const bench = (args: string[]) =>
        promisify(execFile)("node", ["-r", "ts-node/register/transpile-only", "benchmark/cli.ts", ...args], { cwd: path.resolve(__dirname, "../..") }).then(
            () => ({ code: 0, stderr: "" }),
            (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
        );

    it("names a bad flag value", async () => {
        const r = await bench(["--events-per-second", "fast"]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/--events-per-second takes a positive whole number, not 'fast'/);
    }, 30_000);

    it("refuses a parallelism the cluster cannot schedule, before anything runs", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "outputs-")), "outputs.json");
        fs.writeFileSync(file, JSON.stringify(outputs));
        const r = await bench(["--outputs-file", file, "--parallelism", "3", "--queries", "q0"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/--parallelism 3 exceeds the cluster's 2 task slots \(stack output totalSlots\)/);
    }, 30_000);

    it("explains a query that is not included", async () => {
        const r = await bench(["--queries", "q0,q12", "--outputs-file", "/nonexistent.json"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/q12 is not included: counts bids per bidder in processing-time windows; Arroyo's windows are event-time only/);
    }, 30_000);

    it("lists the queries with their titles", async () => {
        const { stdout } = await promisify(execFile)("node", ["-r", "ts-node/register/transpile-only", "benchmark/cli.ts", "--list-queries"], { cwd: path.resolve(__dirname, "../..") });
        expect(stdout).toMatch(/^q0 {3}Q0 pass-through/m);
        expect(stdout).toMatch(/^q22 {2}Q22 get URL directories/m);
        expect(stdout).toMatch(/^not included:$/m);
        expect(stdout).toMatch(/^q12 {2}counts bids per bidder in processing-time windows/m);
    }, 30_000);

    it("npm run metrics -- --once -o samples the cluster and writes JSON", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "metrics-"));
        fs.writeFileSync(path.join(dir, "outputs.json"), JSON.stringify(outputs));
        const out = path.join(dir, "samples.json");
        const { stdout } = await promisify(execFile)(
            "node",
            ["-r", "ts-node/register/transpile-only", "benchmark/metricsCli.ts", "--outputs-file", path.join(dir, "outputs.json"), "--once", "--no-host-metrics", "-o", out],
            { cwd: path.resolve(__dirname, "../..") },
        );
        expect(stdout).toMatch(/no pipelines {2}\| {2}hosts: disabled/);
        const samples = JSON.parse(fs.readFileSync(out, "utf8"));
        expect(samples).toHaveLength(1);
        expect(samples[0]).toMatchObject({ pipelines: [], hosts: { error: "disabled" } });
    }, 30_000);

    it("says where stack outputs come from when the file is missing", async () => {
        const r = await bench(["--outputs-file", "/nonexistent.json"]);
        expect(r.stderr).toMatch(/--outputs-file \/nonexistent\.json does not exist/);
    }, 30_000);
});
