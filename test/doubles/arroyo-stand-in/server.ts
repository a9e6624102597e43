// A TEST DOUBLE for Arroyo's REST API (v0.15.0 shapes), for tests on machines where Arroyo itself
// cannot be built or pulled. It is not Arroyo and must never be presented as Arroyo: it runs no
// SQL (jobs copy source topics to the sink topic, see engine.ts). What it copies of Arroyo's
// behaviour (job states and run ids, metrics, offsets committed to Kafka) names the Arroyo
// v0.15.0 source file it follows.
import * as http from "http";
import { AddressInfo } from "net";
import { randomUUID } from "crypto";
import {
    Checkpoint,
    Job,
    JobLogMessage,
    JobState,
    Pipeline as ApiPipeline,
    TERMINAL_STATES,
} from "../../../benchmark/engines/arroyo/types";
import { CheckpointLog, JobRun } from "./engine";
import { isKafkaTable, scanQuery } from "./sql";
import { declaredColumns } from "./windowQuery";

// The contract's shapes are the client's: one definition of what Arroyo's API returns.
interface Pipeline extends ApiPipeline {
    udfs: unknown[];
    parallelism: number;
    job: Job;
    run?: JobRun;
    /** The job's checkpoints across its runs (epochs go on after a restore; the last completed one is where a new run resumes). */
    checkpoints: CheckpointLog;
    /** The errors the job's operators reported, oldest first (served newest first). */
    errors: JobLogMessage[];
    /** Transitions to Recovering since the job last ran healthy (states/mod.rs ctx.status.restarts). */
    restarts: number;
    runningSince?: number;
    /** Test control: every run of this job fails this long after it starts running (a persistent error). */
    crashLoop?: { message: string; afterMs: number };
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
    /** How long each checkpoint takes from start to completion (Arroyo: writing the state; on a Pi to MinIO, seconds). */
    checkpointDurationMs?: number;
    /** pipeline.allowed-restarts (crates/arroyo-rpc/default.toml: 20). */
    allowedRestarts?: number;
    /** pipeline.healthy-duration (default.toml: 2 min): running this long resets the restart count. */
    healthyDurationMs?: number;
    /** Serve the test controls over HTTP under /stand-in/control/ (for a double in its own process). */
    control?: boolean;
}

