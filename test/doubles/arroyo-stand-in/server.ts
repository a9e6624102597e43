// A TEST DOUBLE for Arroyo's REST API (v0.15.0 shapes), for tests on machines where Arroyo itself
// cannot be built or pulled. It is not Arroyo and must never be presented as Arroyo: it runs no
// SQL (jobs copy source topics to the sink topic, see engine.ts). What it copies of Arroyo's
// behaviour (job states and run ids, metrics, offsets committed to Kafka) names the Arroyo
// v0.15.0 source file it follows.
import * as http from "http";
import { AddressInfo } from "net";
import { randomUUID } from "crypto";
import { Job, JobState, Pipeline as ApiPipeline, TERMINAL_STATES } from "../../../benchmark/arroyo/types";
import { CheckpointState, JobRun } from "./engine";
import { isKafkaTable, scanQuery } from "./sql";

// The contract's shapes are the client's: one definition of what Arroyo's API returns.
interface Pipeline extends ApiPipeline {
    udfs: unknown[];
    parallelism: number;
    job: Job;
    run?: JobRun;
    /** Offsets of the last checkpoint of any run: where a restarted job resumes. */
    checkpointed?: CheckpointState;
    scanned: ReturnType<typeof scanQuery>;
}

export interface RegisteredNode {
    hostname: string;
    taskSlots: number;
    lastSeenMs: number;
}

export interface StandInOptions {
    /** Require registered node slots before a job runs, as the node scheduler does. */
    requireNodeSlots?: boolean;
    /** How long a job stays in Scheduling once slots are available. */
    schedulingDelayMs?: number;
    /** Nodes silent this long are dropped, like Arroyo's 30 s. */
    nodeTimeoutMs?: number;
    /** The double's capacity: most records one source subtask reads per second (0: unbounded). */
    subtaskRateCap?: number;
    /** Serve the test controls over HTTP under /stand-in/control/ (for a double in its own process). */
    control?: boolean;
}

class ApiError extends Error {
    constructor(readonly status: number, message: string) {
        super(message);
    }
}

const STOPPED: readonly JobState[] = TERMINAL_STATES;

export class ArroyoStandIn {
    private readonly pipelines = new Map<string, Pipeline>();
    private readonly nodes = new Map<string, RegisteredNode>();
    /** Every job run ever started, so close() leaves no Kafka client behind. */
    private readonly runs = new Set<JobRun>();
    /** Test reference: per pipeline name, what its latest run read and when (see readBetween). */
    private readonly readLogs = new Map<string, [number, number][]>();
    private server?: http.Server;
    /** After close(), no job starts: its Kafka clients would outlive the double. */
    private closed = false;
    /** The job drivers' pending waits: close() ends them, so a long scheduling delay keeps no timer alive. */
    private readonly waits = new Set<{ timer: NodeJS.Timeout; end: () => void }>();
    private nextFailure?: string;
    private nextFailureAfterMs = 200;
    readonly options: Required<StandInOptions>;

    constructor(options: StandInOptions = {}) {
        this.options = { requireNodeSlots: false, schedulingDelayMs: 100, nodeTimeoutMs: 30_000, subtaskRateCap: 0, control: false, ...options };
    }

    /** Test control: the double's capacity from now on (records per second per source subtask; 0: unbounded). */
    setSubtaskRateCap(cap: number): void {
        this.options.subtaskRateCap = cap;
    }

    /** Test control: the pipeline's current run (its counters, checkpoints). */
    currentRun(pipelineId: string): JobRun | undefined {
        return this.pipelines.get(pipelineId)?.run;
    }

    /**
     * Test reference: records the latest run of the named pipeline read between two instants
     * (ms since the epoch), from a log the double keeps as it reads: exact to one batch, and kept
     * after the pipeline is deleted. Undefined when no run of that name read anything.
     */
    readBetween(name: string, fromMs: number, toMs: number): number | undefined {
        const log = this.readLogs.get(name);
        if (!log?.length) return undefined;
        const at = (t: number) => {
            let read = 0;
            for (const [time, n] of log) if (time <= t) read = n;
            return read;
        };
        return at(toMs) - at(fromMs);
    }

