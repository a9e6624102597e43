import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { stringify } from "yaml";
import { cacheDir, pulumiRoot, REPO_ROOT } from "../../toolchain/paths";
import { missingPlugins } from "../../toolchain/plugins";

export { REPO_ROOT };

/** The toolchain's Pulumi CLI (built from the Go module proxy), or a clear error. */
export function pulumiBinary(): string {
    const bin = path.join(pulumiRoot(), "bin", "pulumi");
    if (!fs.existsSync(bin)) throw new Error(`no Pulumi CLI at ${bin}: run 'toolchain/run.sh pulumi' first`);
    return bin;
}

/** `node` arguments of `npm run deploy -- <action> --stack <stack>`. */
const deployArgs = (action: string, stack: string) => [
    "-r",
    "ts-node/register/transpile-only",
    path.join(REPO_ROOT, "scripts", "deploy.ts"),
    action,
    "--stack",
    stack,
];

/**
 * This project with a throwaway file backend, passphrase secrets and no plugin downloads. Stacks
 * are named `e2e-*` (their Pulumi.e2e-*.yaml files are git-ignored and removed afterwards). The
 * program runs through scripts/deploy.ts (the Automation API, program inline) in a child
 * process from the project root, as a user's `npm run up` does.
 */
export class E2eProject {
    private made: { dir: string; env: NodeJS.ProcessEnv } | undefined;
    private readonly stacks = new Set<string>();

    /**
     * Made on first use, not at construction: a describe that is skipped still constructs its
     * project, and left a temporary folder behind every time.
     */
    private get state(): { dir: string; env: NodeJS.ProcessEnv } {
        if (!this.made) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-e2e-"));
            fs.mkdirSync(path.join(dir, "state"));
            this.made = {
                dir,
                env: {
                    ...process.env,
                    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
                    PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
                    // PULUMI_HOME stays the user's: that is where installed resource plugins are found.
                    PULUMI_SKIP_UPDATE_CHECK: "1",
                    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "1",
                    PATH: `${path.dirname(pulumiBinary())}:${process.env.PATH}`,
                },
            };
        }
        return this.made;
    }

    get dir(): string {
        return this.state.dir;
    }

    get env(): NodeJS.ProcessEnv {
        return this.state.env;
    }

    /** Runs the Pulumi CLI in the project directory. */
    async pulumi(args: string[]): Promise<string> {
        return (
            await promisify(execFile)(pulumiBinary(), args, {
                cwd: REPO_ROOT,
                env: this.env,
                maxBuffer: 64 * 1024 * 1024,
            })
        ).stdout;
    }

    /** Sets config the way a user does, secrets encrypted with the stack's passphrase. */
    async configure(stack: string, plain: Record<string, string>, secret: Record<string, string> = {}): Promise<void> {
        if (!stack.startsWith("e2e-")) throw new Error(`e2e stacks are named e2e-*, not ${stack}`);
        this.stacks.add(stack);
        await this.pulumi(["stack", "init", stack, "--non-interactive"]).catch(() =>
            this.pulumi(["stack", "select", stack]),
        );
        for (const [k, v] of Object.entries(plain))
            await this.pulumi(["config", "set", "--stack", stack, `arroyo-pi:${k}`, v]);
        for (const [k, v] of Object.entries(secret))
            await this.pulumi(["config", "set", "--stack", stack, "--secret", `arroyo-pi:${k}`, "--", v]);
    }

    /** Writes Pulumi.<stack>.yaml with structured config, as a user's stack file holds it. */
    writeStackFile(stack: string, config: Record<string, unknown>): void {
        if (!stack.startsWith("e2e-")) throw new Error(`e2e stacks are named e2e-*, not ${stack}`);
        this.stacks.add(stack);
        const namespaced = Object.fromEntries(Object.entries(config).map(([k, v]) => [`arroyo-pi:${k}`, v]));
        fs.writeFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), stringify({ config: namespaced }));
    }

    /** `npm run deploy -- <action> --stack <stack>` against this directory, `env` added to the project's; never throws. */
    async deploy(
        action: string,
        stack: string,
        env: NodeJS.ProcessEnv = {},
    ): Promise<{ code: number; output: string }> {
        return promisify(execFile)("node", deployArgs(action, stack), {
            cwd: REPO_ROOT,
            env: { ...this.env, ...env },
            maxBuffer: 64 * 1024 * 1024,
        }).then(
            (r) => ({ code: 0, output: r.stdout + r.stderr }),
            (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
        );
    }

    /**
     * The same command as `deploy`, started in the background: a test watches its output and
     * signals it as a user's Ctrl-C would.
     */
    start(action: string, stack: string, opts: { processGroup?: boolean } = {}): RunningDeploy {
        // processGroup: the command leads a group of its own, so a signal to -pid reaches it and the
        // CLI it starts together, as a terminal's Ctrl-C does.
        const child = spawn("node", deployArgs(action, stack), {
            cwd: REPO_ROOT,
            env: this.env,
            detached: opts.processGroup ?? false,
        });
        return new RunningDeploy(child);
    }

    /** A script of this repository (`npm run <script>` as a user runs it), in the background, with the project's environment. */
    startScript(script: string, args: string[], opts: { processGroup?: boolean } = {}): RunningDeploy {
        const child = spawn("node", ["-r", "ts-node/register/transpile-only", path.join(REPO_ROOT, script), ...args], {
            cwd: REPO_ROOT,
            env: this.env,
            detached: opts.processGroup ?? false,
        });
        return new RunningDeploy(child);
    }

    remove(): void {
        for (const stack of this.stacks) fs.rmSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), { force: true });
        if (this.made) fs.rmSync(this.made.dir, { recursive: true, force: true });
    }
}

