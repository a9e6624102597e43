// npm run bench -- --stack local --queries q0,q1 --events-per-second 50000 --total-events 1000000
import { Command, Option } from "commander";
import { SingleBar, Presets } from "cli-progress";
import * as os from "os";
import * as path from "path";
import { findMaxMain } from "./capacity/cli";
import { listQueries, NOT_INCLUDED, selectQueries } from "./queries";
import { DEFAULT_ENGINE, ENGINE_ENDPOINT_OUTPUTS, ENGINES, EngineName } from "../config/defaults";
import { engineProfile } from "./engines/profiles";
import { engineFor } from "./engines";
import {
    BenchArgs,
    baseTime,
    fraction,
    parallelismList,
    positiveInt,
    nonNegativeInt,
    positiveNumber,
    queryList,
} from "./cliOptions";

export type { BenchArgs };
import { DEFAULT_LAG_THRESHOLD, runBenchmark } from "./run";
import { loadStackOutputs } from "./stackOutputs";
import { toolInfo, writeResults } from "./report/results";
import { BenchmarkResults, RESULTS_SCHEMA_VERSION } from "./report/types";
import {
    clientRecord,
    DEFAULT_LOAD_CLIENT,
    ensureLoadClientBuilt,
    LOAD_CLIENT_CHOICES,
    LoadClient,
    resolveLoadClient,
} from "./producer/loadClient";

export function benchCommand(): Command {
    return new Command("bench")
        .description(
            "Drive Nexmark load through the stack's engine (Arroyo or Flink) and write results people can check",
        )
        .option("--stack <name>", "Pulumi stack whose outputs name the cluster", "local")
        .addOption(
            new Option(
                "--engine <name>",
                "the engine to drive; it must be the one the stack runs (default: the stack's, output 'engine')",
            ).choices([...ENGINES]),
        )
        .option("--outputs-file <file>", "read the stack outputs from this file (pulumi stack output --json > file)")
        .option("--queries <list>", "comma-separated queries to run", queryList, ["q0", "q1", "q2"])
        .option("--events-per-second <n>", "target load rate", positiveInt("--events-per-second"), 50_000)
        .option("--total-events <n>", "events sent per query, exactly", positiveInt("--total-events"), 3_000_000)
        .option(
            "--warmup-events <n>",
            "events sent before the measured window opens (default: 10% of --total-events)",
            nonNegativeInt("--warmup-events"),
        )
        .option(
            "--duration <seconds>",
            "length of the measured window (default: until the load ends)",
            positiveNumber("--duration"),
        )
        .option(
            "--parallelism <list>",
            "pipeline parallelism (default: the cluster's task slots); with --find-max a list such as 1,2,4, or 'all' (1 to the task slots)",
            parallelismList,
        )
        .option("--seed <n>", "generator seed: the same seed sends the same events", nonNegativeInt("--seed"), 1)
        .option("--threads <n>", "producer threads (default: this machine's cores)", positiveInt("--threads"))
        .addOption(
            new Option("--compression <codec>", "Kafka compression of the load")
                .choices(["none", "gzip"])
                .default("none"),
        )
        .addOption(
            new Option(
                "--load-client <client>",
                "Kafka client of the load: auto (confluent where built, else kafkajs with a warning), confluent (librdkafka, 3x faster, built by 'toolchain/run.sh kafka-javascript'), or kafkajs",
            )
                .choices([...LOAD_CLIENT_CHOICES])
                .default(DEFAULT_LOAD_CLIENT),
        )
        .option("--results-dir <dir>", "where results/<timestamp>/ is written", "results")
        .option(
            "--checkpoint-interval <seconds>",
            "checkpoint interval of the pipelines, 1 s to 1 day; Arroyo commits its progress to Kafka at each checkpoint (default: the stack's cluster.checkpointIntervalSeconds)",
            positiveNumber("--checkpoint-interval"),
        )
        .option(
            "--sample-interval <seconds>",
            "how often Kafka offsets and the job's state are sampled",
            positiveNumber("--sample-interval"),
            1,
        )
        .option(
            "--metrics-interval <seconds>",
            "how often Arroyo's operator metrics and the hosts' CPU and memory are sampled",
            positiveNumber("--metrics-interval"),
            10,
        )
        .option(
            "--lag-threshold <fraction>",
            "a lag trend above this fraction of the input rate is not sustainable",
            fraction("--lag-threshold"),
            DEFAULT_LAG_THRESHOLD,
        )
        .option("--allow-invalid", "exit 0 even when a query's job restarted or failed in its measured window", false)
        .option(
            "--allow-throttled",
            "keep a query or trial valid when a host was throttled, capped or under-voltage in its window (it is still marked)",
            false,
        )
        .option("--keep-results-topics", "keep each query's results topic after its run", false)
        .option(
            "--verify",
            "read each stateless query's results topic (q0, q1, q2, q14, q21, q22) and check every record against the events sent: matched, missing and extra records per query; with --base-time, record every other query's output for npm run compare",
            false,
        )
        .option(
            "--base-time <instant>",
            "stamp the events from this instant (e.g. 2026-01-01T00:00:00Z) instead of the load's start, the same in every run: with --verify each stateful query's output is recorded for npm run compare; no latency is measured",
            baseTime,
        )
        .option(
            "--no-host-metrics",
            "do not sample CPU and memory from the hosts' Docker engines, nor their throttling, temperature and clock",
        )
        .option(
            "--list-queries",
            "list the queries with their titles, and those not included with why, then exit",
            false,
        )
        .option("--find-max", "search each query's maximum sustainable throughput instead of running one rate", false)
        .option("--start-rate <n>", "--find-max: first trial's rate, events/s", positiveInt("--start-rate"), 10_000)
        .option(
            "--resolution <fraction>",
            "--find-max: stop when the bracket is this narrow",
            fraction("--resolution"),
            0.05,
        )
        .option(
            "--max-trials <n>",
            "--find-max: most trials per query and parallelism",
            positiveInt("--max-trials"),
            12,
        )
        .option(
            "--latency-slo <ms>",
            "--find-max: a trial also fails when its p99 latency exceeds this",
            positiveNumber("--latency-slo"),
        )
        .option("--trial-warmup <seconds>", "--find-max: warm-up of each trial", positiveNumber("--trial-warmup"), 20)
        .option(
            "--trial-duration <seconds>",
            "--find-max: measured window of each trial",
            positiveNumber("--trial-duration"),
            60,
        )
        .addOption(
            new Option(
                "--source <kind>",
                "--find-max: with 'nexmark', also search each query's ceiling on Arroyo's built-in Nexmark source (no generator, no Kafka source; event_rate = the trial's rate) and say which part of the path limits it",
            )
                .choices(["kafka", "nexmark"])
                .default("kafka"),
        )
        .option(
            "--generator-ceiling <n>",
            "--find-max: the generator's ceiling into this broker, events/s, instead of measuring it",
            positiveInt("--generator-ceiling"),
        )
        .option(
            "--ceiling-events <n>",
            "--find-max: events sent unpaced to measure the generator's ceiling",
            positiveInt("--ceiling-events"),
            500_000,
        )
        .showHelpAfterError();
}

