// How the perf scripts report repeated measurements: each figure as its median with the range
// around it, in a Markdown table that pastes into the README as printed.

export interface Spread {
    min: number;
    /** The middle measurement (the upper one of an even count). */
    median: number;
    max: number;
}

export function spread(xs: number[]): Spread {
    const s = [...xs].sort((a, b) => a - b);
    return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

/** "median (min-max)", each number written by `write`. */
export function formatSpread(s: Spread, write: (x: number) => string): string {
    return `${write(s.median)} (${write(s.min)}-${write(s.max)})`;
}

/** Prints a Markdown table after an empty line. */
export function printTable(header: string[], rows: string[][]): void {
    console.log(`\n| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
    for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}
