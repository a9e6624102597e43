// What the benchmark knows of an engine without talking to it: how its figures are named and read,
// what its containers are called, how its source commits to Kafka. Pure data, so the reports and
// the shared figures can use it without the engine's client (index.ts, one per engine folder).
import type { EngineName, EngineSettings } from "../../config/defaults";
import type { CommitCounting } from "../kafka/progress";

export interface EngineProfile {
    readonly name: EngineName;
    /** "Arroyo", "Flink": how the report names the engine's own figures. */
    readonly label: string;
    /** How its Kafka source's committed offsets count what was read. */
    readonly commits: CommitCounting;
    /** When in a checkpoint its source commits, and which offset: for the report's definitions. */
    readonly commitPoint: string;
    /** The attempt counter's name, for the validity's words (run_id, numRestarts). */
    readonly attemptCounter: string;
    /** Containers of the engine on the hosts (for CPU per engine core), by name. */
    readonly containerPattern: RegExp;
    /** The engine's source rate series, named for how it was read. */
    readonly sourceSeriesLabel: string;
    /** What its backpressure figure is, in the table's header. */
    readonly backpressureMeasure: string;
    /** How each of its own figures was read, for the definitions under the table. */
    readonly definitions: { source: string; backpressure: string; checkpoints: string; windowEnd: string };
    /** Whether a query may read Nexmark from the engine's own generator (--source nexmark) instead of Kafka. */
    readonly builtInNexmarkSource: boolean;
    /** How the report states the engine's own settings (stack outputs' engineSettings). */
    settingsText(settings: EngineSettings): string;
    /** Whether the image the run drove is this project's stand-in for the engine, not the engine. */
    isTestDouble(image: string | undefined): boolean;
}
