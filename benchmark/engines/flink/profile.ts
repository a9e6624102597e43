// How the benchmark reads Flink's figures, without talking to it.
import type { EngineProfile } from "../profile";

export const flinkProfile: EngineProfile = {
    name: "flink",
    label: "Flink",
    // What its Kafka source commits, and when: benchmark/kafka/progress.ts (CommitCounting).
    commits: "next-to-read",
    commitPoint: "the next offset to read, when the checkpoint completes",
    attemptCounter: "restarts",
    containerPattern: /flink-(jobmanager|sql-gateway|taskmanager)/,
    sourceSeriesLabel: "source (Flink's counters, differenced)",
    backpressureMeasure: "share of time",
    definitions: {
        source: "the source operators' `numRecordsOut` counters, summed over subtasks, differenced between the samples inside the window (Flink's own `numRecordsOutPerSecond` is a 60 s average, MeterView)",
        backpressure:
            "the share of the window a vertex's subtasks spent back-pressured (`accumulateBackPressuredTimeMs`), the worst vertex",
        checkpoints:
            "Flink triggers checkpoints every interval from the first; a checkpoint still running delays the next",
        windowEnd: "which the query sets to the window's time, window_end - 1 ms",
    },
    builtInNexmarkSource: false,
    isTestDouble: () => false,
};
