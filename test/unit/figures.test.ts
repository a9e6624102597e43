// The figures at their edges, with inputs and answers worked out by hand: the window's bounds,
// the order of what the engines list, the quantiles and means, and each verdict's threshold.
import {
    checkpointFigures,
    hostFigures,
    judgeLag,
    judgeValidity,
    kafkaFigures,
    loadFigures,
    MIN_COMMITS,
} from "../../benchmark/figures";
import { CheckpointTime } from "../../benchmark/kafka/progress";
import { HostSample } from "../../benchmark/metrics/hosts";
import { JobSample, LoadFigures } from "../../benchmark/report/types";
import { arroyoProfile } from "../../benchmark/engines/arroyo/profile";
import { jobSample as job, progressPoint as pt } from "../helpers/samples";

const window = { startMs: 10_000, endMs: 20_000 };

describe("checkpoint figures", () => {
    it("takes the listed checkpoints that start inside the window, bounds included, in start order", () => {
        const listed: CheckpointTime[] = [
            { epoch: 4, startMs: 16_000, finishMs: 16_400, commitFromMs: 16_000, commitUntilMs: null },
            { epoch: 1, startMs: 9_999, finishMs: 12_000, commitFromMs: 9_999, commitUntilMs: null }, // starts before the window
            { epoch: 2, startMs: 10_000, finishMs: 10_100, commitFromMs: 10_000, commitUntilMs: null },
            { epoch: 5, startMs: 20_000, finishMs: 20_800, commitFromMs: 20_000, commitUntilMs: null },
            { epoch: 7, startMs: 14_000, finishMs: null, commitFromMs: 14_000, commitUntilMs: null }, // still running
            { epoch: 3, startMs: 13_000, finishMs: 13_200, commitFromMs: 13_000, commitUntilMs: null },
            { epoch: 6, startMs: 20_001, finishMs: 21_000, commitFromMs: 20_001, commitUntilMs: null }, // after the window
        ];
        const before = listed.map((c) => c.epoch);
        expect(checkpointFigures(listed, [], window, 2)).toEqual({
            intervalSeconds: 2,
            inWindow: 5,
            // Starts 10, 13, 14, 16, 20 s: gaps of 3, 1, 2 and 4 s.
            cadenceSeconds: 2.5,
            maxGapSeconds: 4,
            // Finished, of those: 100, 200, 400 and 800 ms; the upper median of four is the third.
            durationMsP50: 400,
            durationMsMax: 800,
            source: "checkpoint list",
        });
        expect(listed.map((c) => c.epoch)).toEqual(before);
    });

    it("takes the upper median of an even count, and the longest as the maximum", () => {
        const listed = [400, 100, 300, 200].map((d, i) => ({
            epoch: i + 1,
            startMs: 11_000 + i * 2_000,
            finishMs: 11_000 + i * 2_000 + d,
            commitFromMs: 11_000 + i * 2_000,
            commitUntilMs: null,
        }));
        const c = checkpointFigures(listed, [], window, 2);
        expect(c.durationMsP50).toBe(300);
        expect(c.durationMsMax).toBe(400);
        const one = checkpointFigures(
            [{ epoch: 1, startMs: 12_000, finishMs: 12_250, commitFromMs: 12_000, commitUntilMs: null }],
            [],
            window,
            2,
        );
        expect(one).toMatchObject({ inWindow: 1, cadenceSeconds: null, maxGapSeconds: null, durationMsP50: 250 });
    });

    it("without a list, counts the samples that saw a new commit inside the window, and no durations", () => {
        const progress = [
            pt(9_000, 900, 0),
            pt(10_000, 1_000, 800), // a commit, on the window's start
            pt(12_000, 1_200, 800),
            pt(15_000, 1_500, 1_400), // a commit
            pt(20_000, 2_000, 1_900), // a commit, on the window's end
            pt(21_000, 2_100, 2_050), // a commit after the window
        ];
        expect(checkpointFigures([], progress, window, 2)).toEqual({
            intervalSeconds: 2,
            inWindow: 3,
            cadenceSeconds: 5,
            maxGapSeconds: 5,
            durationMsP50: null,
            durationMsMax: null,
            source: "commits seen",
        });
    });
});

