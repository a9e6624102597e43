// Apache Flink as the benchmark drives it: each query is submitted through the SQL Gateway in a
// session of its own (pipeline name, parallelism and checkpoint interval set there), followed and
// cancelled through the JobManager's REST API. Its Kafka source starts from the group's offsets
// ('scan.startup.mode' = 'group-offsets') and commits the next offset to read when a checkpoint
// completes; restarts are counted from numRestarts, the exception history and the checkpoints
// restored (flinkRestarts: numRestarts alone read 0 through five restarts).
import { flinkProfile } from "./profile";
import { CheckpointTime } from "../../kafka/progress";
import { firstFailure, FlinkClient, FlinkJob, flinkRestarts } from "./client";
import { FlinkMetricSample, flinkFigures } from "./metrics";
import { NexmarkQuery, QueryParams, renderQuery, splitStatements } from "../../queries";
import { EngineJob, JobSpec, StreamEngine } from "../engine";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TERMINAL = new Set(["FAILED", "CANCELED", "FINISHED"]);
/** Jobs the benchmark submits are named so (run.ts); others on the cluster are left alone. */
const JOB_PREFIX = "nexmark-";

/** Flink's state in the capitalisation of Arroyo's, so one judgement reads both ("RUNNING" -> "Running"). */
export function stateWord(flinkState: string): string {
    return flinkState.charAt(0) + flinkState.slice(1).toLowerCase();
}

/** Checkpoints as the shared figures take them: started when triggered, finished when completed (savepoints left out). */
export function checkpointTimes(
    history: {
        id: number;
        status: string;
        trigger_timestamp: number;
        end_to_end_duration: number;
        is_savepoint: boolean;
    }[],
): CheckpointTime[] {
    return history
        .filter((c) => !c.is_savepoint)
        .map((c) => {
            const finishMs = c.status === "COMPLETED" ? c.trigger_timestamp + c.end_to_end_duration : null;
            // KafkaSourceReader commits a checkpoint's offsets in notifyCheckpointComplete: once it
            // completed, never when it failed; the next one's commit comes with its completion.
            return { epoch: c.id, startMs: c.trigger_timestamp, finishMs, commitFromMs: finishMs, commitUntilMs: null };
        });
}

/** The operator counters a vertex reports, found by name: Flink names operator metrics `<operator>.<metric>` with ': ' and ' ' as '_'. */
export function counterNames(names: string[]): { source: string[]; sink: string[] } {
    return {
        source: names.filter((n) => /^Source__.*\.numRecordsOut$/.test(n)),
        sink: names.filter((n) => /__Writer\.numRecordsIn$/.test(n)),
    };
}

export class FlinkEngine implements StreamEngine {
    readonly name = flinkProfile.name;
    /** Restarts as counted from numRestarts, the exception history and restored checkpoints (flinkRestarts). */
    readonly profile = flinkProfile;
    readonly client: FlinkClient;

    constructor(restUrl: string, gatewayUrl: string) {
        this.client = new FlinkClient(restUrl, gatewayUrl);
    }

    /** Flink's counters are read at the sampling interval: one sample after the end. */
    metricsSettleMs(metricsIntervalMs: number): number {
        return metricsIntervalMs;
    }

    async ping(): Promise<void> {
        await this.client.ping();
    }

    async removeEarlierJobs(): Promise<string[]> {
        const stale = (await this.client.jobsOverview()).filter(
            (j) => !TERMINAL.has(j.state) && j.name.startsWith(JOB_PREFIX),
        );
        for (const j of stale) await this.client.cancel(j.jid);
        return stale.map((j) => j.name);
    }

    render(q: NexmarkQuery, params: QueryParams): string {
        return renderQuery(q, params);
    }

    /** Creates the tables in a session of its own and asks Flink to plan the INSERT (EXPLAIN): its planner's objections. */
    async validate(_q: NexmarkQuery, sql: string): Promise<string[]> {
        const session = await this.client.openSession();
        try {
            for (const statement of splitStatements(sql)) {
                try {
                    await this.client.statement(
                        session,
                        /^INSERT\b/i.test(statement) ? `EXPLAIN PLAN FOR ${statement}` : statement,
                    );
                } catch (err) {
                    return [(err as Error).message];
                }
            }
            return [];
        } finally {
            await this.client.closeSession(session).catch(() => undefined);
        }
    }

    async start(spec: JobSpec): Promise<EngineJob> {
        const client = this.client;
        const session = await client.openSession();
        let jobId: string | undefined;
        const cancel = async () => {
            if (jobId) {
                await client.cancel(jobId);
                const deadline = Date.now() + 60_000;
                while (
                    Date.now() < deadline &&
                    !TERMINAL.has((await client.job(jobId).catch(() => ({ state: "FINISHED" }) as FlinkJob)).state)
                )
                    await sleep(250);
            }
            await client.closeSession(session).catch(() => undefined);
        };
        try {
            for (const set of [
                `SET 'pipeline.name' = '${spec.name}'`,
                `SET 'parallelism.default' = '${spec.parallelism}'`,
                `SET 'execution.checkpointing.interval' = '${Math.round(spec.checkpointIntervalMs)} ms'`,
            ]) {
                await client.statement(session, set);
            }
            for (const statement of splitStatements(spec.sql)) {
                const rows = await client.statement(session, statement);
                if (/^INSERT\b/i.test(statement)) jobId = String(rows[0]?.[0] ?? "");
            }
            if (!jobId) throw new Error(`${spec.query.id}: Flink accepted the statements but named no job`);
            const initialRunId = await this.waitForStableRunning(jobId, spec);
            return this.jobHandle(jobId, initialRunId, cancel);
        } catch (err) {
            await cancel().catch(() => undefined);
            throw err;
        }
    }

