// npm run study -- --engines arroyo,flink --workers 1,3,9 --queries q1,q5,q8 [-- <find-max flags>]
// For each engine and worker count: deploy the stack through the same program (`npm run up --
// --engine E --workers N`: the first N workers of its list), then search each query's MST on it
// (`npm run bench -- --find-max`), and keep every point as it finishes. The same command resumes
// at the first unfinished point; Ctrl-C ends the search after the trial in flight (a second one
// stops that trial); the report is written from the folder after every point.
import { ChildProcess, execFile, spawn } from "child_process";
import { promisify } from "util";
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { toSvg } from "../report/charts";
import { BenchmarkResults } from "../report/types";
import { pulumiEnv, REPO_ROOT } from "../../toolchain/paths";
import { RawConfig, rawConfigOf } from "../../config/schema";
import {
    Deployment,
    deploymentProblems,
    deployments,
    parseStudyLists,
    pointId,
    progressLine,
    remaining,
    specDifferences,
    StudySpec,
} from "./plan";
import { pointOf, scalingChartSpec, StudyPoint, studyMarkdown, studyReport } from "./report";
import type * as vl from "vega-lite";

const workersText = (n: number) => `${n} worker${n === 1 ? "" : "s"}`;

/** Flags of `npm run bench` the study sets itself for every point. */
const OWN_FLAGS = ["--stack", "--find-max", "--queries", "--results-dir", "--outputs-file", "--parallelism"];

interface StudyFolder {
    dir: string;
    points: string;
    runs: string;
    logs: string;
}

function folder(dir: string): StudyFolder {
    const f = {
        dir,
        points: path.join(dir, "points"),
        runs: path.join(dir, "runs"),
        logs: path.join(dir, "logs"),
    };
    for (const d of Object.values(f)) fs.mkdirSync(d, { recursive: true });
    return f;
}

/** The study the folder holds, or this one written to it; a different study is refused, naming each difference. */
function adoptSpec(f: StudyFolder, spec: StudySpec): void {
    const file = path.join(f.dir, "study.json");
    if (!fs.existsSync(file)) {
        fs.writeFileSync(file, JSON.stringify(spec, null, 2) + "\n");
        return;
    }
    const saved = JSON.parse(fs.readFileSync(file, "utf8")) as StudySpec;
    const diff = specDifferences(saved, spec);
    if (diff.length)
        throw new Error(
            `${file} holds another study (${diff.join("; ")}): re-run its own command to resume it, or give this one its own --study-dir`,
        );
}

function finishedPoints(f: StudyFolder): StudyPoint[] {
    return fs
        .readdirSync(f.points)
        .filter((n) => n.endsWith(".json"))
        .map((n) => JSON.parse(fs.readFileSync(path.join(f.points, n), "utf8")) as StudyPoint);
}

/** Written whole or not at all: an interrupt never leaves half a point that would count as finished. */
function writeAtomically(file: string, text: string): void {
    fs.writeFileSync(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
}

async function writeReport(f: StudyFolder, spec: StudySpec, total: number): Promise<string> {
    const points = finishedPoints(f);
    const report = studyReport(points);
    const partial =
        points.length < total
            ? `\n**${points.length} of ${total} points finished**: the same command resumes the study.\n`
            : "";
    writeAtomically(path.join(f.dir, "report.json"), JSON.stringify({ spec, ...report }, null, 2) + "\n");
    writeAtomically(path.join(f.dir, "report.md"), studyMarkdown(report, spec) + partial);
    for (const q of report.queries)
        writeAtomically(
            path.join(f.dir, `${q.query}-scaling.svg`),
            await toSvg(scalingChartSpec(q) as unknown as vl.TopLevelSpec),
        );
    return path.join(f.dir, "report.md");
}

/** A child of this study in its own process group: the terminal's Ctrl-C reaches the study, which passes it on once. */
function run(
    script: string,
    args: string[],
    log: string,
    echo: boolean,
    onChild: (c: ChildProcess | undefined) => void,
): Promise<{ code: number; tail: string }> {
    const out = fs.createWriteStream(log, { flags: "a" });
    let tail = "";
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", script, ...args], {
        cwd: REPO_ROOT,
        env: process.env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
    });
    onChild(child);
    const take = (d: Buffer) => {
        out.write(d);
        tail = (tail + d.toString()).slice(-4000);
        if (echo) process.stdout.write(d);
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
    return new Promise((resolve) =>
        child.once("close", (code, signal) => {
            onChild(undefined);
            out.end();
            resolve({ code: code ?? (signal ? 128 : 1), tail });
        }),
    );
}