/** Checks flags against each other and the cluster, before anything runs. */
export function checkArgs(
    args: BenchArgs,
    totalSlots: number,
    stackCheckpointSeconds: number,
    engine: EngineName = args.engine ?? DEFAULT_ENGINE,
): string[] {
    const checkpointSeconds = args.checkpointInterval ?? stackCheckpointSeconds;
    const problems: string[] = [];
    // arroyo-api/src/pipelines.rs refuses an interval outside 1 s .. 1 day with a 400, but only
    // after it has inserted the pipeline's row (jobs.rs): refused here, before anything is sent.
    // The same range holds for Flink, so the engines are compared on the same terms.
    if (checkpointSeconds < 1 || checkpointSeconds > 86_400) {
        problems.push(
            `${args.checkpointInterval === undefined ? "the stack's cluster.checkpointIntervalSeconds" : "--checkpoint-interval"} ${checkpointSeconds} s is outside what Arroyo accepts (1 s to 1 day, 86400 s): choose a value in that range`,
        );
    }
    if (args.source === "nexmark" && !engineProfile(engine).builtInNexmarkSource)
        problems.push(
            `--source nexmark reads Nexmark from the engine's own generator, which ${engineProfile(engine).label} does not have (Arroyo has); the run drives ${engine}: leave --source out`,
        );
    const warmup = args.warmupEvents ?? Math.floor(args.totalEvents / 10);
    if (!args.findMax && warmup >= args.totalEvents)
        problems.push(
            `--warmup-events (${warmup}) must be smaller than --total-events (${args.totalEvents}), or nothing is measured`,
        );
    const parallelisms = parallelismsOf(args, totalSlots);
    const tooMany = parallelisms.filter((p) => p > totalSlots);
    if (tooMany.length) {
        problems.push(
            `--parallelism ${tooMany.join(",")} exceeds the cluster's ${totalSlots} task slots (stack output totalSlots): Arroyo could never schedule the job; use at most ${totalSlots} or add workers`,
        );
    }
    if (args.findMax && args.baseTime !== undefined)
        problems.push(
            "--base-time fixes the events of a fixed-rate run for comparing outputs; a --find-max search's trials each send their own: leave one of them out",
        );
    if (args.findMax && args.verify)
        problems.push(
            "--verify checks the output of a fixed-rate run; a --find-max search runs many short trials: leave one of them out",
        );
    if (!args.findMax && args.source === "nexmark")
        problems.push(
            "--source nexmark measures the pipeline's own ceiling beside a --find-max search: add --find-max",
        );
    if (!args.findMax && parallelisms.length > 1)
        problems.push(
            `--parallelism takes one value without --find-max (got ${parallelisms.join(",")}); add --find-max to search each of them`,
        );
    for (const id of args.queries)
        if (NOT_INCLUDED[engine][id])
            problems.push(`--queries: ${id} is not included for ${engine}: ${NOT_INCLUDED[engine][id]}`);
    const windowSeconds = args.findMax
        ? args.trialDuration
        : Math.min(args.duration ?? Infinity, (args.totalEvents - warmup) / args.eventsPerSecond);
    if (windowSeconds < 3 * checkpointSeconds) {
        problems.push(
            `the measured window (${windowSeconds.toFixed(1)} s) holds fewer than 3 checkpoints of ${checkpointSeconds} s, and progress is measured at checkpoints: ` +
                `${args.findMax ? "raise --trial-duration" : "raise --total-events or --duration"}, or lower --checkpoint-interval`,
        );
    }
    if (args.sampleInterval > checkpointSeconds / 2)
        problems.push(
            `--sample-interval ${args.sampleInterval} s must be at most half the checkpoint interval (${checkpointSeconds} s) to see each commit`,
        );
    return problems;
}

