// A study's figures from its points, free of I/O: each point is one capacity search (a query on an
// engine over the first N workers), the report sets them side by side per query: the MST of each
// engine per worker count (the capacity curve), the scaling efficiency MST(N) / (N x MST(1)), the
// MST per core and per GB of the workers' budget, p99 and checkpoint duration at the MST, and what
// could make a point untrustworthy.
import type { EngineName } from "../../config/defaults";
import type { CapacityResult, LoadSource, SearchEnd } from "../capacity/types";
import { engineLabelOf, num } from "../report/format";
import type { BenchmarkResults } from "../report/types";

/** One finished point of a study, as written to points/<engine>-w<N>-<query>.json. */
export interface StudyPoint {
    id: string;
    engine: EngineName;
    /** "Flink", "Arroyo", or "Arroyo (test double, not Arroyo)". */
    engineLabel: string;
    workers: number;
    query: string;
    title: string;
    parallelism: number;
    totalSlots: number;
    budget: { memoryPerSlotMb: number; cpusPerWorker: number | null } | null;
    /** MB the workers' engine containers may use in all (slots x memory per slot); null where the stack did not export a budget. */
    memoryMb: number | null;
    /** CPUs the workers' engine containers may use in all (workers x cpusPerWorker); null without a CPU limit. */
    cpus: number | null;
    /** The highest rate that passed: the generator's target and the query's input rate. */
    mst: { rate: number; inputRate: number | null } | null;
    end: SearchEnd;
    note: string;
    trials: number;
    p99MsAtMst: number | null;
    checkpointMsP50AtMst: number | null;
    /** What could have capped or spoiled the point: generator-bound, restarted, throttled. */
    flags: string[];
    load: LoadSource;
    /** The find-max run behind the point, relative to the study folder. */
    results: string;
    finishedAt: string;
}

/** The point a finished capacity search makes, with the run's topology and load. */
export function pointOf(
    r: BenchmarkResults,
    c: CapacityResult,
    at: { workers: number; results: string; id: string },
): StudyPoint {
    const budget = r.topology.budget ?? null;
    const best = c.search.mst ? c.search.trials.find((t) => t.pass && t.rate === c.search.mst!.rate) : undefined;
    const whys = c.search.trials.map((t) => t.why);
    const flags = [
        ...(c.search.end === "generator-bound" || c.search.trials.some((t) => t.generatorBound)
            ? ["generator-bound"]
            : []),
        ...(whys.some((w) => /restart/i.test(w)) ? ["restarted"] : []),
        ...(whys.some((w) => /throttl/i.test(w)) ? ["throttled"] : []),
    ];
    return {
        id: at.id,
        engine: r.topology.engine,
        engineLabel: engineLabelOf(r),
        workers: at.workers,
        query: c.query,
        title: c.title,
        parallelism: c.parallelism,
        totalSlots: r.topology.totalSlots,
        budget,
        memoryMb: budget ? r.topology.totalSlots * budget.memoryPerSlotMb : null,
        cpus: budget?.cpusPerWorker ? at.workers * budget.cpusPerWorker : null,
        mst: c.search.mst,
        end: c.search.end,
        note: c.search.note,
        trials: c.search.trials.length,
        p99MsAtMst: best?.p99Ms ?? null,
        checkpointMsP50AtMst: best?.checkpointMsP50 ?? null,
        flags,
        load: r.load,
        results: at.results,
        finishedAt: r.finishedAt,
    };
}

/** One row of a query's table: a point with the figures derived from it and its engine's 1-worker point. */
export interface StudyRow extends StudyPoint {
    /** MST(N) / (N x MST(1)) on the input rate; null without a 1-worker point or an MST. */
    efficiency: number | null;
    perCpu: number | null;
    perGb: number | null;
}

export interface StudyReport {
    queries: { query: string; title: string; rows: StudyRow[] }[];
    /** Budgets differ between points: the comparison says so, naming both. */
    budgetNotes: string[];
    double: boolean;
}

