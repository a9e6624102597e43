import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { renderCharts } from "./charts";
import { summaryMarkdown } from "./summary";
import { BenchmarkResults } from "./types";

export { BenchmarkResults } from "./types";

function gitCommit(): string | null {
    try {
        return execFileSync("git", ["rev-parse", "HEAD"], { cwd: __dirname, stdio: ["ignore", "pipe", "ignore"] })
            .toString()
            .trim();
    } catch {
        return null;
    }
}

export function toolInfo(): BenchmarkResults["tool"] {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as {
        version: string;
    };
    return { name: "arroyo-pi", version: pkg.version, gitCommit: gitCommit() };
}

/** Writes results.json, summary.md and the charts into `dir`; returns the files written. */
export async function writeResults(dir: string, results: BenchmarkResults): Promise<string[]> {
    fs.mkdirSync(dir, { recursive: true });
    const files: string[] = [];
    const write = (name: string, content: string) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, content);
        files.push(file);
    };
    write("results.json", JSON.stringify(results, null, 2) + "\n");
    write("summary.md", summaryMarkdown(results));
    for (const [name, svg] of Object.entries(await renderCharts(results))) write(name, svg);
    return files;
}
