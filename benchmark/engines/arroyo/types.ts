// Arroyo's REST API shapes as of v0.15.0 (read from its source; later versions differ).

/**
 * Job states (crates/arroyo-controller/src/states/mod.rs). There is no Failing: a runtime error
 * goes Running -> Recovering -> Compiling -> Scheduling (run_id + 1) -> Running, up to
 * pipeline.allowed-restarts (20, crates/arroyo-rpc/default.toml) times, then Failed with "Job has
 * restarted too many times" (states/running.rs). A lost worker is Recovering, a rescale
 * Rescaling; Restarting is only a restart a user asks for.
 */

export type JobState =
    | "Created"
    | "Compiling"
    | "Scheduling"
    | "Running"
    | "Recovering"
    | "Rescaling"
    | "Restarting"
    | "Stopping"
    | "CheckpointStopping"
    | "Finishing"
    | "Stopped"
    | "Finished"
    | "Failed";

export const TERMINAL_STATES: readonly JobState[] = ["Stopped", "Finished", "Failed"];

export type StopMode = "none" | "checkpoint" | "graceful" | "immediate" | "force";

export interface PipelineNode {
    node_id: number;
    operator: string;
    description: string;
    parallelism: number;
}

export interface PipelineEdge {
    src_id: number;
    dest_id: number;
    key_type: string;
    value_type: string;
    edge_type: string;
}

export interface PipelineGraph {
    nodes: PipelineNode[];
    edges: PipelineEdge[];
}

export interface Pipeline {
    id: string;
    name: string;
    query: string;
    checkpoint_interval_micros: number;
    stop: StopMode;
    created_at: number;
    action: string | null;
    action_text: string;
    action_in_progress: boolean;
    graph: PipelineGraph;
    preview: boolean;
}

export interface Job {
    id: string;
    running_desired: boolean;
    state: JobState;
    run_id: number;
    start_time: number | null;
    finish_time: number | null;
    tasks: number | null;
    failure_message: string | null;
    created_at: number;
}

export interface ValidationResult {
    graph: PipelineGraph | null;
    errors: string[];
}

/**
 * The metric groups the API serves per operator (job_metrics.rs get_groups: the four rate metrics
 * and backpressure). The tx_queue gauges are read by the controller, never served.
 */
export type MetricName = "bytes_recv" | "bytes_sent" | "messages_recv" | "messages_sent" | "backpressure";

export interface OperatorMetricGroup {
    node_id: number;
    metric_groups: {
        name: MetricName;
        subtasks: { index: number; metrics: { time: number; value: number; firstOfRun?: boolean }[] }[];
    }[];
}

/**
 * One checkpoint of a job (crates/arroyo-rpc/src/api_types/checkpoints.rs; times in µs). The list
 * (`GET .../jobs/{job}/checkpoints`, api_queries.sql get_job_checkpoints) leaves out failed and
 * compacted checkpoints: the controller compacts all but the last 4 epochs every second epoch
 * (job_controller/mod.rs CHECKPOINTS_TO_KEEP, COMPACT_EVERY) when compaction is enabled, so a
 * reader polls it during a run and keeps what it saw. `start_time` is taken when the controller
 * has sent every worker its barrier (job_controller/mod.rs start_checkpoint): the Kafka source
 * commits its offsets when the barrier reaches it (kafka/source/mod.rs).
 */
export interface Checkpoint {
    epoch: number;
    backend: string;
    start_time: number;
    finish_time: number | null;
    events: { start_time: number; finish_time: number; event: string; description: string }[];
}

/** An error a job's operators reported (`GET .../jobs/{job}/errors`, newest first, paginated). */
export interface JobLogMessage {
    id: string;
    created_at: number;
    operator_id: string | null;
    task_index: number | null;
    level: "info" | "warn" | "error";
    message: string;
    details: string;
}
