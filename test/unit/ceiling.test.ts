import { bottleneck, judgeNexmarkTrial, NexmarkTrial } from "../../benchmark/capacity/ceiling";
import { findMax, SearchResult } from "../../benchmark/capacity/search";

const trial = (sourceRate: number, sourceBackpressure: number | null): NexmarkTrial => ({
    eventRate: 100_000,
    sourceRate,
    outputRate: null,
    sourceBackpressure,
    valid: true,
    reasons: [],
});

describe("a trial on Arroyo's Nexmark source", () => {
    it("is source-bound when the source fell short while nothing pushed back: the generator in the source subtasks is the limit", () => {
        const t = judgeNexmarkTrial(trial(61_000, 0.02), 0.05);
        expect(t).toMatchObject({ pass: false, generatorBound: true });
        expect(t.why).toBe(
            "source-bound: Arroyo's Nexmark source reached 61000 of 100000 events/s (39.0% short) while its output queues were at most 2% full",
        );
    });

    it("fails on the pipeline when the source fell short under backpressure", () => {
        const t = judgeNexmarkTrial(trial(61_000, 0.9), 0.05);
        expect(t).toMatchObject({ pass: false });
        expect(t.generatorBound).toBeFalsy();
        expect(t.why).toBe(
            "the source reached 61000 of 100000 events/s (39.0% short), its output queues up to 90% full",
        );
    });

    it("passes when the source kept its rate, and judges a shortfall without backpressure figures as the pipeline's", () => {
        expect(judgeNexmarkTrial(trial(99_000, 0.6), 0.05)).toMatchObject({ pass: true });
        expect(judgeNexmarkTrial(trial(61_000, null), 0.05).generatorBound).toBeFalsy();
    });
});

describe("the bottleneck line", () => {
    it("says the ceiling was not reached when Arroyo's own generator bounded its search", async () => {
        // A search whose trials pass up to 50k and are source-bound at 100k, as findMax runs it.
        const ceilingSearch = await findMax({
            startRate: 25_000,
            resolution: 0.05,
            maxTrials: 4,
            trial: async (rate) => judgeNexmarkTrial({ ...trial(Math.min(rate, 60_000), 0.01), eventRate: rate }, 0.05),
        });
        expect(ceilingSearch.end).toBe("generator-bound");
        const fed: SearchResult = { mst: { rate: 40_000, inputRate: 36_800 }, end: "resolved", note: "", trials: [] };
        expect(bottleneck(fed, { rate: 50_000, sourceRate: 50_000, outputRate: null, search: ceilingSearch })).toBe(
            "unknown: Arroyo's own Nexmark generator (in the source subtasks, on the workers' CPUs) could not go faster than 50000 events/s with nothing pushing back, so the pipeline's ceiling was not reached; the Kafka-fed MST is 40000 events/s",
        );
    });
});
