// npm run bench -- --find-max: a progress bar per search, a line per trial, results written at the
// end or when interrupted (Ctrl-C ends the search after the trial in flight; a second Ctrl-C stops that trial).
import { MultiBar, Presets } from "cli-progress";
import * as os from "os";
import * as path from "path";
import { engineFor } from "../engines";
import { BenchmarkOptions } from "../run";
import { NexmarkQuery } from "../queries";
import { writeResults } from "../report/results";
import { BenchmarkResults } from "../report/types";
import type { BenchArgs } from "../cliOptions";
import { CapacityResult, findCapacity, LoadSource, measureGenerator, withEfficiency } from "./run";
import { clientRecord, resolveLoadClient } from "../producer/loadClient";

export interface FindMaxContext {
    args: BenchArgs;
    queries: NexmarkQuery[];
    parallelisms: number[];
    runTag: string;
    common: Omit<
        BenchmarkOptions,
        "queries" | "eventsPerSecond" | "totalEvents" | "warmupEvents" | "parallelism" | "runTag"
    >;
    skeleton: () => Omit<BenchmarkResults, "mode" | "load" | "queries">;
    dir: string;
}

/** A trial whose generator fell more than this short of its target measured the generator, not Arroyo. */
const PRODUCER_TOLERANCE = 0.02;

