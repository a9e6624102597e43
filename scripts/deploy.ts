// npm run up | preview | down [-- --stack local] [--refresh]
// Runs this Pulumi program through the Automation API with the program inline, so it needs only
// the `pulumi` CLI (plus the resource plugins), not Pulumi's Node.js language host: the same
// program `pulumi up` runs, on machines where only the CLI could be built.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command } from "commander";
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { previewSteps } from "./previewSteps";
import { failuresOf, failureSummary } from "./failures";
import { emptyBucketsBeforeDestroy } from "./emptyBuckets";
import { leftAfterDown } from "./leftAfterDown";
import { sshFilesDir } from "../components/sshFiles";
import { parseClusterConfig, rawConfigOf } from "../config/schema";
import { PROJECT } from "../config/defaults";
import { checkHosts, clusterProgram } from "../stacks/program";
import type { PreflightResult } from "../hosts/preflight";
import { spawnSync } from "child_process";
import { PULUMI_VERSION, pulumiRoot, pulumiSettings, REPO_ROOT } from "../toolchain/paths";
import { missingPlugins, missingPluginsMessage, PLUGINS } from "../toolchain/plugins";
import { engineDeployment } from "../components/engines";
import {
    CLI_CANCELLING,
    containersInState,
    descendantsOf,
    INTERRUPT_FORWARD_GRACE_MS,
    LockFile,
    nameHosts,
    onInterrupt,
    orphanContainers,
    pendingRecovery,
    staleLocks,
} from "./recovery";
import { runOnHost } from "../lib/hostShell";
import { SUDO_UNLESS_ROOT } from "../lib/shell";
import { dockerHostOf } from "../components/dockerHost";
import { targetLayout } from "../stacks/placement";
import { withSecrets } from "../config/load";
import { ValidatedConfig } from "../config/schema";
import { applyOverrides, ConfigOverrides, parseOverrides } from "../config/overrides";
import { Images, localImageOverrides } from "./localImages";

/** Runs toolchain/run.sh with its progress lines on this terminal. */
function toolchain(steps: string[]): void {
    const r = spawnSync(path.join(REPO_ROOT, "toolchain", "run.sh"), steps, { stdio: "inherit" });
    if (r.status !== 0)
        throw new Error(
            `'toolchain/run.sh ${steps.join(" ")}' failed (exit ${r.status ?? r.signal}); its output above says why`,
        );
}

/**
 * `pulumi` from the toolchain's cache, else from PATH; where neither is usable (a fresh machine
 * that reaches only package registries) it is built first, so the README's first command works.
 */
async function pulumiCommand(): Promise<PulumiCommand> {
    const root = pulumiRoot();
    const find = () => PulumiCommand.get(fs.existsSync(path.join(root, "bin", "pulumi")) ? { root } : {});
    try {
        return await find();
    } catch (err) {
        const why =
            (err as NodeJS.ErrnoException).code === "ENOENT" || /-2\b/.test((err as Error).message)
                ? `none in ${root} or on PATH`
                : (err as Error).message.split("\n")[0];
        console.log(`no usable Pulumi CLI (${why}): building v${PULUMI_VERSION} from the Go module proxy into ${root}`);
        console.log("this takes about 6 minutes on a machine with empty Go caches, once; later runs find it cached");
        toolchain(["pulumi"]);
        return await find();
    }
}

/** Every engine event of this run's operations: what failed is read from them at the end. */
const engineEvents: EngineEvent[] = [];
const collect = (e: EngineEvent) => void engineEvents.push(e);
/** The operation under way, for the failure's last lines. */
let operation = "deploy";

/** The hosts of the stack being deployed, once its config was read: errors name them. */
let configuredHosts: { name: string; address: string }[] = [];

/** The stack's config through the one schema the program uses; a ConfigError names every problem. */
async function checkConfig(stack: Stack, stackName: string, overrides: ConfigOverrides): Promise<ValidatedConfig> {
    const config = parseClusterConfig(applyOverrides(rawConfigOf(stackName, await stack.getAllConfig()), overrides));
    configuredHosts = config.target === "ssh" ? [config.controller, ...config.workers] : [];
    for (const notice of config.notices) console.log(`note: ${notice}`);
    return config;
}

/** The stack's lock files in a file backend (backend/diy/lock.go: .pulumi/locks/<org>/<project>/<stack>/<id>.json). */
function lockFiles(backendDir: string, stackName: string): LockFile[] {
    const root = path.join(backendDir, ".pulumi", "locks");
    const out: LockFile[] = [];
    const walk = (dir: string) => {
        for (const e of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
            const p = path.join(dir, e.name);
            if (e.isDirectory()) walk(p);
            else if (
                e.name.endsWith(".json") &&
                path.basename(dir) === stackName &&
                path.basename(path.dirname(dir)) === PROJECT
            ) {
                const c = JSON.parse(fs.readFileSync(p, "utf8")) as Omit<LockFile, "path">;
                out.push({ path: p, pid: c.pid, username: c.username, hostname: c.hostname, timestamp: c.timestamp });
            }
        }
    };
    walk(root);
    return out;
}