export const docker = async (...args: string[]) => (await promisify(execFile)("docker", args)).stdout.trim();
export const summaryOf = (output: string): Record<string, number> => {
    const line = output
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("change summary: "));
    if (!line) throw new Error(`no change summary in:\n${output.slice(-3000)}`);
    return JSON.parse(line.slice("change summary: ".length));
};
export const stepsOf = (output: string): Record<string, string[]> => {
    const line = output
        .split("\n")
        .reverse()
        .find((l) => l.startsWith("preview steps: "));
    if (!line) throw new Error(`no preview steps in:\n${output.slice(-3000)}`);
    return JSON.parse(line.slice("preview steps: ".length));
};
/** Fails with the end of the engine's output, which says why. */
export function succeeded(result: { code: number; output: string }): void {
    if (result.code !== 0) throw new Error(`deploy failed (exit ${result.code}):\n${result.output.slice(-4000)}`);
}
export const workers = (n: number) =>
    JSON.stringify(Array.from({ length: n }, (_, i) => ({ name: `worker${i + 1}`, address: "localhost" })));

/** Arroyo's MinIO credentials as the program hands them to Arroyo: the controller container's environment. Never printed. */
export async function arroyoCredentials(stack: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
    const env = JSON.parse(
        await docker("inspect", "--format", "{{json .Config.Env}}", `arroyo-pi-${stack}-arroyo-controller`),
    ) as string[];
    const get = (k: string) => env.find((e) => e.startsWith(`${k}=`))?.slice(k.length + 1);
    const accessKeyId = get("AWS_ACCESS_KEY_ID");
    const secretAccessKey = get("AWS_SECRET_ACCESS_KEY");
    if (!accessKeyId || !secretAccessKey)
        throw new Error("the controller's environment lacks AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY");
    return { accessKeyId, secretAccessKey };
}

/** A deploy command running in the background, its output collected as it comes. */
export class RunningDeploy {
    output = "";
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
    private readonly waiters: { pattern: RegExp; resolve: () => void }[] = [];

    constructor(readonly child: ChildProcess) {
        const take = (chunk: Buffer) => {
            this.output += chunk.toString();
            for (const w of this.waiters.filter((w) => w.pattern.test(this.output))) {
                this.waiters.splice(this.waiters.indexOf(w), 1);
                w.resolve();
            }
        };
        child.stdout!.on("data", take);
        child.stderr!.on("data", take);
        this.exited = new Promise((resolve) =>
            child.on("close", (code, signal) => resolve({ code, signal, output: this.output })),
        );
    }

