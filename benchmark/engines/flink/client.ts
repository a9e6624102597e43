// Apache Flink's two REST APIs as the benchmark uses them: the SQL Gateway (sessions, statements;
// flink-sql-gateway's /v1 endpoints) to validate and submit queries, and the JobManager's REST
// API (/jobs, /jobs/<id>/checkpoints, /jobs/<id>/vertices/<id>/subtasks/metrics, ...) to follow
// a job. Shapes as Flink 2.2 serves them (checked against a running cluster in
// test/integration/flinkBenchmark.test.ts).

export class FlinkApiError extends Error {
    constructor(
        readonly status: number,
        readonly path: string,
        message: string,
    ) {
        super(message);
    }
}

/** A job as `GET /jobs/<id>` describes it: state, and the vertices (chains of operators) of its graph. */
export interface FlinkJob {
    jid: string;
    name: string;
    state: string;
    vertices: { id: string; name: string; parallelism: number; status?: string }[];
}

/** One checkpoint of `GET /jobs/<id>/checkpoints` history (CheckpointStatistics). */
export interface FlinkCheckpoint {
    id: number;
    status: "IN_PROGRESS" | "COMPLETED" | "FAILED";
    trigger_timestamp: number;
    latest_ack_timestamp: number;
    end_to_end_duration: number;
    state_size?: number;
    checkpointed_size?: number;
    is_savepoint: boolean;
}

export interface ExceptionEntry {
    exceptionName: string;
    stacktrace: string;
    timestamp: number;
}
export interface ExceptionHistory {
    entries: ExceptionEntry[];
    truncated: boolean;
}
/** As many entries as Flink keeps by default (web.exception-history-size). */
const EXCEPTION_HISTORY_MAX = 16;

/**
 * The oldest entry of the history, said as its cause, with the count: Flink lists the newest
 * first, and the newest is usually a consequence (a q20 run's newest of 8 was
 * NoResourceAvailableException; its oldest, the cause, "Heartbeat of TaskManager worker1 timed out").
 */
export function firstFailure(history: ExceptionHistory): string | undefined {
    if (history.entries.length === 0) return undefined;
    const oldest = [...history.entries].sort((a, b) => a.timestamp - b.timestamp)[0];
    const cause = flinkCause(oldest.stacktrace.split("\n"), 1) || oldest.exceptionName;
    const n = history.entries.length;
    return n === 1
        ? cause
        : `${cause} (the first of ${history.truncated ? `more than ${n}` : n} failures Flink recorded)`;
}

/**
 * How many times the job restarted, from everything Flink keeps: its numRestarts metric (which
 * read 0 through five restarts of a q20 run), the failures in its exception history (each one
 * restarts the job, or the regions it hit), and the recoveries from a checkpoint. The largest;
 * each can only undercount.
 */
export function flinkRestarts(r: { numRestarts?: number; exceptions: number; restored?: number }): number {
    return Math.max(r.numRestarts ?? 0, r.exceptions, r.restored ?? 0);
}

/** The lines of a Java exception that say what went wrong: its "Caused by"s, innermost last. */
export function flinkCause(errors: string[] | undefined, lines = 3): string {
    const all = (errors ?? []).join("\n").split("\n");
    const causes = all.filter((l) => /^(Caused by: )?[\w.$]+(Exception|Error): /.test(l.trim()));
    return (causes.length ? causes.slice(-lines) : all.filter(Boolean).slice(0, lines))
        .map((l) => l.trim().replace(/^Caused by: /, ""))
        .join(" <- ");
}

export class FlinkClient {
    constructor(
        readonly restUrl: string,
        readonly gatewayUrl: string,
        private readonly timeoutMs = 30_000,
    ) {}

