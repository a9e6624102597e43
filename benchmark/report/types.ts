// What a benchmark run writes: the one shape results.json has, which the report (summary,
// charts) reads and nothing else. Bump RESULTS_SCHEMA_VERSION on any change a reader would notice.
import { ClusterOutputs } from "../../stacks/outputs";
import { EngineName, EngineSettings } from "../../config/defaults";
import { RatePoint } from "../engines/arroyo/metrics";
import { JobState } from "../engines/arroyo/types";
import { CheckpointTime, ProgressPoint } from "../kafka/progress";
import { HostSample } from "../metrics/hosts";
import { ThermalFigures, ThermalSample } from "../metrics/thermal";
import { ProduceReport } from "../producer";
import type { RecordedOutput, Verification } from "../verify";
import type { CapacityResult, LoadSource } from "../capacity/types";

export type { CapacityResult, LoadSource };

export const RESULTS_SCHEMA_VERSION = 5;

export interface LatencyFigures {
    count: number;
    p50?: number;
    p95?: number;
    p99?: number;
    max?: number;
}

/** Progress measured on Kafka: the figures that hold whatever the engine reports. */
export interface KafkaFigures {
    /** Events/s written to the topics the query reads, over the span of consumedInWindow (or the window when no commit was seen). */
    inputRate: number | null;
    /** Events/s the query's sources read (their consumer groups' committed offsets), first to last commit in the window. */
    consumedRate: number | null;
    /** Events read between the first and the last checkpoint commit in the window, and when those commits were made. */
    consumedInWindow: { events: number; fromMs: number; toMs: number } | null;
    /** Slope of the lag over the window, events/s; > 0: the query falls behind. */
    lagTrend: number | null;
    /** checkpoints: the lag at each checkpoint's start (the engine's list); commits: at the samples that first saw a commit; samples: no commit at all. */
    lagTrendBasis: "checkpoints" | "commits" | "samples";
    /** Checkpoint commits inside the window. */
    commitsInWindow: number;
    /** The lag trend above which the rate is not sustainable, events/s (threshold x input rate). */
    lagTrendLimit: number | null;
    /** true/false for a conclusive verdict; null when inconclusive. */
    sustainable: boolean | null;
    verdict: "sustainable" | "not sustainable" | "inconclusive";
    /** What made an inconclusive verdict so; null otherwise. */
    inconclusiveBecause: "load behind schedule" | "too few commits" | "too few samples" | null;
    /** Why, in one sentence (the figures behind it, or what made it inconclusive). */
    verdictReason: string;
    /** Input events not yet read when the run ended (after the drain). */
    lagAtEnd: number | null;
    /** Records/s written to the results topic inside the window (its end offsets). */
    outputRate: number | null;
}

/**
 * The engine's own view of the same run, read as its source writes it, beside Kafka's figures:
 * Arroyo's operator metrics de-smoothed (it serves an EWMA, alpha 0.1, every ~2 s); Flink's
 * operator counters differenced (its *PerSecond meters are 60 s averages, MeterView).
 */
export interface EngineFigures {
    engine: EngineName;
    /** Events/s the source operators emitted, by the engine's own count, over the window. */
    sourceRate: number | null;
    /** Records/s the sink operators took in, by the engine's own count, over the window. */
    sinkRate: number | null;
    /** What the sources emitted over the same span as Kafka's consumedInWindow. */
    consumedInWindow: number | null;
    /** (engine - Kafka) / Kafka over that span; beyond ±5% the report flags it. */
    differenceFromKafka: number | null;
    /**
     * The engine's backpressure measure, the worst place in the job: Arroyo, one output queue's fill
     * (0..1) as last written, the worst subtask; Flink, the share of the window a vertex's subtasks
     * spent back-pressured (accumulateBackPressuredTimeMs), the worst vertex.
     */
    backpressureMax: number | null;
    /** Arroyo: the queue fill's mean over the window's samples. */
    backpressureMean?: number | null;
    /** Arroyo: the sources' rate as its UI shows it (smoothed): lags a step by ~21 s (63%). */
    sourceRateSmoothed?: number | null;
    /** Flink: the share of the window the busiest vertex's subtasks spent busy (accumulateBusyTimeMs). */
    busyMax?: number | null;
    /** What the engine's figures could not be read from, when some are null. */
    note?: string;
}

/** The checkpoints whose start lies in the window, as the engine listed them (or as their commits were seen). */
export interface CheckpointFigures {
    /** The interval asked for. */
    intervalSeconds: number;
    inWindow: number;
    /** Mean time from one checkpoint's start to the next: interval + duration (+ up to 0.2 s), Arroyo restarts its clock when a checkpoint finishes. */
    cadenceSeconds: number | null;
    maxGapSeconds: number | null;
    durationMsP50: number | null;
    durationMsMax: number | null;
    source: "checkpoint list" | "commits seen";
}

/** What the load did inside the window. */
export interface LoadFigures {
    /** The worst delay of the load behind its schedule inside the window, ms (null: no acknowledgement seen there). */
    maxScheduleDelayInWindowMs: number | null;
    /** The window's median delay: on schedule, the broker's acknowledgement latency. */
    medianScheduleDelayInWindowMs: number | null;
    /** The worst delay less the median: how long the load stalled and then burst. */
    maxStallMs: number | null;
    maxStallAtSeconds: number | null;
    /** Set for windowed queries when the load fell further behind than the watermark's 4 s. */
    lateRowsRisk: string | null;
}

