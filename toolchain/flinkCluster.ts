// Starts a real Apache Flink session cluster (JobManager, TaskManagers, SQL Gateway) from the
// toolchain's Maven jars, on loopback ports chosen by the OS, in a temporary directory. For tests
// and benchmarks only. flink-dist is not served by Maven Central, so its scripts are not there
// either: what `taskmanager.sh` computes (the TaskManager's JVM sizes and its memory and CPU
// settings) is asked of Flink's own BashJavaUtils, as the script does.
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { httpAnswers, waitFor } from "../probes/waitFor";
import { freePort } from "./net";
import { flinkHome } from "./paths";
import { FlinkSettingsOptions, VERSIONS } from "../config/defaults";
import { FLINK_GATEWAY_JVM_OPTS, flinkClusterSettings, flinkSessionSettings } from "../components/flink/settings";

/** The toolchain's classpath, or a clear error saying how to get it. */
export function flinkClasspath(): string {
    const home = flinkHome();
    if (!fs.existsSync(path.join(home, ".complete")))
        throw new Error(`Flink ${VERSIONS.flink} jars are not in ${home}: run 'toolchain/run.sh flink' first`);
    return `${path.join(home, "lib")}/*`;
}

export interface RunningFlink {
    /** JobManager REST, e.g. http://127.0.0.1:41234 (its /jobs, /overview, ...). */
    restUrl: string;
    /** SQL Gateway REST, e.g. http://127.0.0.1:41235 (its /v1/sessions, ...). */
    gatewayUrl: string;
    /** The processes' logs, for failure messages. */
    logs(): string;
    /** Every line of every process's log that matches, prefixed with the process's name. */
    logLines(pattern: RegExp): string[];
    /** Each TaskManager's resource id (Flink's REST names TaskManagers by it), in start order. */
    taskManagerIds: string[];
    /** Kills a TaskManager's process at once (SIGKILL), as a lost worker; resolves when it has exited. */
    killTaskManager(resourceId: string): Promise<void>;
    stop(): Promise<void>;
}

export interface FlinkOptions {
    taskManagers?: number;
    slotsPerTaskManager?: number;
    /** Each TaskManager's process memory, MB (Flink derives heap, managed and network memory from it). */
    taskManagerMb?: number;
    /** The deployment's profile (components/flink/settings.ts); `pi` by default, as a stack's. */
    settings?: FlinkSettingsOptions;
}

const yaml = (o: Record<string, string | number>) =>
    Object.entries(o)
        .map(([k, v]) => `${k}: ${typeof v === "string" ? JSON.stringify(v) : v}`)
        .join("\n") + "\n";

/**
 * Flink 2.x's config.yaml (flat keys are accepted): every address and port on loopback, and the
 * settings a deployed cluster runs with (components/flink/settings.ts), but for the heartbeat.
 */
function writeFlinkConfig(
    dir: string,
    ports: { rpc: number; rest: number; gateway: number; blob: number },
    opts: FlinkOptions,
): void {
    fs.writeFileSync(
        path.join(dir, "config.yaml"),
        yaml({
            ...flinkClusterSettings(opts.settings ?? { profile: "pi", prometheusReporter: false }),
            // The sessions' defaults; the benchmark sets its own interval in each session too.
            ...flinkSessionSettings({
                ...(opts.settings ?? { profile: "pi", prometheusReporter: false }),
                checkpointIntervalSeconds: 10,
            }),
            "execution.checkpointing.dir": `file://${path.join(dir, "checkpoints")}`,
            "execution.checkpointing.savepoint-dir": `file://${path.join(dir, "savepoints")}`,
            "jobmanager.rpc.address": "127.0.0.1",
            "jobmanager.rpc.port": ports.rpc,
            "jobmanager.bind-host": "127.0.0.1",
            "jobmanager.memory.process.size": "768m",
            "blob.server.port": ports.blob,
            "rest.address": "127.0.0.1",
            "rest.bind-address": "127.0.0.1",
            "rest.port": ports.rest,
            "taskmanager.host": "127.0.0.1",
            "taskmanager.bind-host": "127.0.0.1",
            "taskmanager.numberOfTaskSlots": opts.slotsPerTaskManager ?? 2,
            "taskmanager.memory.process.size": `${opts.taskManagerMb ?? 1024}m`,
            "execution.target": "remote",
            // The benchmark reads counters through the JobManager, which serves what it fetched at most
            // this long ago (default 10 s): on windows of seconds, the age must be a small part of them.
            "metrics.fetcher.update-interval": 250,
            // A killed TaskManager is noticed within seconds, sooner than on the Pis (3 s / 15 s), so
            // that a test's short window sees it.
            "heartbeat.interval": 1000,
            "heartbeat.timeout": 5000,
            "sql-gateway.endpoint.rest.address": "127.0.0.1",
            "sql-gateway.endpoint.rest.bind-address": "127.0.0.1",
            "sql-gateway.endpoint.rest.port": ports.gateway,
        }),
    );
}