class ApiError extends Error {
    constructor(
        readonly status: number,
        message: string,
    ) {
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
    readonly options: Required<StandInOptions>;

    constructor(options: StandInOptions = {}) {
        this.options = {
            requireNodeSlots: false,
            schedulingDelayMs: 100,
            nodeTimeoutMs: 30_000,
            subtaskRateCap: 0,
            checkpointDurationMs: 50,
            allowedRestarts: 20,
            healthyDurationMs: 120_000,
            control: false,
            ...options,
        };
    }

    /** Test control: how long each checkpoint takes from the next one on. */
    setCheckpointDuration(ms: number): void {
        this.options.checkpointDurationMs = ms;
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
     * Test control: a worker of the running job is lost. Like Arroyo, the controller's loop bails
     * ("worker failed", job_controller/mod.rs progress) and the job recovers (see recover()).
     */
    async restartJob(pipelineId: string): Promise<void> {
        const p = this.pipelines.get(pipelineId);
        if (!p || p.job.state !== "Running") throw new Error(`pipeline ${pipelineId} is not running`);
        await this.recover(p, undefined);
    }

    /**
     * Test control: an operator of the running job fails with this message, once, or (`persistent`)
     * in every run `afterMs` after it starts running, as a bad record or a bug does: the job then
     * restarts until it has restarted too many times.
     */
    async failJob(pipelineId: string, message: string, persistent = false, afterMs = 200): Promise<void> {
        const p = this.pipelines.get(pipelineId);
        if (!p || p.job.state !== "Running") throw new Error(`pipeline ${pipelineId} is not running`);
        if (persistent) p.crashLoop = { message, afterMs };
        await this.recover(p, message);
    }

    /**
     * A runtime error of a running job (states/running.rs): with `allowed-restarts` restarts used
     * it is Failed, "Job has restarted too many times" (the cause stays in the job's errors);
     * otherwise Running -> Recovering (restarts + 1) -> Compiling -> Scheduling (run_id + 1,
     * states/mod.rs) -> Running, the new run resuming from the last completed checkpoint
     * (recovering.rs stops the workers; scheduling.rs restores) with fresh metrics (a new
     * JobMetrics per scheduling).
     */
    private async recover(p: Pipeline, message: string | undefined): Promise<void> {
        if (message)
            p.errors.push({
                id: `jlm_${randomUUID().slice(0, 10)}`,
                created_at: Date.now() * 1000,
                operator_id: p.graph.nodes[0]?.operator ?? null,
                task_index: 0,
                level: "error",
                message,
                details: message,
            });
        if (p.restarts >= this.options.allowedRestarts) return this.fail(p, "Job has restarted too many times");
        p.restarts += 1;
        p.job.state = "Recovering";
        p.runningSince = undefined;
        await p.run?.stop();
        p.run = undefined;
        await this.compileAndRun(p, "Recovering");
    }

    /**
     * From Created or Recovering to Running, as a new job and a recovering one both go
     * (states/mod.rs): Compiling, then Scheduling with run_id + 1, waiting for node slots where the
     * node scheduler needs them, then a new run. A stop or close() meanwhile ends it where it is.
     */
    private async compileAndRun(p: Pipeline, from: JobState): Promise<void> {
        const still = (state: JobState) => !this.closed && p.stop === "none" && p.job.state === state;
        await this.pause(20);
        if (!still(from)) return;
        p.job.state = "Compiling";
        await this.pause(20);
        if (!still("Compiling")) return;
        p.job.state = "Scheduling";
        p.job.run_id += 1;
        while (this.options.requireNodeSlots && this.freeSlots() < p.parallelism) {
            if (!still("Scheduling")) return;
            await this.pause(200);
        }
        await this.pause(this.options.schedulingDelayMs);
        if (!still("Scheduling")) return;
        await this.startRun(p);
    }

    /** A wait close() ends, so a long delay keeps no timer alive. */
    private pause(ms: number): Promise<void> {
        return new Promise<void>((end) => {
            if (this.closed) return end();
            const w = { timer: setTimeout(() => (this.waits.delete(w), end()), ms), end };
            this.waits.add(w);
        });
    }

    /** Test control: the nodes that registered and are still alive. */
    registeredNodes(): RegisteredNode[] {
        const now = Date.now();
        return [...this.nodes.values()].filter((n) => now - n.lastSeenMs <= this.options.nodeTimeoutMs);
    }

    freeSlots(): number {
        const used = [...this.pipelines.values()]
            .filter((p) => p.job.state === "Running")
            .reduce((s, p) => s + p.parallelism, 0);
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
                this.nodes.set(body.hostname, {
                    hostname: body.hostname,
                    taskSlots: body.task_slots,
                    lastSeenMs: Date.now(),
                });
                return send(res, 200, { ok: true });
            }
            if (req.method === "GET" && req.url === "/stand-in/nodes")
                return send(res, 200, { data: this.registeredNodes() });
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

            // rest.rs ping: Json("Pong"), a JSON string.
            if (method === "GET" && path === "/ping") return send(res, 200, JSON.stringify("Pong"), "application/json");
            if (method === "GET" && path === "/stand-in/nodes") return send(res, 200, { data: this.registeredNodes() });
            if (this.options.control && parts[0] === "stand-in" && parts[1] === "control")
                return send(res, 200, await this.control(method, parts[2], url.searchParams, req));
            if (method === "POST" && path === "/pipelines/validate_query") {
                const { query } = (await readJson(req)) as { query?: string };
                const scanned = scanQuery(query ?? "");
                return send(res, 200, {
                    graph: scanned.errors.length ? null : this.graphOf(scanned, 1),
                    errors: scanned.errors,
                });
            }
            if (parts[0] !== "pipelines") throw new ApiError(404, `No route for ${method} ${path}`);

            if (parts.length === 1 && method === "POST")
                return send(res, 200, this.view(await this.create((await readJson(req)) as Record<string, unknown>)));
            if (parts.length === 1 && method === "GET") {
                const limit = Number(url.searchParams.get("limit") ?? 10);
                const after = url.searchParams.get("starting_after");
                // api_queries.sql get_pipelines: ORDER BY created_at DESC, paged by starting_after.
                const all = [...this.pipelines.values()].sort((a, b) => b.created_at - a.created_at);
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
                    throw new ApiError(
                        400,
                        "Pipeline's jobs must be in a terminal state (stopped, finished, or failed) before it can be deleted",
                    );
                }
                this.pipelines.delete(pipeline.id);
                return send(res, 200, {});
            }
            if (parts.length === 3 && parts[2] === "jobs" && method === "GET")
                return send(res, 200, { data: [this.jobView(pipeline.job)] });
            if (
                parts.length === 5 &&
                parts[2] === "jobs" &&
                parts[3] === pipeline.job.id &&
                parts[4] === "operator_metric_groups"
            ) {
                return send(res, 200, { data: this.metrics(pipeline) });
            }
            if (
                parts.length === 5 &&
                parts[2] === "jobs" &&
                parts[3] === pipeline.job.id &&
                parts[4] === "checkpoints"
            ) {
                return send(res, 200, { data: this.checkpointList(pipeline) });
            }
            if (parts.length === 5 && parts[2] === "jobs" && parts[3] === pipeline.job.id && parts[4] === "errors") {
                // api_queries.sql get_operator_errors: errors only, newest first, paged by starting_after.
                const limit = Number(url.searchParams.get("limit") ?? 10);
                const after = url.searchParams.get("starting_after");
                const all = [...pipeline.errors].reverse();
                const start = after ? all.findIndex((e) => e.id === after) + 1 : 0;
                return send(res, 200, { data: all.slice(start, start + limit), hasMore: start + limit < all.length });
            }
            throw new ApiError(404, `No route for ${method} ${path}`);
        } catch (err) {
            sendError(res, err);
        }
    }

    /** The test controls over HTTP, for StandInProcess (test/helpers/standInProcess.ts). */
    private async control(
        method: string,
        what: string | undefined,
        query: URLSearchParams,
        req: http.IncomingMessage,
    ): Promise<unknown> {
        const body = method === "POST" ? ((await readJson(req)) as Record<string, unknown>) : {};
        if (method === "GET" && what === "read") {
            return {
                read:
                    this.readBetween(query.get("name") ?? "", Number(query.get("from")), Number(query.get("to"))) ??
                    null,
            };
        }
        const named = () => {
            const id = this.pipelineIdByName(String(body.name));
            if (!id) throw new ApiError(404, `no pipeline named ${String(body.name)}`);
            return id;
        };
        if (method === "POST" && what === "cap") this.setSubtaskRateCap(Number(body.cap));
        else if (method === "POST" && what === "fail")
            await this.failJob(named(), String(body.message), body.persistent === true);
        else if (method === "POST" && what === "checkpoint-duration") this.setCheckpointDuration(Number(body.ms));
        else if (method === "POST" && what === "restart") await this.restartJob(named());
        else throw new ApiError(404, `no test control ${method} ${what ?? ""}`);
        return {};
    }

    /**
     * The pipeline's graph as the API serves it (crates/arroyo-datastream/src/logical.rs, TryFrom
     * for PipelineGraph): a connector node's `operator` is its connector's name ("kafka",
     * "nexmark", "filesystem"), a chain of several operators is "chained_op". Sources and sinks
     * are nodes of their own (crates/arroyo-datastream/src/optimizers.rs never chains them);
     * between them the double shows one chained node standing for the query's operators.
     */
    private graphOf(scanned: ReturnType<typeof scanQuery>, parallelism: number): Pipeline["graph"] {
        const sources = scanned.tables.filter((t) => t.type === "source" && scanned.referenced.includes(t.name));
        const nodes: Pipeline["graph"]["nodes"] = sources.map((s, i) => ({
            node_id: i + 1,
            operator: "kafka",
            description: `KafkaSource<${isKafkaTable(s) ? s.topic : s.name}>`,
            parallelism,
        }));
        // crates/arroyo-connectors/src/nexmark/mod.rs describes the source as Nexmark<rate eps>.
        if (scanned.nexmark)
            nodes.push({
                node_id: nodes.length + 1,
                operator: "nexmark",
                description: `Nexmark<${scanned.nexmark.eventRate} eps>`,
                parallelism,
            });
        const edges: Pipeline["graph"]["edges"] = [];
        if (scanned.sink) {
            const middleId = nodes.length + 1;
            for (const n of [...nodes])
                edges.push({
                    src_id: n.node_id,
                    dest_id: middleId,
                    key_type: "()",
                    value_type: "Record",
                    edge_type: "Forward",
                });
            nodes.push({
                node_id: middleId,
                operator: "chained_op",
                description: scanned.window ? `${scanned.window.kind} window` : "value",
                parallelism,
            });
            const sinkId = middleId + 1;
            edges.push({
                src_id: middleId,
                dest_id: sinkId,
                key_type: "()",
                value_type: "Record",
                edge_type: "Forward",
            });
            const table = scanned.tables.find((t) => t.name === scanned.sink);
            // crates/arroyo-connectors/src/filesystem/mod.rs describes its sink as FileSystemSink<format, path>.
            const description =
                table && !isKafkaTable(table)
                    ? `FileSystemSink<${table.format}, ${table.path}>`
                    : `KafkaSink<${table && isKafkaTable(table) ? table.topic : scanned.sink}>`;
            nodes.push({
                node_id: sinkId,
                operator: table && !isKafkaTable(table) ? "filesystem" : "kafka",
                description,
                parallelism,
            });
        }
        return { nodes, edges };
    }

    private async create(body: Record<string, unknown>): Promise<Pipeline> {
        const { name, query, parallelism, checkpoint_interval_micros } = body as {
            name?: string;
            query?: string;
            parallelism?: number;
            checkpoint_interval_micros?: number;
        };
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
            job: {
                id: `job_${randomUUID().slice(0, 10)}`,
                running_desired: true,
                state: "Created",
                run_id: 0,
                start_time: null,
                finish_time: null,
                tasks: null,
                failure_message: null,
                created_at: now,
            },
            checkpoints: { epoch: 0, minEpoch: 1, records: [] },
            errors: [],
            restarts: 0,
            scanned,
        };
        this.pipelines.set(pipeline.id, pipeline);
        void this.drive(pipeline);
        return pipeline;
    }

    /** Moves a new job through Compiling and Scheduling (run_id 0 -> 1) to Running (or Failed). */
    private drive(p: Pipeline): Promise<void> {
        return this.compileAndRun(p, "Created");
    }

    /** Scheduling -> Running: a new run of the job reading its sources from where it should. */
    private async startRun(p: Pipeline): Promise<void> {
        if (this.closed) return;
        const { scanned } = p;
        const sourceTables = scanned.tables
            .filter(isKafkaTable)
            .filter((t) => t.type === "source" && scanned.referenced.includes(t.name));
        const sinkTable = scanned.tables.find((t) => t.name === scanned.sink);
        // graphOf puts the sink last.
        const sinkNode = scanned.sink ? p.graph.nodes[p.graph.nodes.length - 1] : undefined;
        const middleNode = p.graph.nodes.find((n) => n.operator === "chained_op");
        const readLog: [number, number][] = [];
        this.readLogs.set(p.name, readLog);
        const declared = declaredColumns(p.query);
        try {
            const run = new JobRun({
                readLog,
                jobId: p.job.id,
                sources: sourceTables.map((table, i) => ({
                    table,
                    nodeId: p.graph.nodes[i].node_id,
                    operatorId: `source_${p.graph.nodes[i].node_id}`,
                })),
                ...(scanned.nexmark
                    ? { nexmark: { table: scanned.nexmark, nodeId: p.graph.nodes[sourceTables.length].node_id } }
                    : {}),
                ...(sinkTable && sinkNode ? { sink: { table: sinkTable, nodeId: sinkNode.node_id } } : {}),
                ...(middleNode ? { middleNodeId: middleNode.node_id } : {}),
                ...(scanned.window
                    ? {
                          window: {
                              spec: scanned.window,
                              sql: p.query,
                              tables: scanned.referenced.filter((t) => declared.has(t) && t !== scanned.sink),
                          },
                      }
                    : {}),
                parallelism: p.parallelism,
                checkpointIntervalMs: p.checkpoint_interval_micros / 1000,
                checkpointDurationMs: this.options.checkpointDurationMs,
                checkpoints: p.checkpoints,
                ...(this.options.subtaskRateCap > 0 ? { subtaskRateCap: this.options.subtaskRateCap } : {}),
            });
            p.run = run;
            this.runs.add(run);
            await run.start();
            if (p.stop !== "none") return void (await run.stop());
            p.job.state = "Running";
            p.runningSince = Date.now();
            // start_time is set on the first start only, not on a recovery (states/mod.rs).
            p.job.start_time ??= Date.now() * 1000;
            p.job.tasks = p.graph.nodes.length * p.parallelism;
        } catch (err) {
            return this.fail(p, `failed to start job: ${(err as Error).message}`);
        }
        void this.watchRunning(p, p.run);
    }

    /**
     * While a run is Running: after healthy-duration the restart count goes back to 0
     * (states/running.rs); a crash-looping job fails again after its delay.
     */
    private async watchRunning(p: Pipeline, run: JobRun | undefined): Promise<void> {
        const crash = p.crashLoop;
        if (crash) {
            await this.pause(crash.afterMs);
            if (!this.closed && p.run === run && p.job.state === "Running" && p.stop === "none")
                await this.recover(p, crash.message);
            return;
        }
        while (!this.closed && p.run === run && p.job.state === "Running") {
            await this.pause(Math.min(1_000, this.options.healthyDurationMs));
            if (
                p.restarts > 0 &&
                p.runningSince !== undefined &&
                Date.now() - p.runningSince > this.options.healthyDurationMs
            )
                p.restarts = 0;
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

    private view(
        p: Pipeline,
    ): Omit<
        Pipeline,
        "job" | "run" | "parallelism" | "checkpoints" | "errors" | "restarts" | "runningSince" | "crashLoop" | "scanned"
    > {
        const {
            job: _job,
            run: _run,
            parallelism: _parallelism,
            checkpoints: _c,
            errors: _e,
            restarts: _r,
            runningSince: _rs,
            crashLoop: _cl,
            scanned: _s,
            ...rest
        } = p;
        return { ...rest, action_in_progress: p.job.state === "Stopping" };
    }

    private jobView(j: Job): Job {
        return { ...j };
    }

    /** The last run's metrics, kept after the job stops (DESIGN §4: a stopped job keeps serving its last run's metrics). */
    private metrics(p: Pipeline) {
        return p.run ? p.run.metrics.groups() : [];
    }

    /** api_queries.sql get_job_checkpoints: not failed, not compacted, by epoch; times in µs (checkpoints.rs). */
    private checkpointList(p: Pipeline): Checkpoint[] {
        return p.checkpoints.records
            .filter((c) => !c.compacted)
            .map((c) => ({
                epoch: c.epoch,
                backend: "parquet",
                start_time: Math.round(c.startMs * 1000),
                finish_time: c.finishMs === null ? null : Math.round(c.finishMs * 1000),
                events: [],
            }));
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

function send(res: http.ServerResponse, status: number, body: unknown, contentType?: string): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
        "content-type": contentType ?? (typeof body === "string" ? "text/plain" : "application/json"),
    }).end(text);
}

function sendError(res: http.ServerResponse, err: unknown): void {
    if (err instanceof ApiError) send(res, err.status, { error: err.message });
    else send(res, 500, { error: (err as Error).message });
}