/** The parallelisms to run: the flag's list, 'all' (1 to the task slots), or the task slots. */
export function parallelismsOf(args: Pick<BenchArgs, "parallelism">, totalSlots: number): number[] {
    if (args.parallelism === "all") return Array.from({ length: totalSlots }, (_, i) => i + 1);
    return args.parallelism ?? [totalSlots];
}

/** `--list-queries`: every engine's queries, and the reference queries not included with the reason. */
function printQueryList(engines: readonly EngineName[]): void {
    for (const engine of engines) {
        console.log(`${engine}:`);
        for (const q of listQueries(engine)) console.log(`  ${q.id.padEnd(4)} ${q.title}`);
        console.log(`  not included:`);
        for (const [id, why] of Object.entries(NOT_INCLUDED[engine])) console.log(`  ${id.padEnd(4)} ${why}`);
    }
}

/**
 * The run's queries, stack outputs and engine, with every flag checked against them; a refusal
 * names each problem. Queries no engine in question can run are named before the stack is read.
 */
async function resolveRun(args: BenchArgs) {
    const refusals = (args.engine ? [args.engine] : [...ENGINES]).map((e) => {
        try {
            selectQueries(args.queries, e);
            return null;
        } catch (err) {
            return (err as Error).message;
        }
    });
    if (refusals.every((r) => r !== null)) throw new Error(refusals.join("\n       "));
    const outputs = await loadStackOutputs({
        stack: args.stack,
        ...(args.outputsFile ? { outputsFile: args.outputsFile } : {}),
    });
    const engineName = args.engine ?? outputs.engine;
    const engine = engineFor(outputs, engineName);
    const queries = selectQueries(args.queries, engineName);
    const problems = checkArgs(args, outputs.totalSlots, outputs.checkpointIntervalSeconds, engineName);
    if (problems.length) throw new Error(problems.join("\n       "));
    ensureLoadClientBuilt(args.loadClient);
    const loadClient = resolveLoadClient(args.loadClient);
    return { outputs, engineName, engine, queries, loadClient };
}

