import { findMax, judgeTrial, Trial } from "../../benchmark/capacity/search";
import { QueryRun } from "../../benchmark/report/types";

/** A cluster that sustains exactly `capacity` events/s, and a generator that reaches `ceiling`. */
function model(capacity: number, ceiling = Infinity) {
    const rates: number[] = [];
    const trial = async (rate: number): Promise<Trial> => {
        rates.push(rate);
        const achieved = Math.min(rate, ceiling);
        const generatorBound = achieved < rate * 0.98;
        const pass = !generatorBound && rate <= capacity;
        return {
            rate,
            inputRate: rate,
            consumedRate: Math.min(rate, capacity),
            lagTrend: Math.max(0, rate - capacity),
            achievedRate: achieved,
            p99Ms: null,
            pass,
            why: pass ? "sustained" : "lag grows",
            generatorBound,
            seconds: 1,
        };
    };
    return { rates, trial };
}

describe("the maximum sustainable throughput search", () => {
    it.each([
        [10_000, 1_000],
        [37_000, 1_000],
        [900, 1_000],
    ])("finds a capacity of %p from a start of %p within the resolution", async (capacity, startRate) => {
        const m = model(capacity);
        const r = await findMax({ startRate, resolution: 0.05, maxTrials: 20, trial: m.trial });
        expect(r.end).toBe("resolved");
        expect(r.mst!.rate).toBeLessThanOrEqual(capacity);
        expect(r.mst!.rate).toBeGreaterThanOrEqual(capacity / 1.05);
        // Doubling, then bisection: logarithmic in capacity / start and in 1 / resolution.
        expect(r.trials.length).toBeLessThanOrEqual(Math.ceil(Math.log2(Math.max(2, capacity / startRate))) + 7);
        expect(r.trials.map((t) => t.rate)).toEqual(m.rates);
    });

    it("stops at --max-trials with the bracket so far", async () => {
        const r = await findMax({ startRate: 1_000, resolution: 0.01, maxTrials: 4, trial: model(50_000).trial });
        expect(r.end).toBe("max-trials");
        expect(r.trials).toHaveLength(4);
        expect(r.note).toBe("stopped after 4 trials (--max-trials) with the bracket 8000-? events/s");
    });

    it("ends generator-bound, with the figure, when the generator cannot send the target", async () => {
        const r = await findMax({ startRate: 1_000, resolution: 0.05, maxTrials: 20, trial: model(1e9, 5_000).trial });
        expect(r.end).toBe("generator-bound");
        expect(r.mst!.rate).toBe(4_000);
        expect(r.note).toMatch(
            /^generator-bound at 8000 events\/s: .*; the cluster's MST is at least 4000 events\/s and was not found$/,
        );
    });

    it("runs no trial above the generator's measured ceiling", async () => {
        const m = model(1e9);
        const r = await findMax({
            startRate: 1_000,
            resolution: 0.05,
            maxTrials: 20,
            generatorCeiling: 6_000,
            trial: m.trial,
        });
        expect(r.end).toBe("generator-bound");
        expect(Math.max(...m.rates)).toBe(4_000);
        expect(r.note).toMatch(/above the generator's measured ceiling of 6000 events\/s/);
    });

    it("runs a trial at exactly the generator's ceiling, and none above it", async () => {
        const m = model(1e9);
        const r = await findMax({
            startRate: 1_000,
            resolution: 0.05,
            maxTrials: 20,
            generatorCeiling: 4_000,
            trial: m.trial,
        });
        expect(m.rates).toEqual([1_000, 2_000, 4_000]);
        expect(r.end).toBe("generator-bound");
    });

    it("halves from the start rate when even that is not sustained", async () => {
        const r = await findMax({ startRate: 8_000, resolution: 0.05, maxTrials: 20, trial: model(1_500).trial });
        expect(r.end).toBe("resolved");
        expect(r.mst!.rate).toBeGreaterThanOrEqual(1_500 / 1.05);
        expect(r.trials.slice(0, 3).map((t) => t.rate)).toEqual([8_000, 4_000, 2_000]);
    });

    it("stops before the next trial when aborted", async () => {
        let n = 0;
        const r = await findMax({
            startRate: 1_000,
            resolution: 0.05,
            maxTrials: 20,
            trial: model(1e6).trial,
            aborted: () => ++n > 2,
        });
        expect(r.end).toBe("aborted");
        expect(r.trials).toHaveLength(2);
    });
});

describe("judging one trial", () => {
    const run = (o: {
        sentRate: number;
        achievedRate: number;
        lagTrend: number;
        valid?: boolean;
        behindSchedule?: boolean;
        fewCommits?: boolean;
    }) =>
        ({
            produce: { targetRate: 1_000, sentRate: o.sentRate, achievedRate: o.achievedRate },
            figures: {
                kafka: {
                    inputRate: 920,
                    lagTrend: o.lagTrend,
                    ...(o.lagTrend <= 9.2
                        ? { verdict: "sustainable", inconclusiveBecause: null, verdictReason: "" }
                        : {
                              verdict: "not sustainable",
                              inconclusiveBecause: null,
                              verdictReason: `lag grows ${o.lagTrend} events/s (limit 9)`,
                          }),
                    ...(o.behindSchedule
                        ? {
                              verdict: "inconclusive",
                              inconclusiveBecause: "load behind schedule",
                              verdictReason:
                                  "inconclusive: load behind schedule by 2.4 s at 50 s into the window (the lag threshold absorbs 0.6 s)",
                          }
                        : {}),
                    ...(o.fewCommits
                        ? {
                              verdict: "inconclusive",
                              inconclusiveBecause: "too few commits",
                              verdictReason: "the window held 2 checkpoint commit(s); at least 3 are needed to judge",
                          }
                        : {}),
                },
                latencyMs: { count: 10, p99: 40 },
                checkpoints: { durationMsP50: 35 },
            },
            validity: { valid: o.valid ?? true, reasons: o.valid === false ? ["job restarted (run_id 1 -> 2)"] : [] },
        }) as unknown as QueryRun;
    const rules = { lagThreshold: 0.01, producerTolerance: 0.02 };

    it("judges the generator by what it sent, not by when the broker's last acks came", () => {
        // Sent on schedule; the last acknowledgements came late, so the acked rate looks 5% short.
        expect(judgeTrial(run({ sentRate: 999, achievedRate: 950, lagTrend: 0 }), rules)).toMatchObject({
            pass: true,
            generatorBound: false,
            why: "sustained",
            // The study reports the median checkpoint duration of the MST's trial.
            checkpointMsP50: 35,
        });
        expect(judgeTrial(run({ sentRate: 950, achievedRate: 950, lagTrend: 0 }), rules)).toMatchObject({
            pass: false,
            generatorBound: true,
            why: "generator-bound: it sent 950 of 1000 events/s (5.0% short)",
        });
    });

    it("takes a generator exactly at its tolerance as keeping up", () => {
        // 1 - 750 / 1000 is 0.25 exactly in floating point: at the tolerance, not over it.
        const at = { ...rules, producerTolerance: 0.25 };
        expect(judgeTrial(run({ sentRate: 750, achievedRate: 750, lagTrend: 0 }), at)).toMatchObject({
            pass: true,
            generatorBound: false,
        });
        expect(judgeTrial(run({ sentRate: 749, achievedRate: 749, lagTrend: 0 }), at)).toMatchObject({
            generatorBound: true,
        });
    });

    it("fails a trial the figures judged not sustainable, an invalid one, and one over the latency SLO, and passes one at the SLO", () => {
        // The lag verdict is the figures' (figures.ts, tested there): the trial takes it as given.
        expect(judgeTrial(run({ sentRate: 1_000, achievedRate: 1_000, lagTrend: 10 }), rules)).toMatchObject({
            pass: false,
            generatorBound: false,
            why: "lag grows 10 events/s (limit 9)",
        });
        expect(
            judgeTrial(run({ sentRate: 1_000, achievedRate: 1_000, lagTrend: 0, valid: false }), rules),
        ).toMatchObject({ pass: false, generatorBound: false, why: "invalid: job restarted (run_id 1 -> 2)" });
        // Invalid beats sustainable: a restarted job's figures are not the query's.
        expect(judgeTrial(run({ sentRate: 1_000, achievedRate: 1_000, lagTrend: 0, valid: false }), rules).pass).toBe(
            false,
        );
        expect(
            judgeTrial(run({ sentRate: 1_000, achievedRate: 1_000, lagTrend: 0 }), { ...rules, latencySloMs: 30 }),
        ).toMatchObject({ pass: false, generatorBound: false, why: "p99 latency 40 ms over the 30 ms SLO" });
        expect(
            judgeTrial(run({ sentRate: 1_000, achievedRate: 1_000, lagTrend: 0 }), { ...rules, latencySloMs: 40 }),
        ).toMatchObject({ pass: true, why: "sustained" });
    });

    it("calls a trial whose load fell behind its schedule generator-bound, and one with too few commits inconclusive", () => {
        expect(
            judgeTrial(run({ sentRate: 1_000, achievedRate: 1_000, lagTrend: 50, behindSchedule: true }), rules),
        ).toMatchObject({
            pass: false,
            generatorBound: true,
            why: expect.stringMatching(/^generator-bound: inconclusive: load behind schedule by 2\.4 s/),
        });
        expect(
            judgeTrial(run({ sentRate: 1_000, achievedRate: 1_000, lagTrend: 0, fewCommits: true }), rules),
        ).toMatchObject({
            pass: false,
            generatorBound: false,
            why: expect.stringMatching(/^inconclusive: the window held 2 checkpoint commit/),
        });
    });
});
