import { firstFailure, flinkRestarts } from "../../benchmark/engines/flink/client";
import { checkpointTimes, counterNames, stateWord } from "../../benchmark/engines/flink";
import { counterRate, FlinkMetricSample, flinkFigures } from "../../benchmark/engines/flink/metrics";
import { flinkCause } from "../../benchmark/engines/flink/client";
import { consumedFromCommit, toPoint } from "../../benchmark/kafka/progress";

describe("Flink's commits", () => {
    it("count the next offset to read: a commit c from a start s read c - s events; Arroyo's last-read commit read one more", () => {
        expect(consumedFromCommit(100, 100, "next-to-read")).toBe(0);
        expect(consumedFromCommit(100, 150, "next-to-read")).toBe(50);
        expect(consumedFromCommit(100, null, "next-to-read")).toBe(0);
        expect(consumedFromCommit(100, 150, "last-read")).toBe(51);
        const sample = { time: 1, tables: [{ table: "bid", end: [150, 260], committed: [150, 200] }], results: [] };
        const start = new Map([["bid", [100, 200]]]);
        expect(toPoint(sample, start, [], "next-to-read")).toMatchObject({ input: 110, consumed: 50, lag: 60 });
        expect(toPoint(sample, start, [], "last-read")).toMatchObject({ consumed: 51 });
    });
});

describe("Flink's REST answers, as the engine reads them", () => {
    it("names states as Arroyo's are capitalised, so one judgement reads both", () => {
        expect(["RUNNING", "RESTARTING", "FAILED", "CANCELED"].map(stateWord)).toEqual([
            "Running",
            "Restarting",
            "Failed",
            "Canceled",
        ]);
    });

    it("times checkpoints from their trigger to their completion, and leaves savepoints and unfinished ones open", () => {
        const history = [
            { id: 7, status: "COMPLETED", trigger_timestamp: 10_000, end_to_end_duration: 29, is_savepoint: false },
            { id: 8, status: "IN_PROGRESS", trigger_timestamp: 11_000, end_to_end_duration: 0, is_savepoint: false },
            { id: 9, status: "COMPLETED", trigger_timestamp: 11_500, end_to_end_duration: 40, is_savepoint: true },
        ];
        expect(checkpointTimes(history)).toEqual([
            { epoch: 7, startMs: 10_000, finishMs: 10_029, commitFromMs: 10_029, commitUntilMs: null },
            { epoch: 8, startMs: 11_000, finishMs: null, commitFromMs: null, commitUntilMs: null },
        ]);
    });

    it("finds the source and sink counters among a vertex's metric names (recorded from Flink 2.2's q1 job)", () => {
        const names = [
            "Source__bid[4].numRecordsOut",
            "Source__bid[4].numRecordsOutPerSecond",
            "Source__bid[4].numRecordsIn",
            "Calc[5].numRecordsOut",
            "results[6]__Writer.numRecordsIn",
            "results[6]__Committer.numRecordsIn",
            "numRecordsOut",
            "accumulateBusyTimeMs",
        ];
        expect(counterNames(names)).toEqual({
            source: ["Source__bid[4].numRecordsOut"],
            sink: ["results[6]__Writer.numRecordsIn"],
        });
    });

    it("says what a Java exception was about, innermost cause last", () => {
        const trace = [
            "org.apache.flink.table.api.ValidationException: SQL validation failed.",
            "\tat org.apache.flink...",
            "Caused by: org.apache.calcite.sql.validate.SqlValidatorException: No match found for function signature nofn(<NUMERIC>)",
            "\tat x",
        ];
        expect(flinkCause(trace, 1)).toBe(
            "org.apache.calcite.sql.validate.SqlValidatorException: No match found for function signature nofn(<NUMERIC>)",
        );
        expect(flinkCause(trace)).toBe(
            "org.apache.flink.table.api.ValidationException: SQL validation failed. <- org.apache.calcite.sql.validate.SqlValidatorException: No match found for function signature nofn(<NUMERIC>)",
        );
    });
});