    private async request<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
        const res = await fetch(`${base}${path}`, {
            method,
            headers: body === undefined ? {} : { "content-type": "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await res.text();
        const parsed = text ? (JSON.parse(text) as T & { errors?: string[] }) : ({} as T & { errors?: string[] });
        if (!res.ok)
            throw new FlinkApiError(
                res.status,
                path,
                `Flink ${method} ${path}: HTTP ${res.status}: ${flinkCause(parsed.errors)}`,
            );
        return parsed;
    }

    /** Both APIs answer: the JobManager with its TaskManagers' slots, the gateway with its version. */
    async ping(): Promise<{ slotsTotal: number; taskManagers: number; version: string }> {
        const [overview, info] = await Promise.all([
            this.request<{ "slots-total": number; taskmanagers: number; "flink-version": string }>(
                this.restUrl,
                "GET",
                "/overview",
            ),
            this.request<{ productName: string; version: string }>(this.gatewayUrl, "GET", "/v1/info"),
        ]);
        return { slotsTotal: overview["slots-total"], taskManagers: overview.taskmanagers, version: info.version };
    }

    async openSession(): Promise<string> {
        return (await this.request<{ sessionHandle: string }>(this.gatewayUrl, "POST", "/v1/sessions", {}))
            .sessionHandle;
    }

    async closeSession(session: string): Promise<void> {
        await this.request(this.gatewayUrl, "DELETE", `/v1/sessions/${session}`);
    }

    /**
     * Runs one statement in a session and returns its rows (for INSERT: the job id). A statement
     * Flink refuses throws with the exception's causes, e.g. "SqlValidatorException: No match found
     * for function signature ...".
     */
    async statement(session: string, sql: string): Promise<unknown[][]> {
        const { operationHandle } = await this.request<{ operationHandle: string }>(
            this.gatewayUrl,
            "POST",
            `/v1/sessions/${session}/statements`,
            { statement: sql },
        );
        const rows: unknown[][] = [];
        let next: string | undefined = `/v1/sessions/${session}/operations/${operationHandle}/result/0`;
        while (next) {
            let page: { resultType: string; nextResultUri?: string; results?: { data?: { fields: unknown[] }[] } };
            try {
                page = await this.request(this.gatewayUrl, "GET", next);
            } catch (err) {
                if (err instanceof FlinkApiError)
                    throw new Error(
                        flinkCause([err.message.replace(/^Flink GET \S+: HTTP \d+: /, "")], 2) || err.message,
                        { cause: err },
                    );
                throw err;
            }
            rows.push(...(page.results?.data ?? []).map((d) => d.fields));
            if (page.resultType === "EOS") break;
            if (page.resultType === "NOT_READY") await new Promise((r) => setTimeout(r, 100));
            next = page.nextResultUri;
        }
        return rows;
    }

    async jobsOverview(): Promise<{ jid: string; name: string; state: string }[]> {
        return (
            await this.request<{ jobs: { jid: string; name: string; state: string }[] }>(
                this.restUrl,
                "GET",
                "/jobs/overview",
            )
        ).jobs;
    }

    async job(jobId: string): Promise<FlinkJob> {
        return this.request<FlinkJob>(this.restUrl, "GET", `/jobs/${jobId}`);
    }

    /** Flink keeps the last `web.checkpoints.history` (10) checkpoints; callers keep what they saw. */
    async checkpoints(jobId: string): Promise<FlinkCheckpoint[]> {
        return (
            (await this.request<{ history?: FlinkCheckpoint[] }>(this.restUrl, "GET", `/jobs/${jobId}/checkpoints`))
                .history ?? []
        );
    }

    /** Job-level metrics by name (numRestarts, ...): values are strings in Flink's answer. */
    async jobMetrics(jobId: string, names: string[]): Promise<Record<string, number>> {
        const list = await this.request<{ id: string; value: string }[]>(
            this.restUrl,
            "GET",
            `/jobs/${jobId}/metrics?get=${names.join(",")}`,
        );
        return Object.fromEntries(list.map((m) => [m.id, Number(m.value)]));
    }

    /** The metric names a vertex's subtasks report (operator metrics are prefixed with the operator's name). */
    async vertexMetricNames(jobId: string, vertexId: string): Promise<string[]> {
        return (
            await this.request<{ id: string }[]>(
                this.restUrl,
                "GET",
                `/jobs/${jobId}/vertices/${vertexId}/subtasks/metrics`,
            )
        ).map((m) => m.id);
    }

    /** Metrics summed over a vertex's subtasks (`agg=sum`), as the JobManager's metric fetcher last read them. */
    async vertexMetricSums(jobId: string, vertexId: string, names: string[]): Promise<Record<string, number>> {
        if (names.length === 0) return {};
        const get = names.map(encodeURIComponent).join(",");
        const list = await this.request<{ id: string; sum: number }[]>(
            this.restUrl,
            "GET",
            `/jobs/${jobId}/vertices/${vertexId}/subtasks/metrics?get=${get}&agg=sum`,
        );
        return Object.fromEntries(list.map((m) => [m.id, m.sum]));
    }

    /**
     * The job's exception history (`GET /jobs/<id>/exceptions`), newest first as Flink lists it,
     * up to `web.exception-history-size` entries (16 by default; `truncated` when there were more).
     */
    async exceptionHistory(jobId: string): Promise<ExceptionHistory> {
        const e = await this.request<{ exceptionHistory?: { entries?: ExceptionEntry[]; truncated?: boolean } }>(
            this.restUrl,
            "GET",
            `/jobs/${jobId}/exceptions?maxExceptions=${EXCEPTION_HISTORY_MAX}`,
        );
        return { entries: e.exceptionHistory?.entries ?? [], truncated: e.exceptionHistory?.truncated ?? false };
    }

    /** The first failure Flink recorded for the job (the cause; later ones often follow from it), with how many there were. */
    async firstException(jobId: string): Promise<string | undefined> {
        return firstFailure(await this.exceptionHistory(jobId));
    }

    /** The checkpoint counts (`GET /jobs/<id>/checkpoints` counts): `restored` counts the job's recoveries from a checkpoint. */
    async checkpointCounts(
        jobId: string,
    ): Promise<{ restored: number; completed: number; failed: number } | undefined> {
        return (
            await this.request<{ counts?: { restored: number; completed: number; failed: number } }>(
                this.restUrl,
                "GET",
                `/jobs/${jobId}/checkpoints`,
            )
        ).counts;
    }

    /** Cancels a job (`PATCH /jobs/<id>?mode=cancel`); a job already gone is no error. */
    async cancel(jobId: string): Promise<void> {
        await this.request(this.restUrl, "PATCH", `/jobs/${jobId}?mode=cancel`).catch((err: unknown) => {
            if (!(err instanceof FlinkApiError && err.status === 404)) throw err;
        });
    }
}