    /** Test control: pipelines by name. */
    pipelineIdByName(name: string): string | undefined {
        return [...this.pipelines.values()].find((p) => p.name === name)?.id;
    }

    /**
     * Test control: restart a running job, as a worker loss or a rescale does. Like Arroyo
     * (crates/arroyo-controller/src/states/mod.rs), Running -> Restarting -> Scheduling bumps
     * run_id, and the new run resumes from the last checkpoint's offsets with fresh metrics
     * (a new JobMetrics per scheduling, states/scheduling.rs).
     */
    async restartJob(pipelineId: string): Promise<void> {
        const p = this.pipelines.get(pipelineId);
        if (!p || p.job.state !== "Running") throw new Error(`pipeline ${pipelineId} is not running`);
        p.job.state = "Restarting";
        await p.run?.stop();
        p.checkpointed = p.run?.checkpointed;
        p.run = undefined;
        p.job.state = "Scheduling";
        p.job.run_id += 1;
        await this.startRun(p);
    }

    /** Test control: the job fails now with this message (Running -> Failing -> Failed). */
    async failJob(pipelineId: string, message: string): Promise<void> {
        const p = this.pipelines.get(pipelineId);
        if (!p) throw new Error(`no pipeline ${pipelineId}`);
        p.job.state = "Failing";
        await this.fail(p, message);
    }

    /** Test control: the next job to start fails with this message, `afterMs` after it runs. */
    failNextJob(message: string, afterMs = 200): void {
        this.nextFailure = message;
        this.nextFailureAfterMs = afterMs;
    }

    /** Test control: the nodes that registered and are still alive. */
    registeredNodes(): RegisteredNode[] {
        const now = Date.now();
        return [...this.nodes.values()].filter((n) => now - n.lastSeenMs <= this.options.nodeTimeoutMs);
    }

    freeSlots(): number {
        const used = [...this.pipelines.values()].filter((p) => p.job.state === "Running").reduce((s, p) => s + p.parallelism, 0);
        return this.registeredNodes().reduce((s, n) => s + n.taskSlots, 0) - used;
    }

    async listen(port = 0, host = "127.0.0.1"): Promise<string> {
        this.server = http.createServer((req, res) => void this.handle(req, res));
        await new Promise<void>((r) => this.server!.listen(port, host, r));
        return `http://${host}:${(this.server.address() as AddressInfo).port}/api/v1`;
    }

    async close(): Promise<void> {
        this.closed = true;
        for (const w of this.waits) {
            clearTimeout(w.timer);
            w.end();
        }
        this.waits.clear();
        await Promise.all([...this.runs].map((e) => e.stop()));
        await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
    }

    /** A second listener for node registrations (where the controller's gRPC port would be). */
    async listenForNodes(port: number, host = "0.0.0.0"): Promise<http.Server> {
        const server = http.createServer((req, res) => void this.handleNode(req, res));
        await new Promise<void>((r) => server.listen(port, host, r));
        return server;
    }

