// The capacity search's results as data: what a trial, a search, the pipeline's ceiling and the
// load's source are. Types only, imported by the code that makes them and by the results' schema
// (report/types.ts), so neither imports the other's module (no import circles).

export interface Trial {
    /** Target rate of the generator, events/s over the three topics. */
    rate: number;
    /** Events/s on the topics the query reads. */
    inputRate: number | null;
    consumedRate: number | null;
    lagTrend: number | null;
    /** Events/s the generator sent at (until its last event left; the broker's ack latency left out). */
    achievedRate: number;
    p99Ms: number | null;
    pass: boolean;
    /** Why it failed (or "sustained"). */
    why: string;
    generatorBound: boolean;
    seconds: number;
    /** The trial's pipeline, and the span between the commits its consumed rate is measured over. */
    pipelineName?: string;
    consumedSpan?: { fromMs: number; toMs: number } | null;
    /** The median duration of the checkpoints started in the window, as the engine listed them. */
    checkpointMsP50?: number | null;
    /** Records/s on the results topic (trials on Arroyo's Nexmark source). */
    outputRate?: number | null;
}

export type SearchEnd = "resolved" | "generator-bound" | "max-trials" | "none-sustained" | "aborted";

export interface SearchResult {
    /** The highest passing trial, or null when none passed. */
    mst: { rate: number; inputRate: number | null } | null;
    end: SearchEnd;
    /** One sentence a reader can take as it is. */
    note: string;
    trials: Trial[];
}

export interface PipelineCeiling {
    /** The highest event_rate the source kept with the job healthy; null when none did. */
    rate: number | null;
    /** The source's and the output's rate at that trial. */
    sourceRate: number | null;
    outputRate: number | null;
    search: SearchResult;
}

export interface CapacityResult {
    query: string;
    title: string;
    parallelism: number;
    search: SearchResult;
    /** MST(p) / (p x MST(1)), on the query's input rate; null without a p = 1 result. */
    efficiency: number | null;
    /** With --source nexmark: the query on Arroyo's own Nexmark source, and which part of the path limits it. */
    pipelineCeiling?: PipelineCeiling;
    bottleneck?: string;
}

/** Where the load came from: what could have capped a result. */
export interface LoadSource {
    host: string;
    threads: number;
    /** Events/s generating and serializing alone, all threads (no Kafka). */
    aloneEventsPerSecond: number | null;
    /** Events/s acknowledged by this broker, unpaced. */
    intoBrokerEventsPerSecond: number | null;
    /** "measured", "given" (--generator-ceiling) or "not measured". */
    ceiling: "measured" | "given" | "not measured";
    /** The Kafka client that carried the load, with its version (loadClient.ts). */
    client: string;
    /** Why the load went through kafkajs when the faster client was wanted. */
    clientFallback?: string;
}
