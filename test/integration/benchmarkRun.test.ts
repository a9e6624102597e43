import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFile } from "child_process";
import { promisify } from "util";
import { Kafka, logLevel } from "kafkajs";
import { runBenchmark } from "../../benchmark/run";
import { selectQueries } from "../../benchmark/queries";
import { writeResults, toolInfo, BenchmarkResults } from "../../benchmark/report/results";
import { ClusterOutputs } from "../../stacks/outputs";
import { ArroyoStandIn } from "../doubles/arroyo-stand-in/server";
import { RunningBroker, startKafkaBroker } from "../../toolchain/kafkaBroker";

let broker: RunningBroker;
let standIn: ArroyoStandIn;
let outputs: ClusterOutputs;
const topics = { person: "nexmark-person", auction: "nexmark-auction", bid: "nexmark-bid" };

beforeAll(async () => {
    broker = await startKafkaBroker({ topics: Object.fromEntries(Object.values(topics).map((t) => [t, 2])) });
    standIn = new ArroyoStandIn();
    outputs = {
        arroyoApiUrl: await standIn.listen(),
        kafkaBootstrapServers: broker.bootstrapServers,
        kafkaClusterBootstrapServers: broker.bootstrapServers,
        minioEndpoint: "http://127.0.0.1:9",
        topics,
        partitions: 2,
        totalSlots: 2,
        buckets: { checkpoints: "arroyo", extra: [] },
        images: { arroyo: "arroyo-stand-in:test", kafka: "kafka:test", minio: "minio:test" },
        hosts: [
            { name: "controller", address: "localhost", roles: ["kafka", "minio", "arroyo-controller"], dockerHost: "unix:///nonexistent.sock" },
            { name: "worker1", address: "localhost", roles: ["arroyo-node"], dockerHost: "unix:///nonexistent.sock", taskSlots: 2 },
        ],
        stack: "bench-test",
    };
}, 120_000);

afterAll(async () => {
    await standIn?.close();
    await broker?.stop();
});

