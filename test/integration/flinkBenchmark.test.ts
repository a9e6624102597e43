// The benchmark against a real engine: Apache Flink (JobManager, two TaskManagers, SQL Gateway,
// from Maven Central's jars) next to a real Kafka broker, all on loopback. What is measured on
// Kafka must hold on it as on the Arroyo double: the consumed count from the group offsets Flink
// commits (the next offset to read) equals the events sent, a rate it keeps up with is
// sustainable, a stateless query's output matches the generator record by record, and a lost
// TaskManager in the window marks the query invalid.
import { runBenchmark } from "../../benchmark/run";
import { listQueries, selectQueries } from "../../benchmark/queries";
import { FlinkEngine } from "../../benchmark/engines/flink";
import { QueryRun } from "../../benchmark/report/types";
import {
    compareOutputs,
    compareRecordedOutputs,
    RecordedOutput,
    recordKey,
    Verification,
} from "../../benchmark/verify";
import { kindOf, NexmarkGenerator } from "../../benchmark/nexmark/generator";
import { partitionOf } from "../../benchmark/producer/plan";
import { ClusterOutputs } from "../../stacks/outputs";
import { RunningBroker, startKafkaBroker } from "../../toolchain/kafkaBroker";
import { RunningFlink, startFlinkCluster } from "../../toolchain/flinkCluster";
import { flinkOutputs, NEXMARK_TOPICS } from "../helpers/doubleCluster";

let broker: RunningBroker;
let flink: RunningFlink;
let outputs: ClusterOutputs;
// Of every 50 events, 1 is a person, 3 are auctions, 46 are bids.
const BID_SHARE = 46 / 50;

beforeAll(async () => {
    [broker, flink] = await Promise.all([
        startKafkaBroker({ topics: Object.fromEntries(Object.values(NEXMARK_TOPICS).map((t) => [t, 2])) }),
        // Three TaskManagers of two slots: a job of parallelism 2 survives the loss of any two.
        startFlinkCluster({ taskManagers: 3, slotsPerTaskManager: 2 }),
    ]);
    outputs = flinkOutputs(broker.bootstrapServers, flink, { partitions: 2, totalSlots: 6 });
}, 300_000);

afterAll(async () => {
    await flink?.stop();
    await broker?.stop();
});

// One-second checkpoints, Kafka sampled four times a second, Flink's counters every second.
const base = () => ({
    outputs,
    engine: new FlinkEngine(flink.restUrl, flink.gatewayUrl),
    parallelism: 2,
    checkpointIntervalSeconds: 1,
    seed: 7,
    threads: 1,
    sampleIntervalMs: 250,
    metricsIntervalMs: 1_000,
    hostMetrics: false as const,
    thermal: false as const,
    lagThreshold: 0.05,
});

