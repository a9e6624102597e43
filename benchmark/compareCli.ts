// npm run compare -- <results A> <results B> [--out <dir>]
// Two runs of the benchmark side by side, e.g. Arroyo's and Flink's on the same Pis: per query the
// figures of both, with the ratio, as JSON, Markdown and a chart. Refuses runs whose load, hosts or
// parallelism differ, saying which.
import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { BenchmarkResults } from "./report/types";
import { checkResults } from "./report/schema";
import { comparisonChartData, comparisonMarkdown, compareResults, IncomparableError } from "./report/compare";
import { toSvg } from "./report/charts";

/** A results folder (or its results.json), read and checked to be this version's results. */
export function readResults(where: string): { results: BenchmarkResults; folder: string } {
    const file = fs.existsSync(where) && fs.statSync(where).isDirectory() ? path.join(where, "results.json") : where;
    if (!fs.existsSync(file))
        throw new Error(`${where}: no results.json there (give a folder 'npm run bench' wrote, or its results.json)`);
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new Error(`${file} is not JSON: ${(err as Error).message}`, { cause: err });
    }
    // Checked, then taken as the writer's type: the schema holds every field the comparison reads.
    checkResults(parsed, file);
    return { results: parsed as BenchmarkResults, folder: path.dirname(file) };
}

export async function main(argv: string[]): Promise<void> {
    const cmd = new Command("compare")
        .description(
            "Compare two benchmark runs (the same queries, load, hosts and parallelism), e.g. Arroyo's against Flink's",
        )
        .argument("<a>", "results folder (or results.json) of the first run")
        .argument("<b>", "results folder (or results.json) of the second run; ratios are b / a")
        .option(
            "--out <dir>",
            "where comparison.json, comparison.md and comparison.svg are written",
            "results/comparison",
        )
        .showHelpAfterError();
    cmd.parse(argv);
    const [aArg, bArg] = cmd.args;
    const out = cmd.opts<{ out: string }>().out;
    let comparison;
    try {
        const a = readResults(aArg);
        const b = readResults(bArg);
        comparison = compareResults(a.results, b.results, { a: a.folder, b: b.folder });
    } catch (err) {
        const lines =
            err instanceof IncomparableError
                ? [
                      "the two runs cannot be compared:",
                      ...err.differences.map((d) => `  - ${d}`),
                      "run both with the same flags on the same stack",
                  ]
                : [(err as Error).message];
        return cmd.error(`error: ${lines.join("\n")}`, { exitCode: 2 });
    }
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, "comparison.json"), JSON.stringify(comparison, null, 2) + "\n");
    fs.writeFileSync(path.join(out, "comparison.md"), comparisonMarkdown(comparison));
    const measure =
        comparison.mode === "find-max" ? "maximum sustainable throughput, events/s" : "consumed, events/s (Kafka)";
    fs.writeFileSync(
        path.join(out, "comparison.svg"),
        await toSvg({
            $schema: "https://vega.github.io/schema/vega-lite/v5.json",
            data: { values: comparisonChartData(comparison) },
            mark: "bar",
            encoding: {
                x: { field: "query", type: "nominal", title: null },
                xOffset: { field: "engine" },
                y: { field: "rate", type: "quantitative", title: measure },
                color: { field: "engine", type: "nominal" },
            },
            width: 480,
            height: 260,
        }),
    );
    console.log(
        `wrote ${["comparison.json", "comparison.md", "comparison.svg"].map((f) => path.join(out, f)).join(", ")}`,
    );
}

if (require.main === module) {
    main(process.argv).catch((err: Error) => {
        console.error(`compare failed: ${err.message}`);
        process.exit(1);
    });
}