    /** Until every vertex runs and the restart count holds for stableMs; throws with Flink's root cause when the job fails or the time is up. */
    private async waitForStableRunning(jobId: string, spec: JobSpec): Promise<number> {
        const deadline = Date.now() + spec.timeoutMs;
        let since: { at: number; restarts: number } | undefined;
        let last = "";
        while (Date.now() < deadline) {
            const job = await this.client.job(jobId);
            const [metrics, exceptions, counts] = await Promise.all([
                this.client.jobMetrics(jobId, ["numRestarts"]),
                this.client.exceptionHistory(jobId).catch(() => ({ entries: [], truncated: false })),
                this.client.checkpointCounts(jobId).catch(() => undefined),
            ]);
            const restarts = flinkRestarts({
                numRestarts: metrics.numRestarts,
                exceptions: exceptions.entries.length,
                restored: counts?.restored,
            });
            const allRunning = job.state === "RUNNING" && job.vertices.every((v) => v.status === "RUNNING");
            last = `${job.state}, ${restarts} restarts`;
            if (TERMINAL.has(job.state))
                throw new Error(
                    `${spec.query.id}: Flink job ${jobId} is ${job.state} before the load: ${(await this.client.firstException(jobId).catch(() => undefined)) ?? "no exception recorded"}`,
                );
            if (!allRunning || (since && since.restarts !== restarts)) since = undefined;
            else if (!since) since = { at: Date.now(), restarts };
            else if (Date.now() - since.at >= spec.stableMs) return restarts;
            await sleep(250);
        }
        throw new Error(
            `${spec.query.id}: Flink job ${jobId} did not run steadily within ${Math.round(spec.timeoutMs / 1000)} s (last seen: ${last}): ${(await this.client.firstException(jobId).catch(() => undefined)) ?? "no exception recorded"}`,
        );
    }

    private jobHandle(jobId: string, initialRunId: number, cancel: () => Promise<void>): EngineJob {
        const client = this.client;
        const samples: FlinkMetricSample[] = [];
        let names: Map<string, { source: string[]; sink: string[] }> | undefined;
        let vertices: FlinkJob["vertices"] = [];
        return {
            id: jobId,
            submissionId: jobId,
            initialRunId,
            async observe() {
                const [job, metrics, history, exceptions, counts] = await Promise.all([
                    client.job(jobId),
                    client.jobMetrics(jobId, ["numRestarts"]),
                    client.checkpoints(jobId).catch(() => []),
                    client.exceptionHistory(jobId).catch(() => ({ entries: [], truncated: false })),
                    client.checkpointCounts(jobId).catch(() => undefined),
                ]);
                vertices = job.vertices;
                const failure = job.state === "FAILED" ? (firstFailure(exceptions) ?? null) : null;
                const runId = flinkRestarts({
                    numRestarts: metrics.numRestarts,
                    exceptions: exceptions.entries.length,
                    restored: counts?.restored,
                });
                return { job: { state: stateWord(job.state), runId, failure }, checkpoints: checkpointTimes(history) };
            },
            async sampleMetrics() {
                if (vertices.length === 0) vertices = (await client.job(jobId)).vertices;
                // Operator metric names appear once the JobManager fetched them: looked up until found.
                if (!names || [...names.values()].every((n) => n.source.length === 0)) {
                    names = new Map(
                        await Promise.all(
                            vertices.map(
                                async (v) => [v.id, counterNames(await client.vertexMetricNames(jobId, v.id))] as const,
                            ),
                        ),
                    );
                }
                const time = Date.now();
                const per = await Promise.all(
                    vertices.map(async (v) => {
                        const n = names!.get(v.id) ?? { source: [], sink: [] };
                        const sums = await client.vertexMetricSums(jobId, v.id, [
                            ...n.source,
                            ...n.sink,
                            "accumulateIdleTimeMs",
                            "accumulateBackPressuredTimeMs",
                        ]);
                        const total = (keys: string[]) =>
                            keys.length && keys.every((k) => k in sums) ? keys.reduce((s, k) => s + sums[k], 0) : null;
                        return {
                            v,
                            source: total(n.source),
                            sink: total(n.sink),
                            idleMs: sums.accumulateIdleTimeMs ?? null,
                            backPressuredMs: sums.accumulateBackPressuredTimeMs ?? null,
                        };
                    }),
                );
                const sum = (xs: (number | null)[]) =>
                    xs.some((x) => x !== null) ? xs.reduce<number>((s, x) => s + (x ?? 0), 0) : null;
                samples.push({
                    time,
                    sourceRecordsOut: sum(per.map((p) => p.source)),
                    sinkRecordsIn: sum(per.map((p) => p.sink)),
                    vertices: per.map((p) => ({
                        id: p.v.id,
                        parallelism: p.v.parallelism,
                        idleMs: p.idleMs,
                        backPressuredMs: p.backPressuredMs,
                    })),
                });
            },
            figures: (window, consumed) => flinkFigures(samples, window, consumed),
            firstError: () => client.firstException(jobId),
            stop: cancel,
        };
    }
}
