import {
    comparisonChartData,
    comparisonMarkdown,
    compareResults,
    differences,
    IncomparableError,
} from "../../benchmark/report/compare";
import { arroyoProfile } from "../../benchmark/engines/arroyo/profile";
import { BenchmarkResults, QueryRun } from "../../benchmark/report/types";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main as compareMain, readResults } from "../../benchmark/compareCli";
import { summaryMarkdown } from "../../benchmark/report/summary";

/** A fixed-rate query run with the figures the comparison reads; the rest is not looked at. */
function run(
    id: string,
    f: {
        consumed: number;
        perCore: number | null;
        p99: number | null;
        memory: number | null;
        checkpointMs: number | null;
        valid?: boolean;
        verdict?: "sustainable" | "not sustainable";
    },
): QueryRun {
    return {
        id,
        engine: "arroyo",
        parallelism: 2,
        validity: {
            valid: f.valid ?? true,
            reasons: f.valid === false ? ["job restarted once (numRestarts 0 -> 1)"] : [],
        },
        figures: {
            kafka: {
                inputRate: f.consumed,
                consumedRate: f.consumed,
                verdict: f.verdict ?? "sustainable",
                verdictReason: "lag trend 1 ev/s",
                lagAtEnd: 0,
            },
            eventsPerSecondPerCore: f.perCore,
            latencyMs: f.p99 === null ? null : { count: 10, p99: f.p99 },
            hosts: [{ host: "worker1", cpuCores: 1, memoryBytesMean: f.memory, memoryBytesMax: f.memory }],
            checkpoints: { durationMsP50: f.checkpointMs },
        },
    } as unknown as QueryRun;
}

function results(
    engine: "arroyo" | "flink",
    queries: QueryRun[],
    over: { seed?: number; rate?: number; parallelism?: number; hosts?: string[]; image?: string } = {},
): BenchmarkResults {
    return {
        schemaVersion: 5,
        mode: "fixed-rate",
        configuration: {
            queries: queries.map((q) => q.id),
            seed: over.seed ?? 1,
            eventsPerSecond: over.rate ?? 10_000,
            totalEvents: 600_000,
            warmupEvents: 60_000,
            durationSeconds: null,
            parallelism: over.parallelism ?? 2,
            checkpointIntervalSeconds: 10,
        },
        versions: {
            images: {
                arroyo: over.image ?? "ghcr.io/arroyosystems/arroyo:0.15.0",
                kafka: "apache/kafka:4.1.1",
                minio: "minio/minio:x",
                flink: "flink:2.2.1-java17",
            },
            node: "v20",
        },
        topology: {
            engine,
            hosts: (over.hosts ?? ["b1pc10", "b1pc11"]).map((name) => ({
                name,
                address: "192.0.2.1",
                roles: [],
                dockerHost: "x",
                facts: { model: "Raspberry Pi 5 Model B Rev 1.0", architecture: "aarch64", memoryMb: 8064 },
            })),
            totalSlots: 2,
            partitions: 2,
            engineUrl: "http://192.0.2.1",
            kafkaBootstrapServers: "192.0.2.1:9092",
        },
        queries,
    } as unknown as BenchmarkResults;
}

