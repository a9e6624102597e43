// How the benchmark reads Arroyo v0.15.0's figures, without talking to it.
import type { EngineProfile } from "../profile";

export const arroyoProfile: EngineProfile = {
    name: "arroyo",
    label: "Arroyo",
    // What its Kafka source commits, and when: benchmark/kafka/progress.ts (CommitCounting).
    commits: "last-read",
    commitPoint: "the last offset read, at the checkpoint's start",
    attemptCounter: "run_id",
    containerPattern: /arroyo-(controller|node)/,
    sourceSeriesLabel: "source (Arroyo's metric, de-smoothed)",
    backpressureMeasure: "last fill",
    definitions: {
        source: "the sum of the source operators' `messages_sent` as Arroyo measured it: Arroyo serves an EWMA (alpha 0.1, every ~2 s; its UI's figure lags a step by ~21 s), which is undone exactly per subtask, r(i) = (s(i) - 0.9 s(i-1)) / 0.1",
        backpressure:
            "one output queue's fill (0-1) as last written, the worst subtask (Arroyo sets it only when that queue gets a batch)",
        checkpoints: "interval + checkpoint duration: Arroyo times the next checkpoint from the previous one's end",
        windowEnd: "which Arroyo sets to the window end - 1 ns",
    },
    builtInNexmarkSource: true,
    settingsText: () => "Arroyo as it ships",
    // toolchain/run.sh double-image names it so.
    isTestDouble: (image) => image !== undefined && /arroyo-double|stand-in/.test(image),
};