describe("the lag verdict", () => {
    const steady: LoadFigures = {
        maxScheduleDelayInWindowMs: 20,
        medianScheduleDelayInWindowMs: 20,
        maxStallMs: 0,
        maxStallAtSeconds: 0,
        lateRowsRisk: null,
    };

    it("is inconclusive without an input rate or a trend", () => {
        for (const w of [
            { inputRate: null, lagTrend: 5, commits: 5 },
            { inputRate: 1_000, lagTrend: null, commits: 5 },
        ])
            expect(judgeLag(w, 0.02, steady, 10)).toEqual({
                lagTrendLimit: w.inputRate === null ? null : 20,
                sustainable: null,
                verdict: "inconclusive",
                inconclusiveBecause: "too few samples",
                verdictReason: "too few progress samples in the window",
            });
    });

    it(`needs ${MIN_COMMITS} commits when the job committed at all; none is a stalled job, judged on its samples`, () => {
        const judged = (commits: number) => judgeLag({ inputRate: 1_000, lagTrend: 500, commits }, 0.02, steady, 10);
        expect(judged(1)).toMatchObject({ verdict: "inconclusive", inconclusiveBecause: "too few commits" });
        expect(judged(MIN_COMMITS - 1).verdictReason).toBe(
            `the window held ${MIN_COMMITS - 1} checkpoint commit(s); at least ${MIN_COMMITS} are needed to judge (lengthen the window or shorten the checkpoint interval)`,
        );
        expect(judged(MIN_COMMITS).verdict).toBe("not sustainable");
        expect(judged(0).verdict).toBe("not sustainable");
    });

    it("is sustainable up to the limit itself, and says both", () => {
        expect(judgeLag({ inputRate: 1_000, lagTrend: 20, commits: 5 }, 0.02, steady, 10)).toEqual({
            lagTrendLimit: 20,
            sustainable: true,
            verdict: "sustainable",
            inconclusiveBecause: null,
            verdictReason: "lag trend 20 events/s, limit 20",
        });
        expect(judgeLag({ inputRate: 1_000, lagTrend: 21, commits: 5 }, 0.02, steady, 10)).toEqual({
            lagTrendLimit: 20,
            sustainable: false,
            verdict: "not sustainable",
            inconclusiveBecause: null,
            verdictReason: "lag grows 21 events/s (limit 20)",
        });
    });

    it("blames the load when its stall held back at least as many events as the lag grew beyond the limit", () => {
        // Limit 20/s; a trend of 70/s over 10 s is 500 events beyond it. A 500 ms stall at 1,000/s
        // held back 500 events: exactly enough; 499 ms is one event short.
        const stalled = (maxStallMs: number) =>
            judgeLag(
                { inputRate: 1_000, lagTrend: 70, commits: 5 },
                0.02,
                { ...steady, maxStallMs, maxStallAtSeconds: 3.4 },
                10,
            );
        expect(stalled(500)).toEqual({
            lagTrendLimit: 20,
            sustainable: null,
            verdict: "inconclusive",
            inconclusiveBecause: "load behind schedule",
            verdictReason:
                "inconclusive: load behind schedule by 0.5 s more than usual at 3 s into the window, holding back ~500 events, as many as the lag grew beyond the limit (500); lag trend 70 events/s against 20",
        });
        expect(stalled(499).verdict).toBe("not sustainable");
        // Not measured is not a stall.
        expect(
            judgeLag({ inputRate: 1_000, lagTrend: 70, commits: 5 }, 0.02, { ...steady, maxStallMs: null }, 10).verdict,
        ).toBe("not sustainable");
    });

    it("weighs a stall against the lag grown over the window's own length", () => {
        // A commit every second; the lag grows 70 events/s at 1,000 events/s in (limit 20/s): over
        // the 10 s window, 500 events beyond the limit, all of which a 500 ms stall held back.
        const progress = [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((s) =>
            pt(s * 1_000, s * 1_000, s * 1_000 - 70 * (s - 10) - 100),
        );
        const stall = { ...steady, maxStallMs: 500, maxStallAtSeconds: 2 };
        const k = kafkaFigures({ progress, checkpoints: [], window, lagThreshold: 0.02, kafkaSink: true }, stall);
        expect(k.lagTrend).toBeCloseTo(70, 6);
        expect(k.verdict).toBe("inconclusive");
        expect(k.inconclusiveBecause).toBe("load behind schedule");
        // Over a window twice as long the same trend grew twice as far: the stall no longer accounts for it.
        const longer = [
            ...progress,
            ...[21, 22, 23, 24, 25, 26, 27, 28, 29, 30].map((s) =>
                pt(s * 1_000, s * 1_000, s * 1_000 - 70 * (s - 10) - 100),
            ),
        ];
        expect(
            kafkaFigures(
                {
                    progress: longer,
                    checkpoints: [],
                    window: { startMs: 10_000, endMs: 30_000 },
                    lagThreshold: 0.02,
                    kafkaSink: true,
                },
                stall,
            ).verdict,
        ).toBe("not sustainable");
    });

    it("judges the window's own span, and the lag at the run's last sample", () => {
        const progress = [
            pt(10_000, 0, 0),
            pt(15_000, 5_000, 4_000),
            pt(20_000, 10_000, 9_000),
            pt(25_000, 10_000, 9_990),
        ];
        const k = kafkaFigures({ progress, checkpoints: [], window, lagThreshold: 0.02, kafkaSink: false }, steady);
        expect(k.lagAtEnd).toBe(10);
        expect(k.outputRate).toBeNull();
        // Two commits in the window: too few to judge.
        expect(k.commitsInWindow).toBe(2);
        expect(k.verdict).toBe("inconclusive");
        expect(
            kafkaFigures({ progress: [], checkpoints: [], window, lagThreshold: 0.02, kafkaSink: true }, steady)
                .lagAtEnd,
        ).toBeNull();
    });
});

describe("the load's figures", () => {
    const load = (produced: { time: number; acked: number }[], threads?: number[], windowed = true) =>
        loadFigures(
            {
                produced,
                startEpochMs: 0,
                eventsPerSecond: 1_000,
                totalEvents: 1_000_000,
                maxScheduleDelayMs: 0,
                ...(threads ? { threadMaxScheduleDelaysMs: threads } : {}),
                windowed,
            },
            window,
        );

    it("takes the window's acknowledgements, its bounds included, and the first of equal worst delays", () => {
        // Due at t: t events. Delays: 9 s at 1 s (outside), then 0.1, 0.5, 0.5, 0.2 s, and 7 s after.
        const f = load([
            { time: 1_000, acked: 1_000 - 9_000 },
            { time: 10_000, acked: 9_900 },
            { time: 12_000, acked: 11_500 },
            { time: 14_000, acked: 13_500 },
            { time: 20_000, acked: 19_800 },
            { time: 21_000, acked: 14_000 },
        ]);
        expect(f).toEqual({
            maxScheduleDelayInWindowMs: 500,
            // Sorted 100, 200, 500, 500: the upper median.
            medianScheduleDelayInWindowMs: 500,
            maxStallMs: 0,
            maxStallAtSeconds: 2,
            lateRowsRisk: null,
        });
        expect(load([{ time: 10_000, acked: 9_900 }]).maxStallAtSeconds).toBe(0);
        expect(load([{ time: 20_000, acked: 19_000 }]).maxScheduleDelayInWindowMs).toBe(1_000);
        expect(load([{ time: 5_000, acked: 0 }])).toMatchObject({
            maxScheduleDelayInWindowMs: null,
            medianScheduleDelayInWindowMs: null,
            maxStallMs: null,
        });
    });

    it("warns of late rows from the spread between producer threads, never from one thread", () => {
        expect(load([], [9_000]).lateRowsRisk).toBeNull();
        // From a spread of the watermark's 4 s less its 1 s period, 3 s, on.
        expect(load([], [100, 3_300]).lateRowsRisk).toMatch(
            /^the producer threads fell up to 3\.2 s behind one another/,
        );
        expect(load([], [100, 3_100]).lateRowsRisk).not.toBeNull();
        expect(load([], [100, 3_099]).lateRowsRisk).toBeNull();
        expect(load([], [100, 9_000], false).lateRowsRisk).toBeNull();
    });
});

describe("host figures", () => {
    const sample = (
        time: number,
        host: string,
        cpuCores: number,
        memoryBytes: number,
        engineCores: number[],
    ): HostSample => ({
        time,
        host,
        cpuCores,
        memoryBytes,
        containers: [
            ...engineCores.map((c, i) => ({ container: `x-arroyo-node-w${i}`, host, cpuCores: c, memoryBytes: 1 })),
            { container: "x-kafka", host, cpuCores: 5, memoryBytes: 1 },
        ],
    });

    it("means each host's samples inside the window, bounds included, and keeps its largest memory", () => {
        const samples = [
            sample(9_999, "pi2", 4, 4_000, [4]), // before the window
            sample(10_000, "pi2", 1, 100, [0.5]),
            sample(15_000, "pi2", 2, 300, [0.25, 0.25]),
            sample(15_000, "pi3", 0.5, 50, [0.5]),
            sample(20_000, "pi2", 3, 200, []),
            sample(20_001, "pi2", 9, 9_000, [9]), // after it
        ];
        const f = hostFigures(["pi2", "pi3", "pi4"], samples, window, /-arroyo-node-/);
        expect(f.hosts).toEqual([
            { host: "pi2", cpuCores: 2, memoryBytesMean: 200, memoryBytesMax: 300 },
            { host: "pi3", cpuCores: 0.5, memoryBytesMean: 50, memoryBytesMax: 50 },
            // Not measured is not zero.
            { host: "pi4", cpuCores: null, memoryBytesMean: null, memoryBytesMax: null },
        ]);
        // The engine's containers summed at each instant (10 s: 0.5; 15 s: 0.25 + 0.25 + 0.5), then
        // meaned over the instants that had any: (0.5 + 1) / 2.
        expect(f.engineCores).toBe(0.75);
        expect(hostFigures(["pi2"], samples, window, /-flink-/).engineCores).toBeNull();
    });
});

describe("a window's validity", () => {
    // Every case reads the window 10-20 s of an Arroyo job that started on run_id 1.
    const validity = (jobs: JobSample[], firstError?: string) =>
        judgeValidity(jobs, 1, window.startMs, window.endMs, firstError, arroyoProfile);

    it("reads the samples at the window's bounds and none outside, and says when each thing happened", () => {
        expect(
            validity(
                [
                    job(9_000, "Recovering", 2),
                    job(10_000, "Running", 1),
                    job(20_000, "Running", 1),
                    job(21_000, "Failed", 3),
                ],
                "boom",
            ),
        ).toEqual({ valid: true, reasons: [] });
        expect(validity([job(10_000, "Stopping", 1)]).reasons).toEqual(["job was Stopping 0.0 s into the window"]);
        expect(validity([job(20_000, null, null)]).reasons).toEqual(["job was gone 10.0 s into the window"]);
    });

    it("counts restarts from the attempt counter's largest value, from its first sighting, with the first error", () => {
        const v = validity(
            [
                job(11_500, "Running", 1),
                job(12_500, "Recovering", 2),
                job(14_000, "Running", 4),
                job(15_000, "Running", 3),
            ],
            "worker lost",
        );
        expect(v).toEqual({
            valid: false,
            reasons: [
                "job was Recovering 2.5 s into the window",
                "job restarted 3 times (run_id 1 -> 4), first seen 2.5 s into the window",
                "first error Arroyo reported: worker lost",
            ],
        });
        expect(validity([job(12_000, "Running", 2)]).reasons).toEqual([
            "job restarted once (run_id 1 -> 2), first seen 2.0 s into the window",
        ]);
        expect(validity([job(12_000, "Failed", 1, null), job(13_000, "Stopping", 1)]).reasons).toEqual([
            "job Failed 2.0 s into the window",
        ]);
    });
});