export async function findMaxMain(ctx: FindMaxContext): Promise<void> {
    const { args, common } = ctx;
    const outputs = common.outputs;
    const threads = common.threads ?? os.availableParallelism();
    let load: LoadSource;
    if (args.generatorCeiling) {
        load = {
            host: os.hostname(),
            threads,
            aloneEventsPerSecond: null,
            intoBrokerEventsPerSecond: args.generatorCeiling,
            ceiling: "given",
            ...clientRecord(common.loadClient ?? resolveLoadClient()),
        };
    } else {
        console.log(
            `measuring the generator: ${args.ceilingEvents} events unpaced into ${outputs.kafkaBootstrapServers} with ${threads} thread(s)`,
        );
        load = await measureGenerator({
            bootstrapServers: outputs.kafkaBootstrapServers,
            topics: outputs.topics,
            threads,
            events: args.ceilingEvents,
            ...(common.loadClient ? { client: common.loadClient } : {}),
        });
    }
    console.log(
        `generator ceiling: ${Math.round(load.intoBrokerEventsPerSecond ?? 0)} events/s into this broker${load.aloneEventsPerSecond ? `, ${Math.round(load.aloneEventsPerSecond)} events/s generating alone` : ""} (${load.ceiling}); no trial runs above it`,
    );

    const done: CapacityResult[] = [];
    // The search under way, so an interrupted run keeps its finished trials.
    let current: CapacityResult | undefined;
    let aborted = false;
    let finishing: Promise<void> | undefined;
    const search = {
        source: args.source,
        parallelisms: ctx.parallelisms,
        startRate: args.startRate,
        resolution: args.resolution,
        maxTrials: args.maxTrials,
        trialWarmupSeconds: args.trialWarmup,
        trialWindowSeconds: args.trialDuration,
        latencySloMs: args.latencySlo ?? null,
    };
    const write = async () => {
        const base = ctx.skeleton();
        const searches =
            current && !done.includes(current) && current.search.trials.length > 0 ? [...done, current] : done;
        const results: BenchmarkResults = {
            ...base,
            configuration: { ...base.configuration, search },
            mode: "find-max",
            load,
            queries: [],
            capacity: withEfficiency(searches),
        };
        const files = await writeResults(ctx.dir, results);
        console.log(`\nwrote ${files.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
    };
    // The first Ctrl-C lets the trial in flight finish and stops the search there; a second stops
    // that trial's pipeline at once.
    let stopping = false;
    const onSigint = () => {
        if (!stopping) {
            stopping = true;
            console.log("\ninterrupted: stopping after the trial in flight (Ctrl-C again to stop it now)");
            return;
        }
        if (aborted) return;
        aborted = true;
        console.log("\ninterrupted again: stopping the current trial's pipeline and writing what was measured");
        finishing = (async () => {
            await (common.engine ?? engineFor(outputs)).removeEarlierJobs().catch(() => undefined);
            await write();
            process.exit(130);
        })();
    };
    process.on("SIGINT", onSigint);

    const tty = process.stdout.isTTY === true;
    const bars = tty
        ? new MultiBar(
              {
                  format: " {search} |{bar}| trial {value}/{total} | {rate} ev/s | bracket {bracket}",
                  hideCursor: true,
                  clearOnComplete: false,
              },
              Presets.shades_classic,
          )
        : undefined;
    let bar: ReturnType<MultiBar["create"]> | undefined;
    const say = (line: string) => (bars ? bars.log(`${line}\n`) : console.log(line));
    try {
        await findCapacity({
            ...common,
            queries: ctx.queries,
            parallelisms: ctx.parallelisms,
            runTag: ctx.runTag,
            warmupSeconds: args.trialWarmup,
            windowSeconds: args.trialDuration,
            startRate: args.startRate,
            resolution: args.resolution,
            maxTrials: args.maxTrials,
            rules: {
                lagThreshold: args.lagThreshold,
                producerTolerance: PRODUCER_TOLERANCE,
                ...(args.latencySlo ? { latencySloMs: args.latencySlo } : {}),
            },
            ...(load.intoBrokerEventsPerSecond ? { generatorCeiling: load.intoBrokerEventsPerSecond } : {}),
            ...(args.source === "nexmark" ? { nexmarkSource: true } : {}),
            aborted: () => stopping,
            onSearchStart: (q, p) => {
                const title = ctx.queries.find((x) => x.id === q)?.title ?? q;
                current = {
                    query: q,
                    title,
                    parallelism: p,
                    efficiency: null,
                    search: {
                        mst: null,
                        end: "aborted",
                        note: "interrupted by the user during this search",
                        trials: [],
                    },
                };
                bar?.stop();
                bar = bars?.create(args.maxTrials, 0, { search: `${q} p=${p}`, rate: args.startRate, bracket: "-" });
                if (!bars) console.log(`${q} at parallelism ${p}: searching from ${args.startRate} events/s`);
            },
            onTrial: (q, p, t, bracket) => {
                if (current) {
                    current.search.trials.push(t);
                    const best = current.search.trials.filter((x) => x.pass).sort((a, b) => b.rate - a.rate)[0];
                    current.search.mst = best ? { rate: best.rate, inputRate: best.inputRate } : null;
                }
                bar?.increment(1, { rate: t.rate, bracket: `${bracket.pass ?? "?"}-${bracket.fail ?? "?"}` });
                say(
                    `${q} p=${p}: ${t.rate} events/s -> ${t.pass ? "pass" : "FAIL"} (input ${Math.round(t.inputRate ?? 0)}/s, lag trend ${Math.round(t.lagTrend ?? 0)}/s${t.p99Ms !== null ? `, p99 ${t.p99Ms} ms` : ""}; ${t.why}) in ${t.seconds.toFixed(0)} s`,
                );
            },
            onSearchEnd: (r) => {
                done.push(r);
                // Its result replaces the placeholder kept for an interrupt.
                current = undefined;
                say(`${r.query} p=${r.parallelism}: ${r.search.note}`);
                if (r.bottleneck) say(`${r.query} p=${r.parallelism}: bottleneck: ${r.bottleneck}`);
            },
            log: (line) => say(line),
        });
    } finally {
        bars?.stop();
    }
    if (finishing) return finishing;
    process.off("SIGINT", onSigint);
    await write();
    // An interrupted search says so to whatever ran it (npm run study resumes from the finished ones).
    if (stopping) process.exitCode = 130;
    for (const r of done)
        console.log(
            `${r.query} p=${r.parallelism}: ${r.search.mst ? `MST ${r.search.mst.rate} events/s (input ${Math.round(r.search.mst.inputRate ?? 0)}/s)` : "no MST"}${r.efficiency !== null ? `, efficiency ${r.efficiency.toFixed(2)}` : ""}; ${r.search.end}`,
        );
}
