import {
    Checkpoint,
    Job,
    JobLogMessage,
    JobState,
    OperatorMetricGroup,
    Pipeline,
    StopMode,
    TERMINAL_STATES,
    ValidationResult,
} from "./types";

/** An error answer from Arroyo, carrying Arroyo's own message. */
export class ArroyoApiError extends Error {
    constructor(
        readonly status: number,
        readonly arroyoMessage: string,
        readonly route: string,
    ) {
        super(`Arroyo ${route} failed (HTTP ${status}): ${arroyoMessage}`);
        this.name = "ArroyoApiError";
    }
}

/**
 * A job reached Failed, or would not stay Running, while we waited. `firstError` is the oldest
 * error its operators reported: Failed's own message after restarts is only "Job has restarted
 * too many times" (states/running.rs), the cause is in the job's errors.
 */
export class JobFailedError extends Error {
    constructor(
        readonly job: Job,
        readonly pipelineName: string,
        readonly firstError?: string,
        what?: string,
    ) {
        super(
            `Arroyo job ${job.id} of pipeline '${pipelineName}' ${what ?? `is ${job.state}`}${job.failure_message ? `: ${job.failure_message}` : ""}${firstError ? ` (first error: ${firstError})` : ""}`,
        );
        this.name = "JobFailedError";
    }
}

export class JobTimeoutError extends Error {
    constructor(
        readonly pipelineName: string,
        readonly wanted: readonly JobState[],
        readonly lastState: JobState | undefined,
        readonly timeoutMs: number,
    ) {
        super(
            `Arroyo pipeline '${pipelineName}' did not reach ${wanted.join(" or ")} within ${Math.round(timeoutMs / 1000)} s (last state: ${lastState ?? "no job yet"})`,
        );
        this.name = "JobTimeoutError";
    }
}

export interface ArroyoClientOptions {
    /** API base, e.g. http://127.0.0.1:5115/api/v1 (the stack output `arroyoApiUrl`). */
    baseUrl: string;
    requestTimeoutMs?: number;
    pollIntervalMs?: number;
}

/**
 * How long a stop may take: Arroyo's controller waits 60 s for the workers to finish
 * (FINISH_TIMEOUT in crates/arroyo-controller/src/states/stopping.rs), then kills them with up to
 * 20 retries; a windowed query (q5 on the local stack) was seen to need 61 s.
 */
export const STOP_TIMEOUT_MS = 120_000;

/** Typed client for the part of Arroyo's REST API the benchmark uses. */
export class ArroyoClient {
    private readonly baseUrl: string;
    private readonly requestTimeoutMs: number;
    private readonly pollIntervalMs: number;

    constructor(opts: ArroyoClientOptions) {
        this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
        this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
        this.pollIntervalMs = opts.pollIntervalMs ?? 500;
    }

