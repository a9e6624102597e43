import { LoadClient } from "./loadClient";
import { EventRange } from "./plan";

export type Kind = "person" | "auction" | "bid";
export type Compression = "none" | "gzip";

/** What one producer thread is asked to send. */
export interface ProducerJob {
    workerIndex: number;
    bootstrapServers: string[];
    topics: Record<Kind, string>;
    partitions: Record<Kind, number>;
    seed: number;
    /** Event time of event 0; defaults to the common start. */
    baseTimeMs?: number;
    /** The run's overall rate: spaces event times and paces every thread on one schedule. */
    eventsPerSecond: number;
    /** This thread's share of the rate: sizes its batches. */
    threadEventsPerSecond: number;
    ranges: EventRange[];
    batchSize: number;
    maxInFlight: number;
    compression: Compression;
    /** The Kafka client that carries the load (loadClient.ts). */
    client: LoadClient;
}

export type WorkerMessage =
    | { type: "ready" }
    | { type: "progress"; acked: number; atEpochMs: number }
    | { type: "done"; acked: number; perKind: Record<Kind, number>; maxScheduleDelayMs: number; lastDelayMs: number }
    | { type: "error"; message: string };

/** From the coordinator to every thread once all are connected: start sending at this instant. */
export interface GoMessage {
    type: "go";
    startEpochMs: number;
}