/** What every results.json of this run holds, whatever its mode: the configuration, versions and topology. */
export function resultsSkeleton(
    args: BenchArgs,
    run: Pick<Awaited<ReturnType<typeof resolveRun>>, "outputs" | "engineName" | "queries">,
    startedAt: Date,
    parallelism: number,
    checkpointIntervalSeconds: number,
): () => Omit<BenchmarkResults, "mode" | "load" | "queries"> {
    const { outputs, engineName, queries } = run;
    return () => ({
        schemaVersion: RESULTS_SCHEMA_VERSION,
        tool: toolInfo(),
        startedAt: startedAt.toISOString(),
        finishedAt: new Date().toISOString(),
        configuration: {
            stack: outputs.stack,
            queries: queries.map((q) => q.id),
            eventsPerSecond: args.eventsPerSecond,
            totalEvents: args.totalEvents,
            warmupEvents: args.warmupEvents ?? Math.floor(args.totalEvents / 10),
            durationSeconds: args.duration ?? null,
            parallelism,
            checkpointIntervalSeconds,
            sampleIntervalSeconds: args.sampleInterval,
            metricsIntervalSeconds: args.metricsInterval,
            lagThreshold: args.lagThreshold,
            allowThrottled: args.allowThrottled,
            seed: args.seed,
            ...(args.baseTime !== undefined ? { baseTimeMs: args.baseTime } : {}),
            producerThreads: args.threads ?? os.availableParallelism(),
            generatorNotes: [
                "bidder ids add the first person id once (the Java reference adds it twice)",
                "records are JSON with RFC 3339 event times; `extra` is sized as the reference sizes it (average 200/500/100 bytes per person/auction/bid counted over the fields' own sizes, numbers as 8 bytes), so the JSON averages ~318/647/255 bytes",
                "bid urls and channel ids follow the reference's BidGenerator (one url per channel per run, 9 of 10 non-hot channels with channel_id), drawn from our own seeded stream",
            ],
        },
        versions: { images: outputs.images, node: process.version },
        topology: {
            engine: engineName,
            hosts: outputs.hosts,
            totalSlots: outputs.totalSlots,
            partitions: outputs.partitions,
            ...(outputs.budget ? { budget: outputs.budget } : {}),
            ...(outputs.engineSettings ? { engineSettings: outputs.engineSettings } : {}),
            engineUrl: outputs[ENGINE_ENDPOINT_OUTPUTS[engineName][0]] ?? "",
            kafkaBootstrapServers: outputs.kafkaBootstrapServers,
        },
    });
}

/** The results.json of a fixed-rate run: the skeleton, the load as this machine sent it, and each query's run. */
export function fixedRateResults(
    skeleton: ReturnType<typeof resultsSkeleton>,
    runs: BenchmarkResults["queries"],
    loadClient: LoadClient,
): BenchmarkResults {
    return {
        ...skeleton(),
        mode: "fixed-rate",
        load: {
            host: os.hostname(),
            threads: runs[0]?.produce.threads ?? 0,
            aloneEventsPerSecond: null,
            intoBrokerEventsPerSecond: null,
            ceiling: "not measured",
            ...clientRecord(loadClient),
        },
        queries: runs,
    };
}

/** Progress of the load: a bar on a terminal, a line per tenth otherwise; log lines close the bar first. */
function progressReporter(): {
    log: (line: string) => void;
    onProgress: (query: string, acked: number, total: number) => void;
} {
    const tty = process.stdout.isTTY === true;
    const bar = tty
        ? new SingleBar(
              { format: " {query} |{bar}| {value}/{total} events | {eta_formatted} left", hideCursor: true },
              Presets.shades_classic,
          )
        : undefined;
    let barQuery = "";
    let lastTenth = -1;
    return {
        log: (line) => {
            if (bar && barQuery) {
                bar.stop();
                barQuery = "";
            }
            console.log(line);
        },
        onProgress: (query, acked, total) => {
            if (bar) {
                if (barQuery !== query) {
                    barQuery = query;
                    bar.start(total, 0, { query });
                }
                bar.update(acked, { query });
                if (acked >= total) {
                    bar.stop();
                    barQuery = "";
                }
            } else {
                const tenth = Math.floor((acked / total) * 10);
                if (tenth !== lastTenth) {
                    lastTenth = tenth;
                    console.log(`${query}: ${acked}/${total} events sent`);
                }
            }
        },
    };
}

