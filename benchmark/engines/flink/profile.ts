// How the benchmark reads Flink's figures, without talking to it.
import type { EngineProfile } from "../profile";
import { FLINK_HEARTBEAT, FLINK_RESTARTS } from "../../../components/flink/settings";

/** What each profile of components/flink/settings.ts sets, in the report's words. */
const PROFILE_TEXT: Record<string, string> = {
    pi: `RocksDB state in managed memory, incremental checkpoints, at most ${FLINK_RESTARTS.attempts} restarts ${FLINK_RESTARTS.delaySeconds} s apart, a lost TaskManager seen within ${FLINK_HEARTBEAT.timeoutMs / 1000} s`,
    nexmark:
        "the pi profile plus nexmark/nexmark's settings: local recovery, mini-batch (2 s or 50,000 rows), split distinct aggregates",
};

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
    settingsText: (s) =>
        `Flink profile \`${String(s.profile ?? "not recorded")}\`: ${PROFILE_TEXT[String(s.profile)] ?? "settings not recorded"}${s.prometheusReporter ? ", Prometheus reporter on" : ""}`,
    isTestDouble: () => false,
};
