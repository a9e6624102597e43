import { consumedFromCommit, ProgressPoint, slopePerSecond, toPoint, windowProgress } from "../../benchmark/kafka/progress";
import { judgeValidity } from "../../benchmark/run";

describe("progress from Kafka offsets", () => {
    it("reads Arroyo's commits as the offset of the last record read", () => {
        expect(consumedFromCommit(100, null)).toBe(0);
        expect(consumedFromCommit(100, 100)).toBe(0);
        expect(consumedFromCommit(100, 101)).toBe(2);
        expect(consumedFromCommit(100, 199)).toBe(100);
    });

    it("turns a sample into input, consumed, lag and output since the start offsets", () => {
        const start = new Map([["bid", [100, 200]], ["auction", [5]]]);
        const p = toPoint({ time: 1, tables: [{ table: "bid", end: [150, 260], committed: [149, null] }, { table: "auction", end: [9], committed: [6] }], results: [7, 3] }, start);
        expect(p).toEqual({ time: 1, input: 50 + 60 + 4, consumed: 50 + 0 + 2, lag: 114 - 52, output: 10 });
    });

    it("fits a least-squares slope per second", () => {
        expect(slopePerSecond([{ time: 0, y: 0 }, { time: 1000, y: 10 }, { time: 2000, y: 20 }])).toBeCloseTo(10);
        expect(slopePerSecond([{ time: 0, y: 1 }])).toBeNull();
    });

    /**
     * A query that keeps up, with checkpoints every 10 s and samples every second: input grows at
     * `rate`, the committed offsets jump to the input at each checkpoint. `readRate` below `rate`
     * makes a query fall behind.
     */
    function run(rate: number, readRate: number, seconds = 60, checkpointS = 10): ProgressPoint[] {
        const points: ProgressPoint[] = [];
        let consumed = 0;
        for (let s = 0; s <= seconds; s++) {
            const input = rate * s;
            if (s > 0 && s % checkpointS === 3) consumed = Math.min(input, readRate * s);
            points.push({ time: s * 1000, input, consumed, lag: input - consumed, output: consumed });
        }
        return points;
    }

    it("does not read the checkpoints' saw-tooth as a trend: a query that keeps up is flat", () => {
        const w = windowProgress(run(10_000, 20_000), 5_000, 31_000);
        expect(w.lagTrendBasis).toBe("commits");
        expect(w.inputRate).toBeCloseTo(10_000);
        expect(w.consumedRate).toBeCloseTo(10_000);
        expect(Math.abs(w.lagTrend as number)).toBeLessThan(1);
        // Fitted on every sample instead, the saw-tooth alone would exceed the 1% limit (100/s).
        const naive = slopePerSecond(run(10_000, 20_000).filter((p) => p.time >= 5_000 && p.time <= 31_000).map((p) => ({ time: p.time, y: p.lag })));
        expect(Math.abs(naive as number)).toBeGreaterThan(100);
    });

    it("measures the lag trend of a query that falls behind as input minus read rate", () => {
        const w = windowProgress(run(20_000, 10_000), 5_000, 60_000);
        expect(w.consumedRate).toBeCloseTo(10_000);
        expect(w.lagTrend).toBeCloseTo(10_000, -1);
        expect(w.consumed).toEqual({ events: 40 * 10_000, fromMs: 13_000, toMs: 53_000 });
    });

    it("sees a stalled query (no commits at all) from every sample", () => {
        const points = run(5_000, 0);
        const w = windowProgress(points, 0, 60_000);
        expect(w.lagTrendBasis).toBe("samples");
        expect(w.consumedRate).toBe(0);
        expect(w.lagTrend).toBeCloseTo(5_000);
    });
});

describe("validity of a measured window", () => {
    const job = (time: number, state: "Running" | "Restarting" | "Failed", runId: number, failure: string | null = null) => ({ time, state, runId, failure });

    it("is valid when the job ran on one run id throughout", () => {
        expect(judgeValidity([job(0, "Running", 1), job(10, "Running", 1)], 1, 0, 10)).toEqual({ valid: true, reasons: [] });
    });

    it("is invalid after a restart, naming the run ids and when", () => {
        const v = judgeValidity([job(0, "Running", 1), job(4_000, "Restarting", 1), job(5_000, "Running", 2)], 1, 0, 10_000);
        expect(v.valid).toBe(false);
        expect(v.reasons).toEqual(["job was Restarting 4.0 s into the window", "job restarted (run_id 1 -> 2) 5.0 s into the window"]);
    });

    it("is invalid after a failure, with Arroyo's message", () => {
        expect(judgeValidity([job(2_000, "Failed", 1, "worker lost")], 1, 0, 10_000).reasons).toEqual(["job was Failed 2.0 s into the window: worker lost"]);
    });

    it("ignores what happened before the window", () => {
        expect(judgeValidity([job(0, "Restarting", 1), job(5_000, "Running", 2)], 2, 4_000, 10_000).valid).toBe(true);
    });
});