describe("the benchmark on a real Flink", () => {
    const runs = new Map<string, QueryRun>();
    const RATE = 2_000;

    beforeAll(async () => {
        // A rate a 2-core machine's Flink keeps up with on every one of these, 12 s windows.
        for (const run of await runBenchmark({
            ...base(),
            queries: selectQueries(["q0", "q1", "q5", "q3"], "flink"),
            eventsPerSecond: RATE,
            totalEvents: 40_000,
            warmupEvents: 16_000,
            runTag: "flink",
            verify: true,
            drainMs: 30_000,
        })) {
            runs.set(run.id, run);
        }
    }, 1_200_000);

    it.each(["q0", "q1", "q5", "q3"])(
        "%s: Flink consumed every event sent, by the offsets it committed, and the rate is sustainable",
        (id) => {
            const q = runs.get(id)!;
            const k = q.figures.kafka;
            expect(q.engine).toBe("flink");
            expect(q.validity).toEqual({ valid: true, reasons: [] });
            // After the drain the groups' offsets are the topics' ends: consumed = sent, exactly.
            const last = q.samples.progress[q.samples.progress.length - 1];
            expect(last.lag).toBe(0);
            expect(last.consumed).toBe(last.input);
            expect(k.lagAtEnd).toBe(0);
            expect(k.lagTrendBasis).toBe("checkpoints");
            expect(k.verdict).toBe("sustainable");
            // In the window, what the commits counted and what was sent over the same span differ by
            // the events read but not yet committed at its two ends. A commit follows a completed
            // checkpoint, so at any sample the committed offset is behind what was read by at most
            // the longest gap between checkpoint starts plus the longest checkpoint, plus one sample
            // interval: the input of that span bounds the difference. One second of input, the bound
            // before, was exceeded on a busy 2-core machine (q5: 1,898 events against 1,840).
            const c = k.consumedInWindow!;
            const cp = q.figures.checkpoints;
            const inputPerSecond = id === "q3" ? RATE * (4 / 50) : RATE * BID_SHARE;
            const uncommittedAtMostS = cp.maxGapSeconds! + cp.durationMsMax! / 1000 + 0.25;
            expect(Math.abs(c.events - (k.inputRate! * (c.toMs - c.fromMs)) / 1000)).toBeLessThanOrEqual(
                inputPerSecond * uncommittedAtMostS,
            );
            expect(q.figures.checkpoints.inWindow).toBeGreaterThanOrEqual(6);
            expect(q.figures.checkpoints.source).toBe("checkpoint list");
        },
    );

    it.each(["q0", "q1"])("%s: Flink's own counters agree with Kafka's count within 5%", (id) => {
        const e = runs.get(id)!.figures.engine;
        console.log(`${id}: Flink's source count against Kafka's in the window: ${e.differenceFromKafka}`);
        expect(e.engine).toBe("flink");
        expect(e.sourceRate).not.toBeNull();
        expect(Math.abs(e.differenceFromKafka!)).toBeLessThanOrEqual(0.05);
        expect(e.sinkRate! / e.sourceRate!).toBeGreaterThan(0.9);
        expect(e.backpressureMax).toBeGreaterThanOrEqual(0);
        expect(e.busyMax).toBeGreaterThan(0);
    });

    it("q1's output matches what its SQL computes from the generator's bids, record by record", () => {
        const v = runs.get("q1")!.verification as Verification;
        expect(v.expected).toBe(Math.round(40_000 * BID_SHARE));
        expect(v).toMatchObject({ matched: v.expected, missing: 0, extra: 0, read: v.expected });
        expect(runs.get("q0")!.verification).toMatchObject({ matched: v.expected, missing: 0, extra: 0 });
        expect(runs.get("q5")!.verification).toEqual({ notVerified: expect.stringMatching(/keeps state/) });
    });

    it("q5's windows are timed from their end, by the records' Kafka timestamps", () => {
        const q = runs.get("q5")!;
        expect(q.figures.latencyFrom).toBe("window-end");
        expect(q.figures.latencyMs!.count).toBeGreaterThan(0);
        // A window is emitted once the watermark (4 s behind the events) passes its end.
        expect(q.figures.latencyMs!.p50!).toBeGreaterThan(3_000);
        expect(q.figures.latencyMs!.p99!).toBeLessThan(20_000);
        expect(q.figures.kafka.outputRate!).toBeGreaterThan(0);
    });
});

describe("Flink's query files on the real Flink", () => {
    it("every one plans: its tables are created and Flink explains its INSERT", async () => {
        const engine = new FlinkEngine(flink.restUrl, flink.gatewayUrl);
        const problems: string[] = [];
        const queries = listQueries("flink");
        for (const q of queries) {
            const sql = engine.render(q, {
                bootstrapServers: broker.bootstrapServers,
                resultsTopic: "plan-only",
                updatingTtlSeconds: 600,
                source: {
                    kind: "kafka",
                    topics: NEXMARK_TOPICS,
                    groups: { person: "plan-p", auction: "plan-a", bid: "plan-b" },
                },
            });
            for (const e of await engine.validate(q, sql)) problems.push(`${q.id}: ${e}`);
        }
        expect(problems).toEqual([]);
        expect(queries.length).toBe(20);
        // And a broken one is refused with Flink's own words (the INSERT's SELECT, not the header's).
        const [q0] = selectQueries(["q0"], "flink");
        const broken = engine
            .render(q0, {
                bootstrapServers: broker.bootstrapServers,
                resultsTopic: "plan-only",
                source: { kind: "kafka", topics: NEXMARK_TOPICS, groups: { person: "p", auction: "a", bid: "b" } },
            })
            .replace("\nSELECT auction,", "\nSELECT no_such_function(auction) AS auction,");
        expect((await engine.validate(q0, broken)).join(" ")).toMatch(
            /No match found for function signature no_such_function/,
        );
    }, 300_000);
});