/** What taskmanager.sh asks BashJavaUtils: a TaskManager's JVM sizes (line 1) and dynamic properties (line 2). */
async function taskManagerLaunch(classpath: string, dir: string): Promise<{ jvm: string[]; dynamic: string[] }> {
    const { stdout } = await promisify(execFile)("java", [
        "-cp",
        classpath,
        "org.apache.flink.runtime.util.bash.BashJavaUtils",
        "GET_TM_RESOURCE_PARAMS",
        "--configDir",
        dir,
    ]);
    const [jvm, dynamic] = stdout
        .split("\n")
        .filter((l) => l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
        .map((l) => l.slice("BASH_JAVA_UTILS_EXEC_RESULT:".length).trim().split(/\s+/));
    if (!jvm || !dynamic)
        throw new Error(`Flink's BashJavaUtils did not say how to size a TaskManager:\n${stdout.slice(-2_000)}`);
    return { jvm, dynamic };
}

/** The cluster's JVMs: each started with its log file in `dir`, all stopped together. */
class FlinkProcesses {
    readonly children: ChildProcess[] = [];
    readonly logFiles: string[] = [];
    private readonly log4j = `-Dlog4j.configurationFile=${path.join(flinkHome(), "log4j2.properties")}`;

    constructor(
        private readonly dir: string,
        private readonly classpath: string,
    ) {}

    start(name: string, jvm: string[], main: string, args: string[]): ChildProcess {
        const logFile = path.join(this.dir, `${name}.log`);
        this.logFiles.push(logFile);
        const child = spawn(
            "java",
            [...jvm, this.log4j, `-Dlog.file=${logFile}`, "-cp", this.classpath, main, ...args],
            { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, FLINK_CONF_DIR: this.dir } },
        );
        child.stderr?.on("data", (d) => fs.appendFileSync(logFile, d));
        this.children.push(child);
        return child;
    }

    logLines = (pattern: RegExp): string[] =>
        this.logFiles.flatMap((f) =>
            (fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n") : [])
                .filter((l) => pattern.test(l))
                .map((l) => `${path.basename(f, ".log")}: ${l}`),
        );

    logs = (): string =>
        this.logFiles
            .map((f) => `--- ${path.basename(f)}\n${fs.existsSync(f) ? fs.readFileSync(f, "utf8").slice(-4_000) : ""}`)
            .join("\n");

    stop = async (): Promise<void> => {
        await Promise.all(
            this.children.map(async (c) => {
                if (c.exitCode !== null || c.signalCode !== null) return;
                const exited = new Promise((r) => c.once("exit", r));
                c.kill("SIGTERM");
                const timer = setTimeout(() => c.kill("SIGKILL"), 15_000);
                await exited;
                clearTimeout(timer);
            }),
        );
        fs.rmSync(this.dir, { recursive: true, force: true });
    };

    /** Resolves once `ready` does; a process that exits first ends the wait with the logs, not a time-out. */
    async untilReady(ready: Promise<void>): Promise<void> {
        let done = false;
        const exited = new Promise<never>((_, reject) =>
            this.children.forEach((c, i) =>
                c.once(
                    "exit",
                    (code) =>
                        !done &&
                        reject(
                            new Error(
                                `Flink's ${path.basename(this.logFiles[i], ".log")} exited (${code}) before the cluster was ready:\n${this.logs()}`,
                            ),
                        ),
                ),
            ),
        );
        exited.catch(() => undefined);
        await Promise.race([exited, ready]);
        done = true;
    }
}

/** The REST API with every TaskManager registered, then the SQL Gateway, answering. */
async function clusterAnswers(restUrl: string, gatewayUrl: string, taskManagers: number): Promise<void> {
    await waitFor(
        `Flink at ${restUrl} with ${taskManagers} TaskManager(s)`,
        async () => {
            const res = await fetch(`${restUrl}/overview`, { signal: AbortSignal.timeout(5_000) });
            const o = (await res.json()) as { taskmanagers: number };
            if (o.taskmanagers < taskManagers)
                throw new Error(`${o.taskmanagers} of ${taskManagers} TaskManagers registered`);
            return o;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
    );
    await waitFor(`Flink's SQL Gateway at ${gatewayUrl}`, () => httpAnswers(`${gatewayUrl}/v1/info`), {
        timeoutMs: 120_000,
        intervalMs: 500,
    });
}

export async function startFlinkCluster(opts: FlinkOptions = {}): Promise<RunningFlink> {
    const classpath = flinkClasspath();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-flink-"));
    const ports = { rpc: await freePort(), rest: await freePort(), gateway: await freePort(), blob: await freePort() };
    writeFlinkConfig(dir, ports, opts);
    const processes = new FlinkProcesses(dir, classpath);
    const taskManagers = new Map<string, ChildProcess>();
    const restUrl = `http://127.0.0.1:${ports.rest}`;
    const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
    const tms = opts.taskManagers ?? 1;
    try {
        processes.start(
            "jobmanager",
            ["-Xmx512m"],
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
            ["--configDir", dir],
        );
        const { jvm, dynamic } = await taskManagerLaunch(classpath, dir);
        for (let i = 0; i < tms; i++) {
            const id = `taskmanager-${i}`;
            const args = ["--configDir", dir, ...dynamic, "-D", `taskmanager.resource-id=${id}`];
            taskManagers.set(
                id,
                processes.start(id, jvm, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", args),
            );
        }
        processes.start(
            "sql-gateway",
            FLINK_GATEWAY_JVM_OPTS.split(" "),
            "org.apache.flink.table.gateway.SqlGateway",
            [],
        );
        await processes.untilReady(clusterAnswers(restUrl, gatewayUrl, tms));
    } catch (err) {
        await processes.stop();
        throw err;
    }
    return {
        restUrl,
        gatewayUrl,
        logs: processes.logs,
        logLines: processes.logLines,
        stop: processes.stop,
        taskManagerIds: [...taskManagers.keys()],
        async killTaskManager(resourceId: string) {
            const tm = taskManagers.get(resourceId);
            if (!tm) throw new Error(`no TaskManager ${resourceId} (there are ${[...taskManagers.keys()].join(", ")})`);
            if (tm.exitCode !== null || tm.signalCode !== null) return;
            const exited = new Promise((r) => tm.once("exit", r));
            tm.kill("SIGKILL");
            await exited;
        },
    };
}