const alive = (pid: number) => {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
};

/**
 * What an interrupted `up` left behind, repaired where that is safe, said where it is not: a
 * stale lock of a dead process on this host (removed), pending operations (a refresh clearing the
 * pending creates), and, before `up`, containers with this stack's label that its state does not
 * hold (removed; their volumes stay).
 */
function recoverLocks(backend: string, stackName: string): void {
    if (backend.startsWith("file://")) {
        const { remove, blocking } = staleLocks(
            lockFiles(backend.slice("file://".length), stackName),
            os.hostname(),
            alive,
        );
        for (const l of remove) {
            fs.rmSync(l.path, { force: true });
            console.log(
                `removed a stale lock of stack '${stackName}': pid ${l.pid} on this host took it at ${l.timestamp} and is no longer running (an interrupted run)`,
            );
        }
        if (blocking.length)
            throw new Error(`stack '${stackName}' is ${blocking.join("; ").replace(/<stack>/g, stackName)}`);
    }
}

/** Each configured host (controller first) with the Docker engine the program deploys to on it. */
function hostEngines(config: ValidatedConfig): { key: string; name: string; dockerHost: string }[] {
    const layout = targetLayout(withSecrets(config));
    // On the local target every host is a name on this machine's one engine: messages say so.
    return [config.controller, ...config.workers].map((h) => ({
        key: h.name,
        name: config.target === "local" ? "this machine's Docker engine" : h.name,
        dockerHost: dockerHostOf(h, layout.access(h)),
    }));
}

async function recoverState(
    stack: Stack,
    config: ValidatedConfig | undefined,
    action: string,
    signal: AbortSignal,
    onOutput: (s: string) => void,
): Promise<void> {
    const state = (await stack.exportStack()).deployment as Parameters<typeof pendingRecovery>[0];
    const pending = pendingRecovery(state);
    // A preview changes nothing, the state included: it says what the next up or destroy settles.
    if (pending.refresh && action === "preview")
        console.log(`note: ${pending.say?.replace(/^(.*): refreshing/, "$1: the next up or destroy refreshes")}`);
    else if (pending.refresh) {
        console.log(pending.say);
        await stack.refresh({
            onOutput,
            onEvent: collect,
            clearPendingCreates: true,
            ...(pending.targets.length ? { target: pending.targets } : {}),
            signal,
        });
    }
    if (action !== "up" || !config) return;
    const inState = containersInState(
        (await stack.exportStack()).deployment as Parameters<typeof containersInState>[0],
    );
    const engines = new Map<string, { name: string; dockerHost: string }>();
    for (const h of hostEngines(config)) engines.set(h.dockerHost, h);
    for (const engine of engines.values()) {
        // Locally the engine's address; on a Pi its own engine, with sudo where the user is not root.
        const docker = engine.dockerHost.startsWith("ssh://")
            ? `${SUDO_UNLESS_ROOT}; $SUDO docker`
            : `docker -H '${engine.dockerHost}'`;
        const ps = await runOnHost(
            engine,
            config.stack,
            `${docker} ps -a --no-trunc --filter 'label=${PROJECT}.stack=${config.stack}' --format '{{.ID}} {{.Names}}' 2>/dev/null || true`,
        ).catch(() => "");
        for (const c of orphanContainers(ps, inState)) {
            await runOnHost(engine, config.stack, `${docker} rm -f '${c.id}'`);
            console.log(
                `removed container ${c.name} (${c.id.slice(0, 12)}) on ${engine.name}: it carries stack '${config.stack}''s label but is not in its state (created by an interrupted up or replacement; its volumes are kept)`,
            );
        }
    }
}

/**
 * Installs missing resource plugins through the CLI (unless PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION
 * says not to download); where they are still missing, stops before the engine does.
 */
async function ensurePlugins(ws: LocalWorkspace): Promise<void> {
    if (missingPlugins().length === 0) return;
    for (const p of process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION ? [] : PLUGINS) {
        if (!missingPlugins().includes(`${p.name} v${p.version}`)) continue;
        console.log(`installing the resource plugin ${p.name} v${p.version}`);
        await ws.installPlugin(p.name, `v${p.version}`).catch(() => undefined);
    }
    const still = missingPlugins();
    if (still.length) throw new Error(missingPluginsMessage(still));
}

