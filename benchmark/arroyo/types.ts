// Arroyo's REST API shapes as of v0.15.0 (read from its source; later versions differ).

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
    | "Failing"
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

export type MetricName = "bytes_recv" | "bytes_sent" | "messages_recv" | "messages_sent" | "backpressure" | "tx_queue_size" | "tx_queue_rem";

export interface OperatorMetricGroup {
    node_id: number;
    metric_groups: {
        name: MetricName;
        subtasks: { index: number; metrics: { time: number; value: number }[] }[];
    }[];
}
