// What the benchmark needs of a stream processor, one implementation per engine folder (arroyo/,
// flink/). Everything measured on Kafka, and every figure computed from samples, is shared and
// lives elsewhere (kafka/, figures.ts); an engine only submits, follows and stops its jobs, and
// says how its own metrics and its Kafka commits are to be read.
import { EngineName } from "../../config/defaults";
import { CheckpointTime } from "../kafka/progress";
import type { EngineProfile } from "./profile";
import { QueryParams, NexmarkQuery } from "../queries";
import { EngineFigures, JobSample } from "../report/types";

export interface JobSpec {
    /** The engine's name for the job, unique per run and query. */
    name: string;
    query: NexmarkQuery;
    sql: string;
    parallelism: number;
    checkpointIntervalMs: number;
    /** The job must stay running this long, on one attempt, before the load starts. */
    stableMs: number;
    timeoutMs: number;
}

/** One observation of a running job: its state and restarts, and its checkpoints as the engine lists them now. */
export interface JobObservation {
    job: Omit<JobSample, "time">;
    checkpoints: CheckpointTime[];
}

/** A job the engine runs for one query of a run. */
export interface EngineJob {
    readonly id: string;
    /** The engine's own id of what was submitted (Arroyo's pipeline; Flink's job again). */
    readonly submissionId: string;
    /** The attempt counter the job was stable on when the load started (Arroyo's run_id, Flink's numRestarts). */
    readonly initialRunId: number;
    observe(): Promise<JobObservation>;
    /** Reads the engine's own metrics once and keeps them for figures(). */
    sampleMetrics(): Promise<void>;
    /** The engine's figures over the window, from what sampleMetrics() kept; and their series for the results. */
    figures(
        window: { startMs: number; endMs: number },
        consumed: { events: number; fromMs: number; toMs: number } | null,
    ): { figures: EngineFigures; series: EngineSeries };
    /** The engine's first or root error for the job, for an invalid run. */
    firstError(): Promise<string | undefined>;
    /** Stops the job and removes what the engine keeps of it. */
    stop(): Promise<void>;
}

/** The engine's rates over the run, for the results and charts. */
export interface EngineSeries {
    engineSource: { time: number; value: number }[];
    engineSourceSmoothed?: { time: number; value: number }[];
    engineSink: { time: number; value: number }[];
    backpressure: { time: number; value: number }[];
}

export interface StreamEngine {
    readonly name: EngineName;
    /** What the figures and reports know of the engine without talking to it. */
    readonly profile: EngineProfile;
    /** How long after the window's end its own metrics need before they cover it, given the sampling interval. */
    metricsSettleMs(metricsIntervalMs: number): number;
    ping(): Promise<void>;
    /** Stops and removes jobs an earlier, interrupted run left; returns their names. */
    removeEarlierJobs(): Promise<string[]>;
    render(q: NexmarkQuery, params: QueryParams): string;
    /** The engine's own objections to each query, before any load is sent. */
    validate(q: NexmarkQuery, sql: string): Promise<string[]>;
    start(spec: JobSpec): Promise<EngineJob>;
}