export async function main(argv: string[]): Promise<void> {
    let checkedHosts: PreflightResult[] | undefined;
    let localImages: Partial<Images> | undefined;
    const cmd = new Command("deploy")
        .argument("<action>", "up, preview, destroy or outputs")
        .option("--stack <name>", "stack to deploy", "local")
        .option("--work-dir <dir>", "directory with Pulumi.yaml and Pulumi.<stack>.yaml", REPO_ROOT)
        .option("--refresh", "refresh state from the hosts before the operation", false)
        .option("--engine <name>", "run this engine instead of the config's `engine` (the config file is not changed)")
        .option("--workers <n>", "deploy the first n workers of the config's list (the config file is not changed)")
        .showHelpAfterError();
    cmd.parse(argv);
    const action = cmd.args[0];
    const o = cmd.opts<{ stack: string; workDir: string; refresh: boolean; engine?: string; workers?: string }>();
    if (!["up", "preview", "destroy", "outputs"].includes(action))
        cmd.error(`error: unknown action '${action}': use up, preview, destroy or outputs`, { exitCode: 2 });
    let overrides: ConfigOverrides = {};
    try {
        overrides = parseOverrides(o);
    } catch (err) {
        cmd.error(`error: ${(err as Error).message}`, { exitCode: 2 });
    }
    if ((overrides.engine || overrides.workers) && action === "destroy")
        cmd.error("error: --engine and --workers shape an up or a preview; destroy removes whatever the stack holds", {
            exitCode: 2,
        });
    operation = action;

    // The local stack runs on this machine's Docker engine: install and start one where none answers.
    if (o.stack === "local" && action !== "outputs") toolchain(["docker"]);
    const backend = pulumiSettings().PULUMI_BACKEND_URL;
    if (backend.startsWith("file://")) fs.mkdirSync(backend.slice("file://".length), { recursive: true });
    const stack = await LocalWorkspace.createOrSelectStack(
        {
            stackName: o.stack,
            projectName: PROJECT,
            program: async () =>
                clusterProgram({
                    overrides,
                    ...(checkedHosts ? { checkedHosts } : {}),
                    ...(localImages ? { images: localImages } : {}),
                }),
        },
        {
            workDir: o.workDir,
            pulumiCommand: await pulumiCommand(),
            envVars: pulumiSettings(),
        },
    );
    // Ctrl-C: the CLI cancels gracefully (it got the terminal's signal too); this process stays
    // alive for it, since the program runs inline here. A signal sent to this process alone is
    // passed on once; a second interrupt terminates (scripts/recovery.ts).
    const abort = new AbortController();
    let interrupts = 0;
    let cliCancelling = false;
    const processTree = () =>
        descendantsOf(process.pid, spawnSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" }).stdout ?? "");
    // The tree as the first interrupt found it, all alive: a terminal's second Ctrl-C reaches the
    // CLI too, which exits at once, and its plugins are reparented before this handler can look.
    let treeAtFirstInterrupt: number[] = [];
    process.on("SIGINT", () => {
        const n = ++interrupts;
        console.error(`\n${onInterrupt(n, cliCancelling).say}`);
        if (n === 1) treeAtFirstInterrupt = processTree();
        if (n > 1) {
            // The whole tree under this process (the CLI and its resource plugins), now and as the
            // first interrupt saw it.
            const tree = [...new Set([...processTree(), ...treeAtFirstInterrupt])];
            abort.abort();
            for (const pid of tree) {
                try {
                    process.kill(pid, "SIGKILL");
                } catch {
                    // already gone
                }
            }
            process.exit(130);
        }
        // A terminal's Ctrl-C reaches the CLI at the same moment, and its notice comes through the
        // display a little later: passing the signal on before it arrived would be the CLI's second
        // interrupt, which terminates it mid-step.
        setTimeout(() => {
            if (interrupts === 1 && onInterrupt(n, cliCancelling).forward) abort.abort();
        }, INTERRUPT_FORWARD_GRACE_MS).unref();
    });
    const onOutput = (out: string) => {
        if (CLI_CANCELLING.test(out)) cliCancelling = true;
        process.stdout.write(out);
    };
    const signal = abort.signal;
    let destroyConfig: ValidatedConfig | undefined;
    if (action !== "outputs") {
        // A bad config is reported before anything else is attempted (plugins, the engine); a
        // stack whose config no longer validates can still be destroyed.
        const config =
            action === "destroy"
                ? await checkConfig(stack, o.stack, overrides).catch(() => undefined)
                : await checkConfig(stack, o.stack, overrides);
        destroyConfig = action === "destroy" ? config : undefined;
        if (config && (overrides.engine || overrides.workers))
            console.log(
                `note: this ${action} runs ${config.engine} on ${config.workers.map((w) => w.name).join(", ")} (${[overrides.engine ? "--engine" : "", overrides.workers ? "--workers" : ""].filter(Boolean).join(", ")}); Pulumi.${o.stack}.yaml is unchanged, and a plain 'npm run up' returns to it`,
            );
        // A stale lock of a dead process on this host goes first: it blocks only the engine, but
        // the checks below can stop the run (a missing image, a refused host), and the lock is
        // better gone, and said, whatever they find.
        recoverLocks(backend, o.stack);
        // The resource plugins are a local matter: said before any host is dialled.
        await ensurePlugins(stack.workspace as LocalWorkspace);
        // The hosts are checked here, before the engine starts: a refusal is said once, as the
        // last lines, and not again by the engine's progress and its diagnostics (three times).
        if (config && action !== "destroy") checkedHosts = await checkHosts(config, {}, (line) => console.log(line));
        // What the engine's containers get from the toolchain's cache (Flink's Kafka SQL connector).
        const steps = config && action !== "destroy" ? engineDeployment(config.engine).toolchain : [];
        if (steps.length) toolchain([...steps]);
        // The local stack on a machine no registry serves: the defaults it cannot pull, built here.
        if (config?.target === "local" && action !== "destroy")
            localImages = localImageOverrides(config, (line) => console.log(line));
        await recoverState(stack, config, action, signal, onOutput);
    }
    if (o.refresh && action !== "outputs") await stack.refresh({ onOutput, onEvent: collect, signal });
    // One machine-readable line per operation, for scripts and tests: what changed, by kind.
    switch (action) {
        case "preview": {
            const events: EngineEvent[] = [];
            const result = await stack.preview({
                onOutput,
                diff: true,
                signal,
                onEvent: (e) => (events.push(e), collect(e)),
            });
            console.log(`change summary: ${JSON.stringify(result.changeSummary)}`);
            // The same, by resource name, from the engine's events: for scripts and tests.
            console.log(`preview steps: ${JSON.stringify(previewSteps(events))}`);
            return;
        }
        case "destroy": {
            // Buckets that go are emptied first (the minio provider's own emptying can kill it). A
            // MinIO that cannot be reached is said and left to the provider, which reports it.
            const before = (await stack.exportStack()).deployment as Parameters<typeof leftAfterDown>[0];
            if (destroyConfig) {
                const state = before as Parameters<typeof emptyBucketsBeforeDestroy>[0];
                await emptyBucketsBeforeDestroy(state, destroyConfig.minio, (line) => console.log(line)).catch(
                    (err: Error) =>
                        console.log(
                            `warning: could not empty the stack's buckets before deleting them (${err.message}); the minio provider empties them itself`,
                        ),
                );
            } else
                console.log(
                    "note: the stack's config does not validate, so its buckets are left for the minio provider to empty",
                );
            const result = await stack.destroy({ onOutput, onEvent: collect, signal });
            console.log(`change summary: ${JSON.stringify(result.summary.resourceChanges ?? {})}`);
            // What stays on purpose, and the command that removes each.
            if (destroyConfig) {
                // Keyed as the images' resource names key hosts: "controller", or a worker's name.
                const [controller, ...workers] = hostEngines(destroyConfig);
                const hosts = Object.fromEntries([
                    ["controller", controller],
                    ...workers.map((w) => [w.key, w] as const),
                ]);
                const sshDir =
                    destroyConfig.target === "ssh" && fs.existsSync(sshFilesDir(o.stack))
                        ? sshFilesDir(o.stack)
                        : undefined;
                for (const line of leftAfterDown(before, { hosts, ...(sshDir ? { sshDir } : {}) })) console.log(line);
            }
            return;
        }
        case "up": {
            const result = await stack.up({ onOutput, onEvent: collect, signal });
            console.log(`change summary: ${JSON.stringify(result.summary.resourceChanges ?? {})}`);
            break;
        }
    }
    const outputs = Object.fromEntries(
        Object.entries(await stack.outputs()).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]),
    );
    console.log(`\nStack '${o.stack}' outputs (the benchmark reads these):\n${JSON.stringify(outputs, null, 2)}`);
}

if (require.main === module) {
    main(process.argv).catch((err: Error) => {
        // The engine's own output has already been streamed. What failed comes last, whole, each
        // resource named with its error; without engine errors (a config error, a missing plugin)
        // the error itself, whose end says why.
        const summary = failureSummary(operation, failuresOf(engineEvents));
        const text = summary || err.message.split("\n").slice(-40).join("\n");
        console.error(`\n${nameHosts(text, configuredHosts)}`);
        process.exit(1);
    });
}