describe("Flink's counters as figures", () => {
    // 1,000 records/s from t = 0, read every second with an age of 0-900 ms (what the JobManager last fetched).
    const ages = [0, 900, 300, 600, 100, 800, 200, 700, 400, 500, 0, 900];
    const stale = (t: number, i: number) => Math.max(0, (t - ages[i % ages.length]) * 1.0);

    it("takes a counter's rate as the slope of its samples inside the span, which averages out their ages", () => {
        const samples = Array.from({ length: 21 }, (_, i) => ({ time: i * 1000, value: stale(i * 1000, i) }));
        const firstToLast = (samples[20].value - samples[0].value) / 20;
        expect(Math.abs(counterRate(samples, 0, 20_000)! - 1000)).toBeLessThan(Math.abs(firstToLast - 1000) + 1);
        expect(counterRate(samples, 0, 20_000)!).toBeGreaterThan(970);
        expect(counterRate(samples, 0, 20_000)!).toBeLessThan(1030);
    });

    it("refuses a rate from too few samples, from under half the span, or across a reset, and leaves out a one-sample dip", () => {
        expect(counterRate([{ time: 0, value: 0 }], 0, 10_000)).toBeNull();
        expect(
            counterRate(
                [
                    { time: 0, value: 0 },
                    { time: 4_000, value: 4_000 },
                ],
                0,
                10_000,
            ),
        ).toBeNull();
        // Reset early: most samples lie below what was seen before.
        expect(
            counterRate(
                [0, 1, 2, 3, 4, 5, 6].map((i) => ({
                    time: i * 1_000,
                    value: i < 2 ? 5_000 + i * 1_000 : (i - 2) * 1_000,
                })),
                0,
                6_000,
            ),
        ).toBeNull();
        expect(
            counterRate(
                [
                    { time: 0, value: 0 },
                    { time: 5_000, value: 5_000 },
                ],
                0,
                10_000,
            ),
        ).toBe(1000);
        // One sum short of a subtask's value for a moment: that sample is left out, the rate stands.
        const dip = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => ({
            time: i * 1_000,
            value: i === 4 ? 1_500 : i * 1_000,
        }));
        expect(counterRate(dip, 0, 10_000)).toBeCloseTo(1000, 6);
    });

    it("gives the sources' and sinks' rates, their count over Kafka's span, and the worst vertex's busy and back-pressured shares", () => {
        // Two vertices of parallelism 2: the source vertex idle 50% of each subtask's time (so busy 50%),
        // the sink vertex back-pressured 25% and idle 55% (busy 20%).
        const samples: FlinkMetricSample[] = Array.from({ length: 13 }, (_, i) => ({
            time: i * 1000,
            sourceRecordsOut: i * 2000,
            sinkRecordsIn: i * 1000,
            vertices: [
                { id: "a", parallelism: 2, idleMs: i * 1000, backPressuredMs: 0 },
                { id: "b", parallelism: 2, idleMs: i * 1100, backPressuredMs: i * 500 },
            ],
        }));
        const { figures, series } = flinkFigures(
            samples,
            { startMs: 1_000, endMs: 11_000 },
            { events: 16_500, fromMs: 2_000, toMs: 10_000 },
        );
        expect(figures).toMatchObject({
            engine: "flink",
            sourceRate: 2000,
            sinkRate: 1000,
            consumedInWindow: 16_000,
            backpressureMax: 0.25,
            busyMax: 0.5,
        });
        expect(figures.differenceFromKafka).toBeCloseTo(-500 / 16_500, 6);
        expect(series.engineSource.length).toBeGreaterThan(0);
        expect(series.backpressure.length).toBeGreaterThan(0);
        expect(series.engineSource.every((p) => p.value === 2000)).toBe(true);
        expect(series.backpressure.every((p) => p.value === 0.25)).toBe(true);
    });

    it("says so when Flink reported no source counter, and leaves the figures null, not zero", () => {
        const samples: FlinkMetricSample[] = [0, 1, 2].map((i) => ({
            time: i * 5000,
            sourceRecordsOut: null,
            sinkRecordsIn: null,
            vertices: [],
        }));
        const { figures } = flinkFigures(samples, { startMs: 0, endMs: 10_000 }, null);
        expect(figures).toMatchObject({
            sourceRate: null,
            sinkRate: null,
            consumedInWindow: null,
            differenceFromKafka: null,
            backpressureMax: null,
            busyMax: null,
        });
        expect(figures.note).toMatch(/no numRecordsOut for a Source operator/);
    });
});

describe("Flink's failures and restarts, as its REST API keeps them", () => {
    // GET /jobs/<id>/exceptions: newest first (a q20 run's history, shortened).
    const entry = (timestamp: number, exceptionName: string, cause: string) => ({
        timestamp,
        exceptionName,
        stacktrace: `${exceptionName}: wrapper\n\tat x.y(Z.java:1)\nCaused by: ${cause}\n\tat a.b(C.java:2)`,
    });
    const history = {
        truncated: false,
        entries: [
            entry(
                1_700_000_030_000,
                "org.apache.flink.runtime.JobException",
                "org.apache.flink.runtime.jobmanager.scheduler.NoResourceAvailableException: Could not acquire the minimum required resources.",
            ),
            entry(
                1_700_000_020_000,
                "org.apache.flink.runtime.JobException",
                "java.lang.OutOfMemoryError: Java heap space",
            ),
            entry(
                1_700_000_010_000,
                "java.util.concurrent.TimeoutException",
                "java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id worker1 timed out.",
            ),
        ],
    };

    it("names the oldest failure as the cause, with how many there were", () => {
        expect(firstFailure(history)).toBe(
            "java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id worker1 timed out. (the first of 3 failures Flink recorded)",
        );
        expect(firstFailure({ entries: history.entries.slice(2), truncated: false })).toBe(
            "java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id worker1 timed out.",
        );
        expect(firstFailure({ entries: history.entries, truncated: true })).toMatch(
            /the first of more than 3 failures/,
        );
        expect(firstFailure({ entries: [], truncated: false })).toBeUndefined();
    });

    it("counts restarts from whichever of numRestarts, the failures and the restored checkpoints saw most", () => {
        // numRestarts read 0 at every sample of that run while the job restarted again and again.
        expect(flinkRestarts({ numRestarts: 0, exceptions: 3, restored: 2 })).toBe(3);
        expect(flinkRestarts({ numRestarts: 0, exceptions: 8, restored: 7 })).toBe(8);
        expect(flinkRestarts({ numRestarts: 2, exceptions: 0 })).toBe(2);
        expect(flinkRestarts({ exceptions: 0 })).toBe(0);
    });
});