    private async handleNode(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        try {
            if (req.method === "POST" && req.url === "/stand-in/nodes") {
                const body = (await readJson(req)) as { hostname?: string; task_slots?: number };
                if (!body.hostname || !body.task_slots) throw new ApiError(400, "hostname and task_slots are required");
                this.nodes.set(body.hostname, { hostname: body.hostname, taskSlots: body.task_slots, lastSeenMs: Date.now() });
                return send(res, 200, { ok: true });
            }
            if (req.method === "GET" && req.url === "/stand-in/nodes") return send(res, 200, { data: this.registeredNodes() });
            throw new ApiError(404, "not found");
        } catch (err) {
            sendError(res, err);
        }
    }

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        try {
            const url = new URL(req.url ?? "/", "http://stand-in");
            const path = url.pathname.replace(/^\/api\/v1/, "");
            const parts = path.split("/").filter(Boolean);
            const method = req.method ?? "GET";

            if (method === "GET" && path === "/ping") return send(res, 200, "Pong");
            if (method === "GET" && path === "/stand-in/nodes") return send(res, 200, { data: this.registeredNodes() });
            if (this.options.control && parts[0] === "stand-in" && parts[1] === "control") return send(res, 200, await this.control(method, parts[2], url.searchParams, req));
            if (method === "POST" && path === "/pipelines/validate_query") {
                const { query } = (await readJson(req)) as { query?: string };
                const scanned = scanQuery(query ?? "");
                return send(res, 200, { graph: scanned.errors.length ? null : this.graphOf(scanned, 1), errors: scanned.errors });
            }
            if (parts[0] !== "pipelines") throw new ApiError(404, `No route for ${method} ${path}`);

            if (parts.length === 1 && method === "POST") return send(res, 200, this.view(await this.create((await readJson(req)) as Record<string, unknown>)));
            if (parts.length === 1 && method === "GET") {
                const limit = Number(url.searchParams.get("limit") ?? 10);
                const after = url.searchParams.get("starting_after");
                const all = [...this.pipelines.values()].sort((a, b) => a.created_at - b.created_at);
                const start = after ? all.findIndex((p) => p.id === after) + 1 : 0;
                const page = all.slice(start, start + limit);
                return send(res, 200, { data: page.map((p) => this.view(p)), hasMore: start + limit < all.length });
            }

            const pipeline = this.pipelines.get(parts[1]);
            if (!pipeline) throw new ApiError(404, `Pipeline ${parts[1]} not found`);
            if (parts.length === 2 && method === "GET") return send(res, 200, this.view(pipeline));
            if (parts.length === 2 && method === "PATCH") {
                const body = (await readJson(req)) as { stop?: Pipeline["stop"]; parallelism?: number };
                if (body.stop) await this.setStop(pipeline, body.stop);
                if (body.parallelism) pipeline.parallelism = body.parallelism;
                return send(res, 200, this.view(pipeline));
            }
            if (parts.length === 2 && method === "DELETE") {
                if (!STOPPED.includes(pipeline.job.state)) {
                    throw new ApiError(400, "Pipeline's jobs must be in a terminal state (stopped, finished, or failed) before it can be deleted");
                }
                this.pipelines.delete(pipeline.id);
                return send(res, 200, {});
            }
            if (parts.length === 3 && parts[2] === "jobs" && method === "GET") return send(res, 200, { data: [this.jobView(pipeline.job)] });
            if (parts.length === 5 && parts[2] === "jobs" && parts[3] === pipeline.job.id && parts[4] === "operator_metric_groups") {
                return send(res, 200, { data: this.metrics(pipeline) });
            }
            throw new ApiError(404, `No route for ${method} ${path}`);
        } catch (err) {
            sendError(res, err);
        }
    }

    /** The test controls over HTTP, for StandInProcess (test/helpers/standInProcess.ts). */
    private async control(method: string, what: string | undefined, query: URLSearchParams, req: http.IncomingMessage): Promise<unknown> {
        const body = method === "POST" ? ((await readJson(req)) as Record<string, unknown>) : {};
        if (method === "GET" && what === "read") {
            return { read: this.readBetween(query.get("name") ?? "", Number(query.get("from")), Number(query.get("to"))) ?? null };
        }
        const named = () => {
            const id = this.pipelineIdByName(String(body.name));
            if (!id) throw new ApiError(404, `no pipeline named ${String(body.name)}`);
            return id;
        };
        if (method === "POST" && what === "cap") this.setSubtaskRateCap(Number(body.cap));
        else if (method === "POST" && what === "fail") await this.failJob(named(), String(body.message));
        else if (method === "POST" && what === "restart") await this.restartJob(named());
        else throw new ApiError(404, `no test control ${method} ${what ?? ""}`);
        return {};
    }

    private graphOf(scanned: ReturnType<typeof scanQuery>, parallelism: number): Pipeline["graph"] {
        const sources = scanned.tables.filter((t) => t.type === "source" && scanned.referenced.includes(t.name));
        const nodes = sources.map((s, i) => ({ node_id: i + 1, operator: `source_${i + 1}`, description: `kafka source: ${s.name}`, parallelism }));
        // crates/arroyo-connectors/src/nexmark/mod.rs describes the source as Nexmark<rate eps>.
        if (scanned.nexmark) nodes.push({ node_id: nodes.length + 1, operator: `source_${nodes.length + 1}`, description: `Nexmark<${scanned.nexmark.eventRate} eps>`, parallelism });
        const edges: Pipeline["graph"]["edges"] = [];
        if (scanned.sink) {
            const sinkId = nodes.length + 1;
            for (const n of nodes) edges.push({ src_id: n.node_id, dest_id: sinkId, key_type: "()", value_type: "Record", edge_type: "Forward" });
            const table = scanned.tables.find((t) => t.name === scanned.sink);
            // crates/arroyo-connectors/src/filesystem/mod.rs describes its sink as FileSystemSink<format, path>.
            const description = table && !isKafkaTable(table) ? `FileSystemSink<${table.format}, ${table.path}>` : `kafka sink: ${scanned.sink}`;
            nodes.push({ node_id: sinkId, operator: "sink", description, parallelism });
        }
        return { nodes, edges };
    }

    private async create(body: Record<string, unknown>): Promise<Pipeline> {
        const { name, query, parallelism, checkpoint_interval_micros } = body as { name?: string; query?: string; parallelism?: number; checkpoint_interval_micros?: number };
        if (!name) throw new ApiError(400, "Pipeline name must be set");
        if (!parallelism || parallelism < 1) throw new ApiError(400, "parallelism must be at least 1");
        const scanned = scanQuery(query ?? "");
        if (scanned.errors.length) throw new ApiError(400, scanned.errors[0]);
        const now = Date.now() * 1000;
        const pipeline: Pipeline = {
            id: `pl_${randomUUID().slice(0, 10)}`,
            name,
            query: query ?? "",
            udfs: [],
            checkpoint_interval_micros: checkpoint_interval_micros ?? 10_000_000,
            stop: "none",
            created_at: now,
            action: "stop",
            action_text: "Stop",
            action_in_progress: false,
            graph: this.graphOf(scanned, parallelism),
            preview: false,
            parallelism,
            // run_id is 0 until the first Compiling -> Scheduling (states/mod.rs).
            job: { id: `job_${randomUUID().slice(0, 10)}`, running_desired: true, state: "Created", run_id: 0, start_time: null, finish_time: null, tasks: null, failure_message: null, created_at: now },
            scanned,
        };
        this.pipelines.set(pipeline.id, pipeline);
        void this.drive(pipeline);
        return pipeline;
    }

    /** Moves a new job through Compiling and Scheduling (run_id 0 -> 1) to Running (or Failed). */
    private async drive(p: Pipeline): Promise<void> {
        const pause = (ms: number) =>
            new Promise<void>((end) => {
                if (this.closed) return end();
                const w = { timer: setTimeout(() => (this.waits.delete(w), end()), ms), end };
                this.waits.add(w);
            });
        await pause(20);
        p.job.state = "Compiling";
        await pause(20);
        p.job.state = "Scheduling";
        p.job.run_id += 1;
        while (this.options.requireNodeSlots && this.freeSlots() < p.parallelism) {
            if (this.closed || p.stop !== "none") return;
            await pause(200);
        }
        await pause(this.options.schedulingDelayMs);
        if (this.closed || p.stop !== "none" || p.job.state !== "Scheduling") return;
        await this.startRun(p);
        const failure = this.nextFailure;
        if (failure && (p.job.state as JobState) === "Running") {
            this.nextFailure = undefined;
            await pause(this.nextFailureAfterMs);
            p.job.state = "Failing";
            await this.fail(p, failure);
        }
    }

    /** Scheduling -> Running: a new run of the job reading its sources from where it should. */
    private async startRun(p: Pipeline): Promise<void> {
        if (this.closed) return;
        const { scanned } = p;
        const sourceTables = scanned.tables.filter(isKafkaTable).filter((t) => t.type === "source" && scanned.referenced.includes(t.name));
        const sinkTable = scanned.tables.find((t) => t.name === scanned.sink);
        const sinkNode = p.graph.nodes.find((n) => n.operator === "sink");
        const readLog: [number, number][] = [];
        this.readLogs.set(p.name, readLog);
        try {
            const run = new JobRun({
                readLog,
                jobId: p.job.id,
                sources: sourceTables.map((table, i) => ({ table, nodeId: p.graph.nodes[i].node_id, operatorId: p.graph.nodes[i].operator })),
                ...(scanned.nexmark ? { nexmark: { table: scanned.nexmark, nodeId: p.graph.nodes[sourceTables.length].node_id } } : {}),
                ...(sinkTable && sinkNode ? { sink: { table: sinkTable, nodeId: sinkNode.node_id } } : {}),
                parallelism: p.parallelism,
                checkpointIntervalMs: p.checkpoint_interval_micros / 1000,
                ...(this.options.subtaskRateCap > 0 ? { subtaskRateCap: this.options.subtaskRateCap } : {}),
                ...(p.checkpointed ? { restored: p.checkpointed } : {}),
            });
            p.run = run;
            this.runs.add(run);
            await run.start();
            if (p.stop !== "none") return void (await run.stop());
            p.job.state = "Running";
            // start_time is set on the first start only, not on a recovery (states/mod.rs).
            p.job.start_time ??= Date.now() * 1000;
            p.job.tasks = p.graph.nodes.length * p.parallelism;
        } catch (err) {
            return this.fail(p, `failed to start job: ${(err as Error).message}`);
        }
    }

    private async fail(p: Pipeline, message: string): Promise<void> {
        await p.run?.stop();
        p.job.state = "Failed";
        p.job.failure_message = message;
        p.job.running_desired = false;
        p.job.finish_time = Date.now() * 1000;
    }

    private async setStop(p: Pipeline, mode: Pipeline["stop"]): Promise<void> {
        p.stop = mode;
        if (mode === "none" || STOPPED.includes(p.job.state)) return;
        p.job.running_desired = false;
        p.job.state = "Stopping";
        const run = p.run;
        setTimeout(async () => {
            await run?.stop();
            p.job.state = "Stopped";
            p.job.finish_time = Date.now() * 1000;
        }, 100);
    }

    private view(p: Pipeline): Omit<Pipeline, "job" | "run" | "parallelism" | "checkpointed" | "scanned"> {
        const { job: _job, run: _run, parallelism: _parallelism, checkpointed: _c, scanned: _s, ...rest } = p;
        return { ...rest, action_in_progress: p.job.state === "Stopping" };
    }

    private jobView(j: Job): Job {
        return { ...j };
    }

    // The controller answers NotFound for a job without a running controller, which the API
    // turns into an empty list (crates/arroyo-api/src/metrics.rs).
    private metrics(p: Pipeline) {
        return p.run && p.job.state === "Running" ? p.run.metrics.groups() : [];
    }
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    try {
        return text ? JSON.parse(text) : {};
    } catch {
        throw new ApiError(400, "Failed to parse the request body as JSON");
    }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, { "content-type": typeof body === "string" ? "text/plain" : "application/json" }).end(text);
}

function sendError(res: http.ServerResponse, err: unknown): void {
    if (err instanceof ApiError) send(res, err.status, { error: err.message });
    else send(res, 500, { error: (err as Error).message });
}