/** The stack's config as the program reads it (secrets decrypted in memory only), or why it could not be read. */
async function stackConfig(stack: string): Promise<RawConfig | string> {
    try {
        const { stdout } = await promisify(execFile)(
            "pulumi",
            ["config", "--json", "--show-secrets", "--stack", stack],
            { cwd: REPO_ROOT, env: pulumiEnv(), maxBuffer: 16 * 1024 * 1024 },
        );
        return rawConfigOf(stack, JSON.parse(stdout) as Record<string, { value?: string; secret?: boolean }>);
    } catch (err) {
        const e = err as Error & { stderr?: string };
        return (e.stderr || e.message).trim().split("\n")[0];
    }
}

/** The find-max run this deployment wrote last: its results.json. */
function lastResults(dir: string, since: number): { folder: string; results: BenchmarkResults } | undefined {
    const runs = fs
        .readdirSync(dir)
        .map((n) => path.join(dir, n, "results.json"))
        .filter((p) => fs.existsSync(p) && fs.statSync(p).mtimeMs >= since)
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
    return runs.length
        ? {
              folder: path.dirname(runs[0]),
              results: JSON.parse(fs.readFileSync(runs[0], "utf8")) as BenchmarkResults,
          }
        : undefined;
}

export async function main(argv: string[]): Promise<void> {
    const cmd = new Command("study")
        .option("--stack <name>", "the stack to deploy and measure", "local")
        .requiredOption("--engines <list>", "engines to compare, e.g. arroyo,flink")
        .requiredOption("--workers <list>", "worker counts, each the first N workers of the stack's list, e.g. 1,3,9")
        .requiredOption("--queries <list>", "queries to search, e.g. q1,q5,q8")
        .option("--study-dir <dir>", "the study's folder (default: studies/<stack>_<engines>_w<workers>_<queries>)")
        .argument("[findMaxFlags...]", "after --: flags for each capacity search (npm run bench -- --find-max ...)")
        .showHelpAfterError();
    cmd.parse(argv);
    const o = cmd.opts<{ stack: string; engines: string; workers: string; queries: string; studyDir?: string }>();
    const lists = (() => {
        try {
            return parseStudyLists(o);
        } catch (err) {
            return cmd.error(`error: ${(err as Error).message}`, { exitCode: 2 });
        }
    })();
    const searchArgs = cmd.args;
    const own = searchArgs.filter((a) => OWN_FLAGS.includes(a.split("=")[0]));
    if (own.length)
        cmd.error(
            `error: ${own.join(", ")} after --: the study sets these itself for every point (the stack's slots are each point's parallelism)`,
            { exitCode: 2 },
        );
    const spec: StudySpec = { stack: o.stack, ...lists, searchArgs };
    const dir =
        o.studyDir ??
        path.join(
            "studies",
            `${o.stack}_${lists.engines.join("+")}_w${lists.workers.join("+")}_${lists.queries.join("+")}`,
        );
    // Every deployment the study will make, checked before the first: none starts that a later one would refuse.
    const config = await stackConfig(o.stack);
    if (typeof config === "string")
        console.log(
            `note: stack '${o.stack}''s config could not be read before starting (${config}); each deployment checks it`,
        );
    else {
        const problems = deploymentProblems(config, deployments(spec));
        if (problems.length) {
            // Not a usage error: the stack's config is what needs changing, so no usage text.
            console.error(
                `error: the study cannot deploy every point of stack '${o.stack}'; nothing was deployed:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
            );
            process.exitCode = 2;
            return;
        }
    }
    const f = folder(dir);
    adoptSpec(f, spec);

    const total = lists.engines.length * lists.workers.length * lists.queries.length;
    const done = new Set(finishedPoints(f).map((p) => p.id));
    const todo = remaining(spec, done);
    console.log(
        `study in ${dir}: ${total} points (${lists.engines.join(", ")} x ${lists.workers.join(", ")} workers x ${lists.queries.join(", ")}), ${done.size} finished earlier${done.size ? ` (${[...done].sort().join(", ")}): not run again` : ""}`,
    );

    let child: ChildProcess | undefined;
    let interrupts = 0;
    process.on("SIGINT", () => {
        interrupts++;
        console.log(
            interrupts === 1
                ? "\ninterrupted: the study stops after the trial in flight (Ctrl-C again to stop it now); the same command resumes it"
                : "\ninterrupted again: stopping the step in flight now",
        );
        if (child?.pid) process.kill(-child.pid, "SIGINT");
    });

    const seconds: number[] = [];
    const step = async (d: Deployment) => {
        const started = Date.now();
        const tag = `${d.engine}-w${d.workers}`;
        const say = (what: string) =>
            console.log(
                progressLine({
                    done: done.size,
                    total,
                    secondsPerPoint: seconds,
                    inFlight: `${d.engine} on ${workersText(d.workers)}: ${what}`,
                }),
            );
        say(`deploying (log: ${path.join(f.logs, `${tag}-up.log`)})`);
        const up = await run(
            path.join(REPO_ROOT, "scripts", "deploy.ts"),
            ["up", "--stack", o.stack, "--engine", d.engine, "--workers", String(d.workers)],
            path.join(f.logs, `${tag}-up.log`),
            false,
            (c) => (child = c),
        );
        if (interrupts) return;
        if (up.code !== 0)
            throw new Error(
                `deploying ${d.engine} on ${workersText(d.workers)} failed (exit ${up.code}); the end of its log:\n${up.tail}\nfix that and run the same command again: the study resumes here`,
            );
        say(`searching ${d.queries.join(", ")}`);
        const runs = path.join(f.runs, tag);
        fs.mkdirSync(runs, { recursive: true });
        const bench = await run(
            path.join(REPO_ROOT, "benchmark", "cli.ts"),
            ["--stack", o.stack, "--find-max", "--queries", d.queries.join(","), "--results-dir", runs, ...searchArgs],
            path.join(f.logs, `${tag}-find-max.log`),
            true,
            (c) => (child = c),
        );
        const last = lastResults(runs, started);
        const finished = (last?.results.capacity ?? []).filter(
            (c) => c.search.end !== "aborted" && d.queries.includes(c.query),
        );
        for (const c of finished) {
            const id = pointId(d.engine, d.workers, c.query);
            const point = pointOf(last!.results, c, {
                workers: d.workers,
                results: path.relative(f.dir, last!.folder),
                id,
            });
            writeAtomically(path.join(f.points, `${id}.json`), JSON.stringify(point, null, 2) + "\n");
            done.add(id);
        }
        if (finished.length) {
            const per = (Date.now() - started) / 1000 / finished.length;
            for (let i = 0; i < finished.length; i++) seconds.push(per);
            await writeReport(f, spec, total);
        }
        if (interrupts) return;
        if (bench.code !== 0)
            throw new Error(
                `the capacity search on ${d.engine} with ${workersText(d.workers)} failed (exit ${bench.code}); the end of its output:\n${bench.tail}\nrun the same command again to resume`,
            );
    };

    for (const d of todo) {
        if (interrupts) break;
        await step(d);
    }
    const report = await writeReport(f, spec, total);
    if (interrupts) {
        const next = remaining(spec, done)[0];
        console.log(
            `stopped: ${done.size} of ${total} points finished${next ? `; the same command resumes at ${next.engine} on ${workersText(next.workers)} (${next.queries.join(", ")})` : ""}. Report so far: ${report}`,
        );
        process.exitCode = 130;
        return;
    }
    console.log(progressLine({ done: done.size, total, secondsPerPoint: seconds, inFlight: null }));
    console.log(`report: ${report} (with report.json and a chart per query)`);
    if (todo.length) {
        const lastDeployed = todo[todo.length - 1];
        console.log(
            `the stack '${o.stack}' now runs ${lastDeployed.engine} on ${workersText(lastDeployed.workers)}; 'npm run deploy -- up --stack ${o.stack}' returns it to its config`,
        );
    }
}

if (require.main === module) {
    main(process.argv).catch((err: Error) => {
        console.error(`\n${err.message}`);
        process.exit(1);
    });
}
