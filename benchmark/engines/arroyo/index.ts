// Arroyo 0.15 as the benchmark drives it: pipelines through its REST API, its operator metrics
// de-smoothed (metrics.ts), its checkpoint list, run_id for restarts.
import { ArroyoClient, STOP_TIMEOUT_MS } from "./client";
import { COLLECTION_RATE_MS, mergeSnapshots, MetricsSnapshot } from "./metrics";
import { Pipeline } from "./types";
import { CheckpointTime } from "../../kafka/progress";
import { arroyoFigures } from "./figures";
import { arroyoProfile } from "./profile";
import { NexmarkQuery, QueryParams, renderQuery } from "../../queries";
import { EngineJob, JobSpec, StreamEngine } from "../engine";

/**
 * An Arroyo checkpoint as the shared figures take it. Its Kafka sources commit when the barrier
 * reaches them (arroyo-connectors/src/kafka/source/mod.rs, ControlMessage::Checkpoint), before the
 * controller records the start: it sends the barriers, awaits the workers, then inserts the row
 * with the time then (arroyo-controller/src/job_controller/mod.rs, start_checkpoint). So the
 * commit is in by the finish, and the next barrier comes no sooner than an interval after it
 * (finish_time is written, then last_checkpoint reset; a checkpoint starts once
 * last_checkpoint.elapsed() > checkpoint_interval).
 */
export function arroyoCheckpointTime(
    c: { epoch: number; start_time: number; finish_time: number | null },
    intervalMs: number,
): CheckpointTime {
    const finishMs = c.finish_time === null ? null : c.finish_time / 1000;
    return {
        epoch: c.epoch,
        startMs: c.start_time / 1000,
        finishMs,
        commitFromMs: finishMs,
        commitUntilMs: finishMs === null ? null : finishMs + intervalMs,
    };
}

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
                    checkpoints: cps.map((c) => arroyoCheckpointTime(c, spec.checkpointIntervalMs)),
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
