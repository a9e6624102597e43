import { ChildProcess, spawn } from "child_process";
import * as os from "os";
import * as path from "path";
import * as readline from "readline";

/** The Arroyo test double running in a process of its own, driven through its test controls. */
export interface StandInProcess {
    apiUrl: string;
    /** Records per second per source subtask from the next run on; 0: unbounded. */
    setSubtaskRateCap(cap: number): Promise<void>;
    /** A worker of the named pipeline's running job is lost: it recovers (run_id + 1, resumes from its last checkpoint). */
    restartJob(pipelineName: string): Promise<void>;
    /** An operator of the named pipeline's job fails with this message: once (one recovery), or in every run (persistent) until it has restarted too many times and is Failed. */
    failJob(pipelineName: string, message: string, persistent?: boolean): Promise<void>;
    /** How long each checkpoint takes from the next one on, ms. */
    setCheckpointDuration(ms: number): Promise<void>;
    /** Records the named pipeline's latest run read between two instants (ms since the epoch), from the double's own log. */
    readBetween(pipelineName: string, fromMs: number, toMs: number): Promise<number | undefined>;
    stop(): Promise<void>;
}

const CLI = path.resolve(__dirname, "../doubles/arroyo-stand-in/cli.ts");

/**
 * Starts the double as its own process. A real Arroyo runs on its own hosts; in one process with
 * the test's load producer and sampler, a busy 2-core machine starves both at once and the double
 * falls below the capacity a test set. For the same reason it asks for a higher CPU priority
 * where it may (root); elsewhere it runs at the default, and tests check against what it read.
 */
export async function startStandInProcess(): Promise<StandInProcess> {
    const child: ChildProcess = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", CLI, "test"], {
        cwd: path.resolve(__dirname, "../.."),
        stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    const apiUrl = await new Promise<string>((resolve, reject) => {
        const lines = readline.createInterface({ input: child.stdout! });
        lines.once("line", (line) => {
            try {
                resolve((JSON.parse(line) as { apiUrl: string }).apiUrl);
            } catch {
                reject(new Error(`the double printed ${line} instead of its URL`));
            }
        });
        child.once("exit", (code) => reject(new Error(`the double exited (${code}) before it listened`)));
    });
    try {
        os.setPriority(child.pid!, -5);
    } catch {
        // Not permitted without root: the double keeps the default priority.
    }
    const controlUrl = apiUrl.replace(/\/api\/v1$/, "/api/v1/stand-in/control");
    const post = async (what: string, body: unknown) => {
        const res = await fetch(`${controlUrl}/${what}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`double control ${what}: HTTP ${res.status} ${await res.text()}`);
    };
    return {
        apiUrl,
        setSubtaskRateCap: (cap) => post("cap", { cap }),
        restartJob: (name) => post("restart", { name }),
        failJob: (name, message, persistent = false) => post("fail", { name, message, persistent }),
        setCheckpointDuration: (ms) => post("checkpoint-duration", { ms }),
        readBetween: async (name, fromMs, toMs) => {
            const res = await fetch(
                `${controlUrl}/read?${new URLSearchParams({ name, from: String(fromMs), to: String(toMs) })}`,
            );
            if (!res.ok) throw new Error(`double control read: HTTP ${res.status} ${await res.text()}`);
            return ((await res.json()) as { read: number | null }).read ?? undefined;
        },
        stop: async () => {
            if (child.exitCode === null) child.kill("SIGTERM");
            await exited;
        },
    };
}