describe("a benchmark run against the REST test double and a real broker", () => {
    let results: BenchmarkResults;
    let dir: string;

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
        const runs = await runBenchmark({
            outputs,
            queries: selectQueries(["q0", "q2"]),
            // The double copies records with kafkajs at about 10k/s: keep the load well below that.
            eventsPerSecond: 4_000,
            totalEvents: 40_000,
            warmupEvents: 8_000,
            parallelism: 2,
            seed: 5,
            threads: 1,
            runTag: "test",
            sampleIntervalMs: 500,
            drainMs: 2_000,
            hostMetrics: docker,
        });
        results = {
            schemaVersion: 1,
            tool: toolInfo(),
            startedAt,
            finishedAt: new Date().toISOString(),
            configuration: { stack: "bench-test", queries: ["q0", "q2"], eventsPerSecond: 4_000, totalEvents: 40_000, warmupEvents: 8_000, durationSeconds: null, parallelism: 2, seed: 5, producerThreads: 1, generatorNotes: [] },
            versions: { images: outputs.images, node: process.version },
            topology: { hosts: outputs.hosts, totalSlots: 2, partitions: 2, arroyoApiUrl: outputs.arroyoApiUrl, kafkaBootstrapServers: outputs.kafkaBootstrapServers },
            queries: runs,
        };
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-results-"));
        await writeResults(dir, results);
    }, 180_000);

    it("measured each query in its window, with processed close to produced", () => {
        for (const q of results.queries) {
            const f = q.figures;
            expect(q.produce.sent).toBe(40_000);
            expect(q.window.endMs).toBeGreaterThan(q.window.startMs);
            expect(Math.abs(f.producedRate - 4_000) / 4_000).toBeLessThan(0.1);
            // The double forwards every bid; bids are 46 of every 50 events.
            expect(f.processedRate).not.toBeNull();
            expect(Math.abs((f.processedRate as number) - 4_000 * 0.92) / (4_000 * 0.92)).toBeLessThan(0.25);
            expect(f.outputRate).toBeGreaterThan(0);
            // Only bids reach q0 and q2: the input is 46 of every 50 events, and the double keeps up.
            expect(f.inputRate).toBeCloseTo(f.producedRate * 0.92, -1);
            expect(f.lagAtEnd).not.toBeNull();
            expect(f.lagAtEnd as number).toBeLessThan(q.produce.perKind.bid * 0.25);
        }
    });

    it("measured latency where outputs carry event time", () => {
        const q0 = results.queries[0].figures.latencyMs!;
        expect(q0.count).toBeGreaterThan(1_000);
        expect(q0.p50).toBeLessThanOrEqual(q0.p99 as number);
        expect(q0.p99).toBeLessThan(30_000);
    });

    it("attributed host CPU to hosts and computed throughput per core", () => {
        const f = results.queries[0].figures;
        expect(f.hosts.find((h) => h.host === "worker1")?.cpuCores).toBeCloseTo(1.5);
        expect(f.arroyoCores).toBeCloseTo(1.7);
        expect(f.eventsPerSecondPerCore).toBeCloseTo((f.processedRate as number) / 1.7);
    });

    it("left no pipeline and no results topic behind, and removed the stale one", async () => {
        const res = await fetch(`${outputs.arroyoApiUrl}/pipelines`);
        expect(((await res.json()) as { data: unknown[] }).data).toEqual([]);
        const admin = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        const left = (await admin.listTopics()).filter((t) => t.startsWith("nexmark-results"));
        await admin.disconnect();
        expect(left).toEqual([]);
    });

    it("wrote results.json, summary.md and SVG charts", () => {
        expect(fs.readdirSync(dir).sort()).toEqual(["rates-over-time.svg", "results.json", "summary.md", "throughput.svg"]);
        const json = JSON.parse(fs.readFileSync(path.join(dir, "results.json"), "utf8")) as BenchmarkResults;
        expect(json.queries.map((q) => q.id)).toEqual(["q0", "q2"]);
        expect(json.queries[0].samples.produced.length).toBeGreaterThan(10);
        const md = fs.readFileSync(path.join(dir, "summary.md"), "utf8");
        expect(md).toMatch(/^\| q0 \| [\d,]+ \| [\d,]+ \| [\d,]+ \| [\d,]+ \| [\d,]+ \/ [\d,]+ \|/m);
        expect(md).toMatch(/^\| query \| controller \| worker1 \|$/m);
        for (const svg of ["throughput.svg", "rates-over-time.svg"]) expect(fs.readFileSync(path.join(dir, svg), "utf8")).toMatch(/^<svg[\s\S]*<\/svg>$/);
    });
});

describe("failure paths of a run", () => {
    const base = () => ({ outputs, eventsPerSecond: 2_000, totalEvents: 4_000, warmupEvents: 400, parallelism: 1, seed: 1, threads: 1, sampleIntervalMs: 500, drainMs: 1_000, hostMetrics: false as const });

    it("stops before any load when Arroyo rejects a query, with Arroyo's message", async () => {
        const bad = { id: "q99", title: "Q99 broken", body: "INSERT INTO results SELECT * FROM nowhere;", reads: [] };
        const before = await new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING }).admin();
        await before.connect();
        const offsets = await before.fetchTopicOffsets(topics.bid);
        await expect(runBenchmark({ ...base(), queries: [bad], runTag: "bad" })).rejects.toThrow(
            "Arroyo rejected a query; nothing was run:\n  q99: Error during planning: table 'nowhere' not found; Error during planning: sink table 'results' not found",
        );
        expect(await before.fetchTopicOffsets(topics.bid)).toEqual(offsets);
        await before.disconnect();
    }, 60_000);

    it("fails with Arroyo's failure message when the job fails during the load, and cleans up", async () => {
        standIn.failNextJob("worker lost: node worker1 stopped heartbeating");
        await expect(runBenchmark({ ...base(), queries: selectQueries(["q0"]), runTag: "failing" })).rejects.toThrow(
            /pipeline 'nexmark-q0-failing' is Failed: worker lost: node worker1 stopped heartbeating/,
        );
        const res = await fetch(`${outputs.arroyoApiUrl}/pipelines`);
        expect(((await res.json()) as { data: unknown[] }).data).toEqual([]);
    }, 60_000);
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

    it("explains a query Arroyo cannot run", async () => {
        const r = await bench(["--queries", "q0,q4", "--outputs-file", "/nonexistent.json"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/q4 cannot run on Arroyo: joins each bid to its auction only while the auction is open/);
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