/** One line per query: what Kafka measured, the latency, the verification and the validity. */
function printRunLines(runs: BenchmarkResults["queries"]): void {
    const n = (x: number | null) => (x === null ? "n/a" : String(Math.round(x)));
    for (const r of runs) {
        const f = r.figures;
        console.log(
            `${r.id}: input ${n(f.kafka.inputRate)}/s, consumed ${n(f.kafka.consumedRate)}/s, lag trend ${n(f.kafka.lagTrend)}/s (${f.kafka.sustainable === null ? "too few samples" : f.kafka.sustainable ? "sustainable" : "NOT sustainable"}), ` +
                `output ${n(f.kafka.outputRate)}/s` +
                (f.latencyMs?.count ? `, latency p50 ${f.latencyMs.p50} ms p99 ${f.latencyMs.p99} ms` : "") +
                (r.verification && "matched" in r.verification
                    ? `; output verified: ${r.verification.matched} matched, ${r.verification.missing} missing, ${r.verification.extra} extra`
                    : "") +
                (r.validity.valid ? "" : `; INVALID: ${r.validity.reasons.join("; ")}`),
        );
    }
}

export async function main(argv: string[]): Promise<void> {
    const cmd = benchCommand();
    cmd.parse(argv);
    const args = cmd.opts<BenchArgs>();
    const fail = (message: string): never => cmd.error(`error: ${message}`, { exitCode: 2 });
    if (args.listQueries) return printQueryList(args.engine ? [args.engine] : ENGINES);

    const run = await resolveRun(args).catch((err: Error) => fail(err.message));
    const { outputs, engine, queries, loadClient } = run;
    const startedAt = new Date();
    const runTag = startedAt
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d+Z$/, "z")
        .toLowerCase();
    const warmupEvents = args.warmupEvents ?? Math.floor(args.totalEvents / 10);
    const parallelisms = parallelismsOf(args, outputs.totalSlots);
    const parallelism = parallelisms[0];
    const checkpointIntervalSeconds = args.checkpointInterval ?? outputs.checkpointIntervalSeconds;
    if (loadClient.kind === "kafkajs" && loadClient.fallback)
        console.warn(
            `warning: the load goes through ${loadClient.description}, about 3x slower (npm run perf:generator): ${loadClient.fallback}`,
        );
    const common = {
        outputs,
        engine,
        loadClient,
        seed: args.seed,
        ...(args.threads ? { threads: args.threads } : {}),
        compression: args.compression,
        checkpointIntervalSeconds,
        sampleIntervalMs: args.sampleInterval * 1000,
        metricsIntervalMs: args.metricsInterval * 1000,
        lagThreshold: args.lagThreshold,
        hostMetrics: args.hostMetrics,
        allowThrottled: args.allowThrottled,
        keepResultsTopics: args.keepResultsTopics,
        verify: args.verify,
        ...(args.baseTime !== undefined ? { baseTimeMs: args.baseTime } : {}),
    };
    const skeleton = resultsSkeleton(args, run, startedAt, parallelism, checkpointIntervalSeconds);
    const dir = path.join(args.resultsDir, startedAt.toISOString().replace(/:/g, "-"));
    if (args.findMax) return findMaxMain({ args, queries, parallelisms, runTag, common, skeleton, dir });

    const progress = progressReporter();

    console.log(
        `Nexmark on ${engine.profile.label}, stack '${outputs.stack}': ${queries.map((q) => q.id).join(", ")} at ${args.eventsPerSecond} events/s, ${args.totalEvents} events each, parallelism ${parallelism}`,
    );
    const runs = await runBenchmark({
        ...common,
        queries,
        eventsPerSecond: args.eventsPerSecond,
        totalEvents: args.totalEvents,
        warmupEvents,
        ...(args.duration ? { durationSeconds: args.duration } : {}),
        parallelism,
        runTag,
        ...progress,
    });

    const files = await writeResults(dir, fixedRateResults(skeleton, runs, loadClient));
    console.log(`\nwrote ${files.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
    printRunLines(runs);
    const invalid = runs.filter((r) => !r.validity.valid);
    if (invalid.length > 0 && !args.allowInvalid) {
        console.error(
            `${invalid.map((r) => r.id).join(", ")} ${invalid.length === 1 ? "is" : "are"} invalid (a restart or failure in the measured window, or a throttled host); results were written, exiting 3 (--allow-invalid exits 0)`,
        );
        process.exitCode = 3;
    }
}

if (require.main === module) {
    main(process.argv).catch((err: Error) => {
        console.error(`bench failed: ${err.message}`);
        process.exit(1);
    });
}