export interface HostFigures {
    host: string;
    /** null: not measured (no sample in the window, or --no-host-metrics). */
    cpuCores: number | null;
    memoryBytesMean: number | null;
    memoryBytesMax: number | null;
}

export interface QueryFigures {
    /** Events/s the load generator had acknowledged by Kafka inside the window, all three topics. */
    producedRate: number;
    kafka: KafkaFigures;
    engine: EngineFigures;
    checkpoints: CheckpointFigures;
    load: LoadFigures;
    latencyMs: LatencyFigures | null;
    /** What latency is measured from: the input event's time, or the end of the window that emitted the record. */
    latencyFrom: "event-time" | "window-end" | null;
    /** Output records the latency sampler read (one partition of the results topic), and how many it left out as warm-up or after the window. */
    latencySample: { read: number; outsideWindow: number; unparsable: number } | null;
    latencyNote?: string;
    /** Mean CPU (cores) and memory per host inside the window. */
    hosts: HostFigures[];
    /** Throttling, temperature and clock per host inside the window; null when not sampled. */
    thermal: ThermalFigures | null;
    /** Mean cores used by the engine's containers (Arroyo's controller and nodes; Flink's JobManager, SQL Gateway and TaskManagers); null when not measured. */
    engineCores: number | null;
    /** kafka.consumedRate / engineCores. */
    eventsPerSecondPerCore: number | null;
}

/** A query is invalid when its job restarted, recovered or failed inside the measured window. */
export interface Validity {
    valid: boolean;
    reasons: string[];
}

export interface JobSample {
    time: number;
    /** The engine's word for the job's state (Arroyo's JobState; Flink's, capitalised as Arroyo's are). */
    state: JobState | string | null;
    runId: number | null;
    failure: string | null;
}

export interface QueryRun {
    id: string;
    /** The engine that ran it. */
    engine: EngineName;
    title: string;
    pipelineName: string;
    pipelineId: string;
    jobId: string;
    parallelism: number;
    checkpointIntervalSeconds: number;
    /** `SET updating_ttl` the query ran with: how long updating joins and aggregates keep state (Arroyo's default is 24 h). */
    updatingTtlSeconds: number;
    resultsTopic: string;
    /** The consumer group of each source table. */
    consumerGroups: Record<string, string>;
    /** The measured window, on the load's schedule: after the warm-up events, until the load's end or --duration. */
    window: { startMs: number; endMs: number };
    loadEndMs: number;
    produce: ProduceReport;
    figures: QueryFigures;
    validity: Validity;
    /** --verify: the output record by record against the generator's events (stateless queries), or why it was not checked. */
    /** --verify: a stateless query checked against the events sent; a stateful one, under a fixed base time, recorded for npm run compare. */
    verification?: Verification | RecordedOutput | { notVerified: string };
    samples: {
        produced: { time: number; acked: number }[];
        progress: ProgressPoint[];
        /** The sources' rate by the engine's own count: Arroyo's messages_sent de-smoothed, summed over subtasks on its 2 s grid; Flink's numRecordsOut differenced between samples. */
        engineSource: RatePoint[];
        /** Arroyo: the same as it serves it (smoothed): what its UI shows. */
        engineSourceSmoothed?: RatePoint[];
        engineSink: RatePoint[];
        /** The job's checkpoints as the engine listed them during the run. */
        checkpoints: CheckpointTime[];
        backpressure: RatePoint[];
        jobs: JobSample[];
        hosts: HostSample[];
        thermal: ThermalSample[];
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
        /** Whether a query stays valid when a host throttled in its window (--allow-throttled). */
        allowThrottled?: boolean;
        seed: number;
        /** --base-time: events stamped from this instant, the same in every run (absent: from the load's start). */
        baseTimeMs?: number;
        producerThreads: number;
        /** How the generator departs from the reference: see benchmark/nexmark/generator.ts. */
        generatorNotes: string[];
        /** --find-max only: how the capacity search ran. */
        search?: {
            source: "kafka" | "nexmark";
            parallelisms: number[];
            startRate: number;
            resolution: number;
            maxTrials: number;
            trialWarmupSeconds: number;
            trialWindowSeconds: number;
            latencySloMs: number | null;
        };
    };
    /** Where the load came from, and what the generator could do: whether it could have capped a result. */
    load: LoadSource;
    versions: { images: ClusterOutputs["images"]; node: string };
    topology: {
        engine: EngineName;
        hosts: ClusterOutputs["hosts"];
        totalSlots: number;
        partitions: number;
        /** What each worker's engine container was given (stack outputs); absent where the stack did not export it. */
        budget?: { memoryPerSlotMb: number; cpusPerWorker: number | null };
        /** The engine's own settings (stack outputs): {} for an engine run as it ships. */
        engineSettings?: EngineSettings;
        engineUrl: string;
        kafkaBootstrapServers: string;
    };
    /** Fixed-rate runs (empty with find-max: the trials are in capacity). */
    queries: QueryRun[];
    capacity?: CapacityResult[];
}