describe("npm run compare", () => {
    it("puts each query's figures side by side with b / a, and notes what is not a clean measurement", () => {
        const a = results("arroyo", [
            run("q1", { consumed: 10_000, perCore: 5_000, p99: 200, memory: 1024 ** 3, checkpointMs: 100 }),
            run("q5", { consumed: 9_000, perCore: null, p99: 4_000, memory: null, checkpointMs: 50 }),
        ]);
        const b = results("flink", [
            run("q1", { consumed: 10_000, perCore: 2_500, p99: 300, memory: 2 * 1024 ** 3, checkpointMs: 25 }),
            run("q3", { consumed: 1, perCore: 1, p99: 1, memory: 1, checkpointMs: 1 }),
            run("q5", {
                consumed: 6_000,
                perCore: 1_000,
                p99: 5_000,
                memory: null,
                checkpointMs: 40,
                valid: false,
                verdict: "not sustainable",
            }),
        ]);
        const c = compareResults(a, b, { a: "results/arroyo", b: "results/flink" });
        expect(c.a.label).toBe("Arroyo");
        expect(c.b.label).toBe("Flink");
        expect(c.queries.map((q) => q.query)).toEqual(["q1", "q5"]);
        expect(c.queries[0].figures).toEqual({
            consumedEventsPerSecond: { a: 10_000, b: 10_000, ratio: 1 },
            eventsPerSecondPerCore: { a: 5_000, b: 2_500, ratio: 0.5 },
            latencyP99Ms: { a: 200, b: 300, ratio: 1.5 },
            memoryBytes: { a: 1024 ** 3, b: 2 * 1024 ** 3, ratio: 2 },
            checkpointDurationP50Ms: { a: 100, b: 25, ratio: 0.25 },
        });
        // Not measured is not zero: no ratio.
        expect(c.queries[1].figures.eventsPerSecondPerCore).toEqual({ a: null, b: 1_000, ratio: null });
        expect(c.queries[1].notes).toEqual([
            "b invalid: job restarted once (numRestarts 0 -> 1)",
            "b not sustainable: lag trend 1 ev/s",
        ]);
        expect(c.onlyIn).toEqual({ a: [], b: ["q3"] });
        const md = comparisonMarkdown(c);
        expect(md).toMatch(/^# Flink against Arroyo/);
        expect(md).toContain(
            "| q1 | 2 | 10,000 | 10,000 | 1.00x | 5,000 | 2,500 | 0.50x | 200 | 300 | 1.50x | 1,024 | 2,048 | 2.00x | 100 | 25 | 0.25x |",
        );
        expect(md).toContain("- q5 (p=2), Flink invalid: job restarted once");
        expect(md).toContain("Only in a: none. Only in b: q3.");
        expect(comparisonChartData(c)).toEqual([
            { query: "q1 p=2", engine: "Arroyo", rate: 10_000 },
            { query: "q1 p=2", engine: "Flink", rate: 10_000 },
            { query: "q5 p=2", engine: "Arroyo", rate: 9_000 },
            { query: "q5 p=2", engine: "Flink", rate: 6_000 },
        ]);
    });

    it("refuses runs whose load, hosts or parallelism differ, naming each difference with both values", () => {
        const a = results("arroyo", []);
        const b = results("flink", [], { seed: 2, rate: 20_000, parallelism: 4, hosts: ["b1pc10", "b1pc12"] });
        expect(differences(a, b)).toEqual([
            "the seed (the events sent) differs (1 vs 2)",
            "the load's rate (--events-per-second) differs (10000 vs 20000)",
            "the parallelism differs (2 vs 4)",
            expect.stringMatching(
                /^the hosts \(names, models, architectures, memory, task slots\) differs \(.*b1pc11.* vs .*b1pc12/,
            ),
        ]);
        expect(() => compareResults(a, b)).toThrow(IncomparableError);
        expect(differences(a, results("flink", []))).toEqual([]);
    });

    it("refuses runs whose engines had different budgets per worker, naming both", () => {
        const withBudget = (
            r: BenchmarkResults,
            budget: { memoryPerSlotMb: number; cpusPerWorker: number | null } | undefined,
        ) => ({ ...r, topology: { ...r.topology, ...(budget ? { budget } : {}) } }) as BenchmarkResults;
        const a = withBudget(results("arroyo", []), { memoryPerSlotMb: 768, cpusPerWorker: null });
        expect(differences(a, withBudget(results("flink", []), { memoryPerSlotMb: 1024, cpusPerWorker: 3 }))).toEqual([
            'the budget per worker (memory per task slot in MB, CPUs) differs ({"memoryPerSlotMb":768,"cpusPerWorker":null} vs {"memoryPerSlotMb":1024,"cpusPerWorker":3})',
        ]);
        // A run from before budgets were recorded cannot be shown to have had the same.
        expect(differences(a, results("flink", []))).toEqual([
            'the budget per worker (memory per task slot in MB, CPUs) differs ({"memoryPerSlotMb":768,"cpusPerWorker":null} vs "not recorded")',
        ]);
        expect(differences(a, withBudget(results("flink", []), { memoryPerSlotMb: 768, cpusPerWorker: null }))).toEqual(
            [],
        );
    });

    it("sets two Flink runs side by side only with the same profile, and Arroyo beside Flink whatever Flink's", () => {
        const withSettings = (r: BenchmarkResults, engineSettings: Record<string, string | boolean>) =>
            ({ ...r, topology: { ...r.topology, engineSettings } }) as BenchmarkResults;
        const pi = withSettings(results("flink", []), { profile: "pi", prometheusReporter: false });
        const nexmark = withSettings(results("flink", []), { profile: "nexmark", prometheusReporter: false });
        expect(differences(pi, nexmark)).toEqual([
            'Flink\'s settings differs ({"profile":"pi","prometheusReporter":false} vs {"profile":"nexmark","prometheusReporter":false})',
        ]);
        expect(
            differences(pi, withSettings(results("flink", []), { profile: "pi", prometheusReporter: false })),
        ).toEqual([]);
        expect(differences(withSettings(results("arroyo", []), {}), nexmark)).toEqual([]);
        // The report names the profile of a Flink run, and says that Arroyo runs as it ships.
        const load = { host: "loadgen", threads: 1, client: "kafkajs" } as unknown as BenchmarkResults["load"];
        expect(summaryMarkdown({ ...nexmark, load })).toContain(
            "(Flink profile `nexmark`: the pi profile plus nexmark/nexmark's settings",
        );
        expect(summaryMarkdown({ ...withSettings(results("arroyo", []), {}), load })).toContain("(Arroyo as it ships)");
    });

    it("sets two recorded outputs side by side record by record, and says when only one run recorded its output", () => {
        const from = { baseTimeMs: Date.UTC(2026, 0, 1), seed: 1, eventsPerSecond: 10_000, totalEvents: 600_000 };
        const q5 = (keys: [string, number][], recordedFrom = from) => ({
            ...run("q5", { consumed: 9_200, perCore: 5_000, p99: null, memory: 1, checkpointMs: 100 }),
            verification: { recordedFrom, records: keys.reduce((s, [, n]) => s + n, 0), keys },
        });
        const a = results("arroyo", [
            q5([
                ["[1,3]", 1],
                ["[2,3]", 1],
            ]),
        ]);
        const c = compareResults(
            a,
            results("flink", [
                q5([
                    ["[1,3]", 1],
                    ["[7,2]", 1],
                ]),
            ]),
        );
        expect(c.queries[0].output).toMatchObject({ expected: 2, matched: 1, missing: 1, extra: 1 });
        expect(comparisonMarkdown(c)).toContain(
            "- q5: 1 of 2 records of a matched in b, 1 missing, 1 extra **(mismatch)**",
        );
        const other = compareResults(
            a,
            results("flink", [q5([["[1,3]", 1]], { ...from, baseTimeMs: from.baseTimeMs + 10_000 })]),
        );
        expect(comparisonMarkdown(other)).toContain(
            `- q5: not compared: the loads differ, so the events and windows do: baseTimeMs ${from.baseTimeMs} vs ${from.baseTimeMs + 10_000}`,
        );
        const one = compareResults(
            a,
            results("flink", [run("q5", { consumed: 9_200, perCore: 1, p99: null, memory: 1, checkpointMs: 1 })]),
        );
        expect(one.queries[0].output).toEqual({
            notCompared: "only a recorded its output (--verify with a fixed --base-time on both runs)",
        });
    });

    it("labels the Arroyo test double as a double, never as Arroyo", () => {
        expect(arroyoProfile.isTestDouble("arroyo-pi/arroyo-double:0.15.0-7e9546682eb4")).toBe(true);
        expect(arroyoProfile.isTestDouble("arroyo-stand-in:test")).toBe(true);
        expect(arroyoProfile.isTestDouble("ghcr.io/arroyosystems/arroyo:0.15.0")).toBe(false);
        const c = compareResults(
            results("arroyo", [], { image: "arroyo-pi/arroyo-double:0.15.0-abc" }),
            results("flink", []),
        );
        expect(c.a.label).toBe("Arroyo (test double, not Arroyo)");
        expect(comparisonMarkdown(c)).toContain("The Arroyo side is this project's test double");
    });

    it("compares maximum sustainable throughputs of two searches, query by query and parallelism", () => {
        const search = (rate: number | null, p99: number | null) => ({
            mst: rate === null ? null : { rate, inputRate: rate * 0.92 },
            end: rate === null ? "none-sustained" : "resolved",
            note: rate === null ? "no trial passed at 4000 events/s" : "resolved",
            trials: rate === null ? [] : [{ rate, pass: true, p99Ms: p99 }],
        });
        const findMax = (
            engine: "arroyo" | "flink",
            cap: { query: string; parallelism: number; search: ReturnType<typeof search> }[],
        ) =>
            ({
                ...results(engine, []),
                mode: "find-max",
                configuration: {
                    ...results(engine, []).configuration,
                    search: {
                        parallelisms: [2],
                        trialWarmupSeconds: 8,
                        trialWindowSeconds: 16,
                        resolution: 0.1,
                        latencySloMs: null,
                    },
                },
                capacity: cap,
            }) as unknown as BenchmarkResults;
        const c = compareResults(
            findMax("arroyo", [
                { query: "q1", parallelism: 2, search: search(40_000, 120) },
                { query: "q5", parallelism: 2, search: search(null, null) },
            ]),
            findMax("flink", [
                { query: "q1", parallelism: 2, search: search(30_000, 90) },
                { query: "q5", parallelism: 2, search: search(20_000, 5_000) },
            ]),
        );
        expect(c.queries[0].figures).toEqual({
            mstEventsPerSecond: { a: 40_000, b: 30_000, ratio: 0.75 },
            mstInputEventsPerSecond: { a: 36_800, b: 27_600, ratio: 0.75 },
            latencyP99MsAtMst: { a: 120, b: 90, ratio: 0.75 },
        });
        expect(c.queries[1].figures.mstEventsPerSecond).toEqual({ a: null, b: 20_000, ratio: null });
        expect(c.queries[1].notes).toEqual(["a: no trial passed: no trial passed at 4000 events/s"]);
        expect(c.queries[0].notes).toEqual([]);
    });
});

describe("npm run compare's files", () => {
    it("reads two results folders and writes the comparison as JSON, Markdown and an SVG chart", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compare-"));
        const write = (name: string, r: BenchmarkResults) => {
            fs.mkdirSync(path.join(dir, name));
            fs.writeFileSync(path.join(dir, name, "results.json"), JSON.stringify(r));
            return path.join(dir, name);
        };
        const a = write(
            "arroyo",
            results("arroyo", [
                run("q1", { consumed: 10_000, perCore: null, p99: 100, memory: null, checkpointMs: 10 }),
            ]),
        );
        const b = write(
            "flink",
            results("flink", [run("q1", { consumed: 8_000, perCore: null, p99: 120, memory: null, checkpointMs: 20 })]),
        );
        const out = path.join(dir, "out");
        await compareMain(["node", "compare", a, path.join(b, "results.json"), "--out", out]);
        expect(
            JSON.parse(fs.readFileSync(path.join(out, "comparison.json"), "utf8")).queries[0].figures
                .consumedEventsPerSecond,
        ).toEqual({ a: 10_000, b: 8_000, ratio: 0.8 });
        expect(fs.readFileSync(path.join(out, "comparison.md"), "utf8")).toContain(
            "| q1 | 2 | 10,000 | 8,000 | 0.80x |",
        );
        expect(fs.readFileSync(path.join(out, "comparison.svg"), "utf8")).toMatch(/^<svg/);
        fs.writeFileSync(path.join(dir, "old.json"), JSON.stringify({ ...results("flink", []), schemaVersion: 4 }));
        expect(() => readResults(path.join(dir, "old.json"))).toThrow(
            /has results schema 4; this version reads 5: run the benchmark again/,
        );
        expect(() => readResults(path.join(dir, "nowhere"))).toThrow(/no results.json there/);
        // A file of this version whose figures are cut short is refused with the field, not read as undefined.
        const cut = results("flink", [
            run("q1", { consumed: 8_000, perCore: null, p99: 120, memory: null, checkpointMs: 20 }),
        ]) as unknown as { queries: { figures: Record<string, unknown> }[] };
        delete cut.queries[0].figures.kafka;
        fs.writeFileSync(path.join(dir, "cut.json"), JSON.stringify(cut));
        expect(() => readResults(path.join(dir, "cut.json"))).toThrow(
            /cut\.json is not a results\.json this version can read: queries\.0\.figures\.kafka: /,
        );
        fs.writeFileSync(path.join(dir, "text.json"), "{ not json");
        expect(() => readResults(path.join(dir, "text.json"))).toThrow(/text\.json is not JSON/);
    });
});
