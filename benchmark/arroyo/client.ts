import { Job, JobState, OperatorMetricGroup, Pipeline, StopMode, TERMINAL_STATES, ValidationResult } from "./types";

/** An error answer from Arroyo, carrying Arroyo's own message. */
export class ArroyoApiError extends Error {
    constructor(readonly status: number, readonly arroyoMessage: string, readonly route: string) {
        super(`Arroyo ${route} failed (HTTP ${status}): ${arroyoMessage}`);
        this.name = "ArroyoApiError";
    }
}

/** A job reached Failed (or another state it should not have) while we waited. */
export class JobFailedError extends Error {
    constructor(readonly job: Job, readonly pipelineName: string) {
        super(`Arroyo job ${job.id} of pipeline '${pipelineName}' is ${job.state}${job.failure_message ? `: ${job.failure_message}` : ""}`);
        this.name = "JobFailedError";
    }
}

export class JobTimeoutError extends Error {
    constructor(readonly pipelineName: string, readonly wanted: readonly JobState[], readonly lastState: JobState | undefined, readonly timeoutMs: number) {
        super(`Arroyo pipeline '${pipelineName}' did not reach ${wanted.join(" or ")} within ${Math.round(timeoutMs / 1000)} s (last state: ${lastState ?? "no job yet"})`);
        this.name = "JobTimeoutError";
    }
}

export interface ArroyoClientOptions {
    /** API base, e.g. http://127.0.0.1:5115/api/v1 (the stack output `arroyoApiUrl`). */
    baseUrl: string;
    requestTimeoutMs?: number;
    pollIntervalMs?: number;
}

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

    createPipeline(args: { name: string; query: string; parallelism: number; checkpointIntervalMicros?: number }): Promise<Pipeline> {
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
            const page = await this.request<{ data: Pipeline[]; hasMore: boolean }>("GET", `/pipelines?limit=100${after ? `&starting_after=${encodeURIComponent(after)}` : ""}`);
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

    async operatorMetrics(pipelineId: string, jobId: string): Promise<OperatorMetricGroup[]> {
        return (await this.request<{ data: OperatorMetricGroup[] }>("GET", `/pipelines/${encodeURIComponent(pipelineId)}/jobs/${encodeURIComponent(jobId)}/operator_metric_groups`)).data;
    }

    /**
     * Polls the pipeline's job until it is in one of `states`. A Failed job (when Failed is not
     * wanted) ends the wait with Arroyo's failure message; so does the deadline.
     */
    async waitForJobState(pipeline: { id: string; name: string }, states: readonly JobState[], timeoutMs: number): Promise<Job> {
        const deadline = Date.now() + timeoutMs;
        let last: Job | undefined;
        for (;;) {
            const jobs = await this.jobs(pipeline.id);
            last = jobs[0];
            if (last && states.includes(last.state)) return last;
            if (last && last.state === "Failed" && !states.includes("Failed")) throw new JobFailedError(last, pipeline.name);
            if (Date.now() >= deadline) throw new JobTimeoutError(pipeline.name, states, last?.state, timeoutMs);
            await new Promise((r) => setTimeout(r, this.pollIntervalMs));
        }
    }

    /** Stops every pipeline, waits for its job to end, and deletes it: a clean slate for a run. */
    async removeAllPipelines(timeoutMs = 60_000): Promise<string[]> {
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