describe("TaskManagers lost in the measured window", () => {
    /** The TaskManager running the job's first vertex, once the job is RUNNING there again. */
    async function hostOfRunningJob(engine: FlinkEngine, tag: string, not: Set<string>): Promise<string> {
        for (;;) {
            const job = (await engine.client.jobsOverview()).find((j) => j.state === "RUNNING" && j.name.includes(tag));
            if (job) {
                const detail = await engine.client.job(job.jid);
                const hosting = (await (
                    await fetch(`${flink.restUrl}/jobs/${job.jid}/vertices/${detail.vertices[0].id}/taskmanagers`)
                ).json()) as { taskmanagers: { "taskmanager-id": string; status?: Record<string, number> }[] };
                // Only the cluster's own TaskManagers: while subtasks are being placed Flink lists
                // them under "(unassigned)", which is no process to kill.
                const host = hosting.taskmanagers.find(
                    (t) =>
                        flink.taskManagerIds.includes(t["taskmanager-id"]) &&
                        !not.has(t["taskmanager-id"]) &&
                        (t.status?.RUNNING ?? 1) > 0,
                );
                if (host) return host["taskmanager-id"];
            }
            await new Promise((r) => setTimeout(r, 250));
        }
    }

    it("two TaskManagers killed one after the other: invalid, every restart counted, the oldest of its failures named", async () => {
        const engine = new FlinkEngine(flink.restUrl, flink.gatewayUrl);
        const killedIds: string[] = [];
        let kills: Promise<void> | undefined;
        const [q] = await runBenchmark({
            ...base(),
            engine,
            queries: selectQueries(["q0"], "flink"),
            eventsPerSecond: 2_000,
            totalEvents: 110_000,
            warmupEvents: 10_000,
            runTag: "flinklost",
            drainMs: 30_000,
            onProgress: (_query, acked) => {
                // 5 s into the window the TaskManager running the job dies; once the job runs
                // again elsewhere, the one it moved to dies too.
                if (acked < 20_000 || kills) return;
                kills = (async () => {
                    for (let i = 0; i < 2; i++) {
                        const id = await hostOfRunningJob(engine, "flinklost", new Set(killedIds));
                        killedIds.push(id);
                        await flink.killTaskManager(id);
                    }
                })();
            },
        });
        await kills;
        expect(killedIds).toHaveLength(2);
        console.log(`two TaskManagers lost (${killedIds.join(", ")}): ${JSON.stringify(q.validity)}`);
        expect(q.validity.valid).toBe(false);
        const reasons = q.validity.reasons.join("; ");
        const counted = /job restarted (\d+) times \(restarts 0 -> (\d+)\)/.exec(reasons);
        expect(counted).not.toBeNull();
        expect(Number(counted![1])).toBeGreaterThanOrEqual(2);
        // The first error is the oldest in Flink's exception history, the first TaskManager's loss,
        // with the count of failures it holds: at least one per TaskManager lost, at most one per
        // restart. (With the deployment's fixed-delay restarts a retry whose slots were on the lost
        // TaskManager fails too and is recorded: 4 failures for 4 restarts were seen here; with
        // Flink's default exponential delay, 2 for 4.)
        const failures = new RegExp(
            `first error Flink reported: .*${killedIds[0]}.*\\(the first of (\\d+) failures Flink recorded\\)`,
        ).exec(reasons);
        expect(failures).not.toBeNull();
        expect(Number(failures![1])).toBeGreaterThanOrEqual(2);
        expect(Number(failures![1])).toBeLessThanOrEqual(Number(counted![1]));
        // Nothing lost across the restarts: Flink resumes from its last checkpoint's offsets.
        const last = q.samples.progress[q.samples.progress.length - 1];
        expect(last.consumed).toBe(last.input);
    }, 900_000);
});