    /** Resolves when the output matches; rejects with the output if the command ends first. */
    waitFor(pattern: RegExp): Promise<void> {
        if (pattern.test(this.output)) return Promise.resolve();
        return new Promise((resolve, reject) => {
            this.waiters.push({ pattern, resolve });
            void this.exited.then((r) =>
                reject(
                    new Error(
                        `the deploy ended (exit ${r.code}) before its output matched ${pattern}:\n${r.output.slice(-3000)}`,
                    ),
                ),
            );
        });
    }
}

/**
 * describe where the resource plugins are installed, else describe.skip with one line naming the
 * missing ones (none can be downloaded here).
 */
export function describeWithPlugins(what: string): jest.Describe {
    const missing = missingPlugins();
    if (missing.length)
        console.log(
            `skipped: ${what} needs the resource plugins ${missing.join(", ")} (on PATH as pulumi-resource-<name> or installed with 'pulumi plugin install'); none can be downloaded here`,
        );
    return missing.length ? describe.skip : describe;
}

/**
 * The images the local stack runs here, as the `images` config key takes them: E2E_IMAGES, or what
 * `toolchain/run.sh images` wrote last (`npm test` runs it first). Undefined where neither exists.
 */
export function e2eImages(): Record<string, string> | undefined {
    if (process.env.E2E_IMAGES) return JSON.parse(process.env.E2E_IMAGES) as Record<string, string>;
    const file = path.join(cacheDir(), "e2e-images.json");
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>) : undefined;
}

/**
 * describe where the local stack can run for real (the four resource plugins, and the images it
 * needs: none can be pulled here), else describe.skip with one line naming what is missing.
 */
export function describeOnDocker(what: string, images: string[]): jest.Describe {
    const missing = missingPlugins().map((p) => `the resource plugin ${p}`);
    const have = e2eImages() ?? {};
    for (const i of images)
        if (!have[i])
            missing.push(
                `the ${i} image (toolchain/run.sh images builds it${i === "minio" ? " from MINIO_BIN and MC_BIN" : ""})`,
            );
    if (missing.length) console.log(`skipped: ${what} needs ${missing.join(", ")}; none can be downloaded here`);
    return missing.length ? describe.skip : describe;
}

/** Everything on this machine's Docker engine that carries the stack's label, removed; what was removed is returned. */
export async function removeStackFromEngine(stack: string): Promise<string[]> {
    const removed: string[] = [];
    const label = `label=arroyo-pi.stack=${stack}`;
    const ids = async (...args: string[]) => (await docker(...args)).split("\n").filter(Boolean);
    for (const c of await ids("ps", "-a", "--filter", label, "--format", "{{.Names}}")) {
        await docker("rm", "-f", "-v", c);
        removed.push(`container ${c}`);
    }
    for (const n of await ids("network", "ls", "--filter", label, "--format", "{{.Name}}")) {
        await docker("network", "rm", n);
        removed.push(`network ${n}`);
    }
    for (const v of await ids("volume", "ls", "--filter", label, "--format", "{{.Name}}")) {
        await docker("volume", "rm", "-f", v);
        removed.push(`volume ${v}`);
    }
    return removed;
}

/** What is left of a stack on the engine: containers, networks, volumes with its label. */
export async function leftOnEngine(stack: string): Promise<string[]> {
    const label = `label=arroyo-pi.stack=${stack}`;
    const names = async (...args: string[]) => (await docker(...args)).split("\n").filter(Boolean);
    return [
        ...(await names("ps", "-a", "--filter", label, "--format", "container {{.Names}}")),
        ...(await names("network", "ls", "--filter", label, "--format", "network {{.Name}}")),
        ...(await names("volume", "ls", "--filter", label, "--format", "volume {{.Name}}")),
    ];
}

/**
 * A step that later steps of a describe build on: they fail with this message, not a TypeError,
 * when it did not succeed (jest runs them anyway).
 */
export class Prerequisite<T> {
    private value: T | undefined;
    constructor(private readonly what: string) {}
    set(v: T): void {
        this.value = v;
    }
    get(): T {
        if (this.value === undefined)
            throw new Error(
                `not run: ${this.what} did not succeed earlier in this describe (its failure above says why)`,
            );
        return this.value;
    }
}
