// The pipeline's own ceiling: the query on Arroyo's built-in Nexmark source (sources-nexmark.sql)
// at a rate no pipeline keeps up with, so what it runs at is what Arroyo's pipeline alone does,
// with neither our generator nor Kafka's source path in the way. Measured from Arroyo's metrics
// (the source operators' messages_sent, smoothed by Arroyo) and the results topic's end offsets.
import { Kafka, logLevel } from "kafkajs";
import { ArroyoClient } from "../arroyo/client";
import { mergeSnapshots, meanIn, sourceNodeIds, summedRate } from "../arroyo/metrics";
import { OperatorMetricGroup } from "../arroyo/types";
import { createTopicsAndWait, retrying } from "../kafka/admin";
import { NexmarkQuery, renderQuery, resultsFilesUrl } from "../queries";
import { ClusterOutputs } from "../../stacks/outputs";
import { SearchResult } from "./search";

export interface PipelineCeiling {
    /** event_rate asked of Arroyo's Nexmark source (total over the subtasks). */
    eventRate: number;
    /** Events/s the Nexmark source sent on, mean over the window (smoothed by Arroyo). */
    sourceRate: number | null;
    /** Records/s written to the results topic over the window. */
    outputRate: number | null;
    valid: boolean;
    reasons: string[];
}

export interface CeilingOptions {
    outputs: ClusterOutputs;
    query: NexmarkQuery;
    parallelism: number;
    eventRate: number;
    warmupSeconds: number;
    windowSeconds: number;
    checkpointIntervalSeconds: number;
    runTag: string;
    log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measurePipelineCeiling(opts: CeilingOptions): Promise<PipelineCeiling> {
    const client = new ArroyoClient({ baseUrl: opts.outputs.arroyoApiUrl });
    const resultsTopic = `nexmark-results-${opts.runTag}-${opts.query.id}-nexmark`;
    const sql = renderQuery(opts.query, {
        bootstrapServers: opts.outputs.kafkaClusterBootstrapServers,
        resultsTopic,
        resultsFilesUrl: resultsFilesUrl(opts.outputs.minioClusterEndpoint, opts.outputs.buckets.results, `${opts.runTag}-nexmark`, opts.query.id),
        source: { kind: "nexmark", eventRate: opts.eventRate },
    });
    const validation = await client.validateQuery(sql);
    if (validation.errors.length) throw new Error(`Arroyo rejected ${opts.query.id} on its Nexmark source: ${validation.errors.join("; ")}`);
    const admin = new Kafka({ clientId: "arroyo-pi-ceiling", brokers: opts.outputs.kafkaBootstrapServers.split(","), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const end = async () => (await retrying(`offsets of ${resultsTopic}`, () => admin.fetchTopicOffsets(resultsTopic))).reduce((s, o) => s + Number(o.high), 0);
    try {
        await createTopicsAndWait(admin, [{ topic: resultsTopic, numPartitions: opts.parallelism }]);
        const pipeline = await client.createPipeline({ name: `nexmark-${opts.query.id}-${opts.runTag}-ceiling`, query: sql, parallelism: opts.parallelism, checkpointIntervalMicros: Math.round(opts.checkpointIntervalSeconds * 1e6) });
        try {
            const job = await client.waitForJobState(pipeline, ["Running"], 180_000);
            opts.log?.(`${opts.query.id}: on Arroyo's Nexmark source at ${opts.eventRate} events/s, parallelism ${opts.parallelism}`);
            const snapshots: OperatorMetricGroup[][] = [];
            const reasons: string[] = [];
            const startMs = Date.now() + opts.warmupSeconds * 1000;
            const endMs = startMs + opts.windowSeconds * 1000;
            let outAtStart: number | undefined;
            let outAtStartMs = 0;
            while (Date.now() < endMs + 2_500) {
                if (outAtStart === undefined && Date.now() >= startMs) {
                    outAtStart = await end();
                    outAtStartMs = Date.now();
                }
                snapshots.push(await client.operatorMetrics(pipeline.id, job.id));
                const j = (await client.jobs(pipeline.id))[0];
                if (j && (j.state !== "Running" || j.run_id !== job.run_id) && reasons.length === 0) reasons.push(`job was ${j.state} (run_id ${j.run_id})${j.failure_message ? `: ${j.failure_message}` : ""}`);
                await sleep(2_000);
            }
            const outAtEnd = await end();
            const rate = summedRate(mergeSnapshots(snapshots), sourceNodeIds(pipeline.graph), "messages_sent");
            return {
                eventRate: opts.eventRate,
                sourceRate: meanIn(rate, startMs, endMs) ?? null,
                outputRate: outAtStart === undefined || opts.query.sink === "files" ? null : ((outAtEnd - outAtStart) * 1000) / Math.max(1, Date.now() - outAtStartMs),
                valid: reasons.length === 0,
                reasons,
            };
        } finally {
            await client.stopPipeline(pipeline.id, "immediate").catch(() => undefined);
            await client.waitForJobState(pipeline, ["Stopped", "Finished", "Failed"], 60_000).catch(() => undefined);
            await client.deletePipeline(pipeline.id).catch(() => undefined);
        }
    } finally {
        await admin.deleteTopics({ topics: [resultsTopic] }).catch(() => undefined);
        await admin.disconnect();
    }
}

/** Which part of the path limits the query, from the Kafka-fed search and the pipeline's own ceiling. */
export function bottleneck(search: SearchResult, ceiling: PipelineCeiling): string {
    const own = ceiling.sourceRate;
    if (own === null || !ceiling.valid) return `unknown: the pipeline's own ceiling was not measured cleanly${ceiling.reasons.length ? ` (${ceiling.reasons.join("; ")})` : ""}`;
    const fed = search.mst?.rate;
    if (search.end === "generator-bound") return `the load path: the generator capped the Kafka-fed search at ${fed ?? "?"} events/s, while Arroyo's pipeline alone ran ${Math.round(own)} events/s on its own source`;
    if (fed === undefined) return `unknown: no Kafka-fed trial passed; Arroyo's pipeline alone ran ${Math.round(own)} events/s`;
    if (own > fed * 1.1) return `the Kafka path (generator, broker, Kafka source): Arroyo's pipeline alone ran ${Math.round(own)} events/s, ${(own / fed).toFixed(2)}x the Kafka-fed MST of ${fed}`;
    return `Arroyo's pipeline itself: on its own source it ran ${Math.round(own)} events/s, about the Kafka-fed MST of ${fed} events/s (${(own / fed).toFixed(2)}x)`;
}
