// Arroyo 0.15 as the benchmark drives it: pipelines through its REST API, its operator metrics
// de-smoothed (metrics.ts), its checkpoint list, run_id for restarts.
import { ArroyoClient, STOP_TIMEOUT_MS } from "./client";
import { COLLECTION_RATE_MS, mergeSnapshots, MetricsSnapshot } from "./metrics";
import { Pipeline } from "./types";
import { arroyoFigures } from "./figures";
import { arroyoProfile } from "./profile";
import { NexmarkQuery, QueryParams, renderQuery } from "../../queries";
import { EngineJob, JobSpec, StreamEngine } from "../engine";

export class ArroyoEngine implements StreamEngine {
    readonly name = arroyoProfile.name;
    readonly profile = arroyoProfile;
    readonly client: ArroyoClient;

    constructor(apiUrl: string) {
        this.client = new ArroyoClient({ baseUrl: apiUrl });
    }

    /** Arroyo's controller collects every 2.0-2.2 s (job_metrics.rs): one collection after the end, whatever the sampling. */
    metricsSettleMs(): number {
        return COLLECTION_RATE_MS + 1_000;
    }

    ping(): Promise<void> {
        return this.client.ping();
    }

    removeEarlierJobs(): Promise<string[]> {
        return this.client.removeAllPipelines();
    }

    render(q: NexmarkQuery, params: QueryParams): string {
        return renderQuery(q, params);
    }

    async validate(_q: NexmarkQuery, sql: string): Promise<string[]> {
        return (await this.client.validateQuery(sql)).errors;
    }

    async start(spec: JobSpec): Promise<EngineJob> {
        const client = this.client;
        const pipeline: Pipeline = await client.createPipeline({
            name: spec.name,
            query: spec.sql,
            parallelism: spec.parallelism,
            checkpointIntervalMicros: Math.round(spec.checkpointIntervalMs * 1000),
        });
        let job;
        try {
            job = await client.waitForStableRunning(pipeline, spec.stableMs, spec.timeoutMs);
        } catch (err) {
            // Why the job did not run is what the user needs; a failed clean-up is said after it.
            await stopPipeline(client, pipeline).catch((cleanup: Error) => {
                (err as Error).message += `; removing its pipeline afterwards failed too: ${cleanup.message}`;
            });
            throw err;
        }
        // Each fetch with the run it was taken under: a restart's series are de-smoothed on their own.
        const snapshots: MetricsSnapshot[] = [];
        let runId: number | null = job.run_id;
        const jobId = job.id;
        return {
            id: jobId,
            submissionId: pipeline.id,
            initialRunId: job.run_id,
            async observe() {
                const [js, cps] = await Promise.all([
                    client.jobs(pipeline.id),
                    client.checkpoints(pipeline.id, jobId).catch(() => []),
                ]);
                const j = js.find((x) => x.id === jobId) ?? js[0];
                if (j) runId = j.run_id;
                return {
                    job: { state: j?.state ?? null, runId: j?.run_id ?? null, failure: j?.failure_message ?? null },
                    checkpoints: cps.map((c) => ({
                        epoch: c.epoch,
                        startMs: c.start_time / 1000,
                        finishMs: c.finish_time === null ? null : c.finish_time / 1000,
                        // The Kafka source commits when the barrier reaches it, before the
                        // checkpoint completes (arroyo-connectors/src/kafka/source/mod.rs,
                        // ControlMessage::Checkpoint).
                        commitMs: c.start_time / 1000,
                    })),
                };
            },
            async sampleMetrics() {
                // The run before and after the fetch: a fetch that a restart straddled could hold
                // either run's series, so it is left out (the next one is whole).
                const runOf = async () =>
                    (await client.jobs(pipeline.id).catch(() => [])).find((x) => x.id === jobId)?.run_id ?? runId;
                const before = await runOf();
                const groups = await client.operatorMetrics(pipeline.id, jobId);
                const after = await runOf();
                if (before === after) snapshots.push({ runId: after, groups });
            },
            figures(window, consumed) {
                return arroyoFigures(mergeSnapshots(snapshots), pipeline.graph, window, consumed);
            },
            firstError: () => client.firstJobError(pipeline.id, jobId),
            stop: () => stopPipeline(client, pipeline),
        };
    }
}

async function stopPipeline(client: ArroyoClient, pipeline: Pipeline): Promise<void> {
    await client.stopPipeline(pipeline.id, "immediate").catch(() => undefined);
    await client.waitForJobState(pipeline, ["Stopped", "Finished", "Failed"], STOP_TIMEOUT_MS).catch(() => undefined);
    await client.deletePipeline(pipeline.id);
}