export function studyReport(points: StudyPoint[]): StudyReport {
    const order = (a: StudyPoint, b: StudyPoint) =>
        a.engine === b.engine ? a.workers - b.workers : a.engine < b.engine ? -1 : 1;
    const queries = [...new Set(points.map((p) => p.query))].map((query) => {
        const mine = points.filter((p) => p.query === query).sort(order);
        const rows = mine.map((p): StudyRow => {
            const one = mine.find((x) => x.engine === p.engine && x.workers === 1)?.mst?.inputRate;
            const input = p.mst?.inputRate ?? null;
            return {
                ...p,
                efficiency: one && input ? input / (p.workers * one) : null,
                perCpu: input !== null && p.cpus ? input / p.cpus : null,
                perGb: input !== null && p.memoryMb ? input / (p.memoryMb / 1024) : null,
            };
        });
        return { query, title: mine[0].title, rows };
    });
    const budgets = [...new Set(points.map((p) => JSON.stringify(p.budget)))];
    const budgetNotes =
        budgets.length > 1
            ? [
                  `the points ran on different budgets per worker (${budgets.join(" vs ")}): their figures are not comparable`,
              ]
            : [];
    return { queries, budgetNotes, double: points.some((p) => /test double/.test(p.engineLabel)) };
}

const mstText = (r: StudyRow) =>
    r.mst
        ? `${r.end === "generator-bound" ? "at least " : ""}${num(r.mst.inputRate)} (${num(r.mst.rate)} target)`
        : "none sustained";

export function studyMarkdown(report: StudyReport, spec: { stack: string; searchArgs: string[] }): string {
    const lines = [
        `# Study on stack '${spec.stack}'`,
        "",
        "Each point is one capacity search (`npm run bench -- --find-max`) of a query on an engine over the first N workers of the stack: the MST is the highest rate whose trial kept up (lag trend on Kafka within the threshold, job valid), as the query's input events/s, with the generator's target beside it. Efficiency is MST(N) / (N x MST(1)) per engine; per CPU and per GB divide the MST by the workers' budget (CPUs: workers x cluster.cpusPerWorker, n/a without a CPU limit; GB: task slots x memory per slot).",
        "",
        `Search flags: ${spec.searchArgs.length ? "`" + spec.searchArgs.join(" ") + "`" : "the defaults"}.`,
        ...(report.double
            ? [
                  "",
                  "**Arroyo here is this project's test double** (test/doubles/), not Arroyo: its figures say how fast the benchmark and Kafka go, not how Arroyo does.",
              ]
            : []),
        ...report.budgetNotes.map((n) => `\n**Not comparable:** ${n}.`),
    ];
    for (const q of report.queries) {
        lines.push(
            "",
            `## ${q.query}: ${q.title}`,
            "",
            `![${q.query}](${q.query}-scaling.svg)`,
            "",
            "| engine | workers | parallelism | MST, input events/s | efficiency | per CPU | per GB | p99 at MST, ms | checkpoint at MST, ms | trials | how it ended | flags |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
            ...q.rows.map(
                (r) =>
                    `| ${r.engineLabel} | ${r.workers} | ${r.parallelism} | ${mstText(r)} | ${num(r.efficiency, 2)} | ${num(r.perCpu)} | ${num(r.perGb)} | ${num(r.p99MsAtMst)} | ${num(r.checkpointMsP50AtMst)} | ${r.trials} | ${r.end}: ${r.note} | ${r.flags.join(", ") || "none"} |`,
            ),
        );
    }
    return lines.join("\n") + "\n";
}

/** A query's capacity curve: MST against workers, a line per engine, with each engine's ideal (N x MST(1)) dashed. */
export function scalingChartSpec(q: StudyReport["queries"][number]): Record<string, unknown> {
    const measured = q.rows
        .filter((r) => r.mst?.inputRate != null)
        .map((r) => ({ engine: r.engineLabel, workers: r.workers, mst: r.mst!.inputRate, series: "measured" }));
    const ideal = q.rows.flatMap((r) => {
        const one = q.rows.find((x) => x.engine === r.engine && x.workers === 1)?.mst?.inputRate;
        return one ? [{ engine: r.engineLabel, workers: r.workers, mst: one * r.workers, series: "ideal" }] : [];
    });
    return {
        $schema: "https://vega.github.io/schema/vega-lite/v5.json",
        title: `${q.query}: MST by workers`,
        width: 420,
        height: 260,
        data: { values: [...measured, ...ideal] },
        mark: { type: "line", point: true },
        encoding: {
            x: { field: "workers", type: "quantitative", title: "workers", axis: { tickMinStep: 1 } },
            y: { field: "mst", type: "quantitative", title: "MST, input events/s" },
            color: { field: "engine", type: "nominal" },
            strokeDash: { field: "series", type: "nominal", title: "" },
        },
    };
}