    private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
        const route = `${method} ${path.replace(/\?.*$/, "")}`;
        let res: Response;
        try {
            res = await fetch(`${this.baseUrl}${path}`, {
                method,
                headers: body === undefined ? {} : { "content-type": "application/json" },
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(this.requestTimeoutMs),
            });
        } catch (err) {
            throw new ArroyoApiError(0, `cannot reach ${this.baseUrl}: ${(err as Error).message}`, route);
        }
        const text = await res.text();
        if (!res.ok) {
            let message = text;
            try {
                message = (JSON.parse(text) as { error?: string }).error ?? text;
            } catch {
                // not JSON: keep the raw body as the message
            }
            throw new ArroyoApiError(res.status, message || res.statusText, route);
        }
        if (!text) return undefined as T;
        try {
            return JSON.parse(text) as T;
        } catch {
            return text as T;
        }
    }

    async ping(): Promise<void> {
        await this.request<unknown>("GET", "/ping");
    }

    validateQuery(query: string): Promise<ValidationResult> {
        return this.request("POST", "/pipelines/validate_query", { query });
    }

    createPipeline(args: {
        name: string;
        query: string;
        parallelism: number;
        checkpointIntervalMicros?: number;
    }): Promise<Pipeline> {
        return this.request("POST", "/pipelines", {
            name: args.name,
            query: args.query,
            parallelism: args.parallelism,
            ...(args.checkpointIntervalMicros ? { checkpoint_interval_micros: args.checkpointIntervalMicros } : {}),
        });
    }

    /** Every pipeline, following Arroyo's pages (10 by default). */
    async listPipelines(): Promise<Pipeline[]> {
        const all: Pipeline[] = [];
        let after: string | undefined;
        for (;;) {
            const page = await this.request<{ data: Pipeline[]; hasMore: boolean }>(
                "GET",
                `/pipelines?limit=100${after ? `&starting_after=${encodeURIComponent(after)}` : ""}`,
            );
            all.push(...page.data);
            if (!page.hasMore || page.data.length === 0) return all;
            after = page.data[page.data.length - 1].id;
        }
    }

    getPipeline(id: string): Promise<Pipeline> {
        return this.request("GET", `/pipelines/${encodeURIComponent(id)}`);
    }

    async jobs(pipelineId: string): Promise<Job[]> {
        return (await this.request<{ data: Job[] }>("GET", `/pipelines/${encodeURIComponent(pipelineId)}/jobs`)).data;
    }

    stopPipeline(id: string, stop: StopMode = "immediate"): Promise<Pipeline> {
        return this.request("PATCH", `/pipelines/${encodeURIComponent(id)}`, { stop });
    }

    async deletePipeline(id: string): Promise<void> {
        await this.request("DELETE", `/pipelines/${encodeURIComponent(id)}`);
    }

    /** The job's checkpoints Arroyo still lists (failed and compacted ones are left out). */
    async checkpoints(pipelineId: string, jobId: string): Promise<Checkpoint[]> {
        return (
            await this.request<{ data: Checkpoint[] }>(
                "GET",
                `/pipelines/${encodeURIComponent(pipelineId)}/jobs/${encodeURIComponent(jobId)}/checkpoints`,
            )
        ).data;
    }

    /** The oldest error the job's operators reported, or undefined (Arroyo lists them newest first, 10 a page by default). */
    async firstJobError(pipelineId: string, jobId: string): Promise<string | undefined> {
        let after: string | undefined;
        let oldest: JobLogMessage | undefined;
        for (let page = 0; page < 100; page++) {
            const res = await this.request<{ data: JobLogMessage[]; hasMore: boolean }>(
                "GET",
                `/pipelines/${encodeURIComponent(pipelineId)}/jobs/${encodeURIComponent(jobId)}/errors?limit=100${after ? `&starting_after=${encodeURIComponent(after)}` : ""}`,
            );
            if (res.data.length) oldest = res.data[res.data.length - 1];
            if (!res.hasMore || res.data.length === 0) break;
            after = oldest?.id;
        }
        return oldest
            ? `${oldest.message}${oldest.details && oldest.details !== oldest.message ? `: ${oldest.details}` : ""}`
            : undefined;
    }

    async operatorMetrics(pipelineId: string, jobId: string): Promise<OperatorMetricGroup[]> {
        return (
            await this.request<{ data: OperatorMetricGroup[] }>(
                "GET",
                `/pipelines/${encodeURIComponent(pipelineId)}/jobs/${encodeURIComponent(jobId)}/operator_metric_groups`,
            )
        ).data;
    }

    /**
     * Polls the pipeline's job until it is in one of `states`. A Failed job (when Failed is not
     * wanted) ends the wait with Arroyo's failure message; so does the deadline.
     */
    async waitForJobState(
        pipeline: { id: string; name: string },
        states: readonly JobState[],
        timeoutMs: number,
    ): Promise<Job> {
        const deadline = Date.now() + timeoutMs;
        let last: Job | undefined;
        for (;;) {
            const jobs = await this.jobs(pipeline.id);
            last = jobs[0];
            if (last && states.includes(last.state)) return last;
            if (last && last.state === "Failed" && !states.includes("Failed"))
                throw new JobFailedError(
                    last,
                    pipeline.name,
                    await this.firstJobError(pipeline.id, last.id).catch(() => undefined),
                );
            if (Date.now() >= deadline) throw new JobTimeoutError(pipeline.name, states, last?.state, timeoutMs);
            await new Promise((r) => setTimeout(r, this.pollIntervalMs));
        }
    }

    /**
     * Waits until the job has been Running on one run_id for `holdMs`: a job that fails at run
     * time passes through Running between its restarts (Running -> Recovering -> Compiling ->
     * Scheduling, run_id + 1), so one Running sample says nothing. A restart while we wait starts
     * the hold again; Failed, or `maxRestarts` new run_ids, ends the wait with the first error
     * Arroyo reported.
     */
    async waitForStableRunning(
        pipeline: { id: string; name: string },
        holdMs: number,
        timeoutMs: number,
        maxRestarts = 2,
    ): Promise<Job> {
        const deadline = Date.now() + timeoutMs;
        let since: { runId: number; at: number } | undefined;
        let firstRunId: number | undefined;
        for (;;) {
            const job = await this.waitForJobState(pipeline, ["Running"], Math.max(1, deadline - Date.now()));
            firstRunId ??= job.run_id;
            if (job.run_id - firstRunId >= maxRestarts) {
                throw new JobFailedError(
                    job,
                    pipeline.name,
                    await this.firstJobError(pipeline.id, job.id).catch(() => undefined),
                    `restarted ${job.run_id - firstRunId} times before it could run (run_id ${firstRunId} -> ${job.run_id})`,
                );
            }
            if (!since || since.runId !== job.run_id) since = { runId: job.run_id, at: Date.now() };
            if (Date.now() - since.at >= holdMs) return job;
            if (Date.now() >= deadline) throw new JobTimeoutError(pipeline.name, ["Running"], job.state, timeoutMs);
            await new Promise((r) => setTimeout(r, this.pollIntervalMs));
        }
    }

    /** Stops every pipeline, waits for its job to end, and deletes it: a clean slate for a run. */
    async removeAllPipelines(timeoutMs = STOP_TIMEOUT_MS): Promise<string[]> {
        const removed: string[] = [];
        for (const p of await this.listPipelines()) {
            const job = (await this.jobs(p.id))[0];
            if (job && !TERMINAL_STATES.includes(job.state)) {
                await this.stopPipeline(p.id, "immediate");
                await this.waitForJobState(p, TERMINAL_STATES, timeoutMs);
            }
            await this.deletePipeline(p.id);
            removed.push(p.name);
        }
        return removed;
    }
}