/**
 * What q5 writes for events [0, total) at `rate` from `baseTimeMs`, from its definition: per
 * hop(2 s, 10 s) window, the auctions whose bid count is the window's highest. Only the windows
 * Flink closes: a window [end - 10 s, end) fires once the watermark reaches end - 1 ms, and the
 * bid source's watermark is the least over its partitions of (latest bid time - 4 s).
 */
function q5Reference(load: { seed: number; baseTimeMs: number; rate: number; total: number; partitions: number }) {
    const g = new NexmarkGenerator({ seed: load.seed, baseTimeMs: load.baseTimeMs, eventsPerSecond: load.rate });
    const latest = Array<number>(load.partitions).fill(-Infinity);
    const perWindow = new Map<number, Map<number, number>>();
    for (let n = 0; n < load.total; n++) {
        if (kindOf(n) !== "bid") continue;
        const b = g.bid(n);
        const p = partitionOf(n, load.partitions);
        latest[p] = Math.max(latest[p], b.datetime);
        // The windows holding time t end at the next multiples of 2 s after t, up to t + 10 s.
        for (let end = Math.floor(b.datetime / 2_000) * 2_000 + 2_000; end <= b.datetime + 10_000; end += 2_000) {
            const counts = perWindow.get(end) ?? new Map<number, number>();
            counts.set(b.auction, (counts.get(b.auction) ?? 0) + 1);
            perWindow.set(end, counts);
        }
    }
    const watermark = Math.min(...latest) - 4_000;
    const out = new Map<string, number>();
    for (const [end, counts] of perWindow) {
        if (end - 1 > watermark) continue;
        const max = Math.max(...counts.values());
        for (const [auction, num] of counts)
            if (num === max) {
                const key = recordKey(["auction", "num"], { auction, num });
                out.set(key, (out.get(key) ?? 0) + 1);
            }
    }
    return { out, windows: [...perWindow.keys()].filter((end) => end - 1 <= watermark).length };
}

describe("q5's output under a fixed base time, on two runs", () => {
    it("matches record by record between the runs, and no latency is reported for them", async () => {
        // Both runs stamp event n at the same instant, so both see the same windows.
        const baseTimeMs = Date.UTC(2026, 0, 1);
        const run = async (runTag: string) => {
            const [q] = await runBenchmark({
                ...base(),
                queries: selectQueries(["q5"], "flink"),
                eventsPerSecond: 2_000,
                totalEvents: 40_000,
                warmupEvents: 8_000,
                runTag,
                verify: true,
                baseTimeMs,
                drainMs: 30_000,
            });
            return q;
        };
        // Each run's results topic keeps records stamped at 2026's event times (resultsTopicConfig):
        // on a default topic the broker's retention check deleted the first windows' records at
        // random, and runs wrote 2, 6 or 10 of 10.
        const [a, b] = [await run("fixed1"), await run("fixed2")];
        for (const q of [a, b]) {
            expect(q.figures.latencyMs).toBeNull();
            expect(q.verification).toMatchObject({ recordedFrom: { baseTimeMs, seed: 7 } });
        }
        const v = compareRecordedOutputs(a.verification as RecordedOutput, b.verification as RecordedOutput);
        console.log(`q5 twice on Flink at base time ${new Date(baseTimeMs).toISOString()}: ${JSON.stringify(v)}`);
        expect(v).toMatchObject({ missing: 0, extra: 0 });
        expect((v as Verification).matched).toBe((v as Verification).expected);
        // And both are what q5 computes: 20 s of event time and a watermark 4 s behind close the
        // windows ending at 2, 4, ... 16 s, each with its hottest auctions.
        const reference = q5Reference({ seed: 7, baseTimeMs, rate: 2_000, total: 40_000, partitions: 2 });
        expect(reference.windows).toBe(8);
        const againstReference = compareOutputs(
            reference.out,
            (a.verification as RecordedOutput).keys.flatMap(([key, n]) => Array<string>(n).fill(key)),
        );
        console.log(`q5 on Flink against its definition: ${JSON.stringify(againstReference)}`);
        expect(againstReference).toMatchObject({ missing: 0, extra: 0 });
    }, 900_000);
});
