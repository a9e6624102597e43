// What a benchmark run writes: the one shape results.json has, which the report (summary,
// charts) reads and nothing else. Bump RESULTS_SCHEMA_VERSION on any change a reader would notice.
import { ClusterOutputs } from "../../stacks/outputs";
import { RatePoint } from "../arroyo/metrics";
import { JobState } from "../arroyo/types";
import { ProgressPoint } from "../kafka/progress";
import { HostSample } from "../metrics/hosts";
import { ProduceReport } from "../producer";
import type { CapacityResult, LoadSource } from "../capacity/run";

export type { CapacityResult, LoadSource };

export const RESULTS_SCHEMA_VERSION = 3;

export interface LatencyFigures {
    count: number;
    p50?: number;
    p95?: number;
    p99?: number;
    max?: number;
}

/** Progress measured on Kafka: the figures that hold whatever the engine reports. */
export interface KafkaFigures {
    /** Events/s written to the topics the query reads, inside the measured window. */
    inputRate: number | null;
    /** Events/s the query's sources read (their consumer groups' committed offsets). */
    consumedRate: number | null;
    /** Events read between the first and the last checkpoint commit seen in the window. */
    consumedInWindow: { events: number; fromMs: number; toMs: number } | null;
    /** Slope of the lag over the window, events/s; > 0: the query falls behind. */
    lagTrend: number | null;
    lagTrendBasis: "commits" | "samples";
    /** The lag trend above which the rate is not sustainable, events/s (threshold x input rate). */
    lagTrendLimit: number | null;
    /** lagTrend <= lagTrendLimit; null when too few samples fell in the window. */
    sustainable: boolean | null;
    /** Input events not yet read when the run ended (after the drain). */
    lagAtEnd: number | null;
    /** Records/s written to the results topic inside the window (its end offsets). */
    outputRate: number | null;
}

/** Arroyo's own operator metrics: rates smoothed by Arroyo (EWMA, alpha 0.1, every 2 s). */
export interface ArroyoFigures {
    /** Sum of the source operators' messages_sent, mean over the window. */
    sourceRate: number | null;
    /** Sum of the sink operators' messages_recv, mean over the window. */
    sinkRate: number | null;
    /** The source rate integrated over the same span as Kafka's consumedInWindow. */
    consumedInWindow: number | null;
    /** (Arroyo - Kafka) / Kafka over that span; beyond ±5% the report flags it. */
    differenceFromKafka: number | null;
    backpressureMax: number | null;
    backpressureMean: number | null;
}

export interface QueryFigures {
    /** Events/s the load generator had acknowledged by Kafka inside the window, all three topics. */
    producedRate: number;
    kafka: KafkaFigures;
    arroyo: ArroyoFigures;
    latencyMs: LatencyFigures | null;
    /** What latency is measured from: the input event's time, or the end of the window that emitted the record. */
    latencyFrom: "event-time" | "window-end" | null;
    /** Output records the latency sampler read (one partition of the results topic), and how many it left out as warm-up or after the window. */
    latencySample: { read: number; outsideWindow: number; unparsable: number } | null;
    latencyNote?: string;
    /** Mean CPU (cores) and memory per host inside the window. */
    hosts: { host: string; cpuCores: number; memoryBytesMean: number; memoryBytesMax: number }[];
    /** Mean cores used by Arroyo's containers (controller and nodes). */
    arroyoCores: number | null;
    /** kafka.consumedRate / arroyoCores. */
    eventsPerSecondPerCore: number | null;
}

/** A query is invalid when its job restarted, recovered or failed inside the measured window. */
export interface Validity {
    valid: boolean;
    reasons: string[];
}

export interface JobSample {
    time: number;
    state: JobState | null;
    runId: number | null;
    failure: string | null;
}

export interface QueryRun {
    id: string;
    title: string;
    pipelineName: string;
    pipelineId: string;
    jobId: string;
    parallelism: number;
    checkpointIntervalSeconds: number;
    resultsTopic: string;
    /** The consumer group of each source table. */
    consumerGroups: Record<string, string>;
    /** The measured window, on the load's schedule: after the warm-up events, until the load's end or --duration. */
    window: { startMs: number; endMs: number };
    loadEndMs: number;
    produce: ProduceReport;
    figures: QueryFigures;
    validity: Validity;
    samples: {
        produced: { time: number; acked: number }[];
        progress: ProgressPoint[];
        arroyoSource: RatePoint[];
        arroyoSink: RatePoint[];
        backpressure: RatePoint[];
        jobs: JobSample[];
        hosts: HostSample[];
    };
}

export interface BenchmarkResults {
    schemaVersion: typeof RESULTS_SCHEMA_VERSION;
    /** fixed-rate: each query once at --events-per-second; find-max: a capacity search per query and parallelism. */
    mode: "fixed-rate" | "find-max";
    tool: { name: "arroyo-pi"; version: string; gitCommit: string | null };
    startedAt: string;
    finishedAt: string;
    configuration: {
        stack: string;
        queries: string[];
        eventsPerSecond: number;
        totalEvents: number;
        warmupEvents: number;
        durationSeconds: number | null;
        parallelism: number;
        checkpointIntervalSeconds: number;
        sampleIntervalSeconds: number;
        metricsIntervalSeconds: number;
        /** Lag trend limit as a fraction of the input rate. */
        lagThreshold: number;
        seed: number;
        producerThreads: number;
        /** How the generator departs from the reference: see benchmark/nexmark/generator.ts. */
        generatorNotes: string[];
        /** --find-max only: how the capacity search ran. */
        search?: { source: "kafka" | "nexmark"; nexmarkRate: number | null; parallelisms: number[]; startRate: number; resolution: number; maxTrials: number; trialWarmupSeconds: number; trialWindowSeconds: number; latencySloMs: number | null };
    };
    /** Where the load came from, and what the generator could do: whether it could have capped a result. */
    load: LoadSource;
    versions: { images: ClusterOutputs["images"]; node: string };
    topology: { hosts: ClusterOutputs["hosts"]; totalSlots: number; partitions: number; arroyoApiUrl: string; kafkaBootstrapServers: string };
    /** Fixed-rate runs (empty with find-max: the trials are in capacity). */
    queries: QueryRun[];
    capacity?: CapacityResult[];
}
