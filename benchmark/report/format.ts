// How the reports print what a run measured and what it ran on.
import { engineProfile } from "../engines/profiles";
import type { BenchmarkResults } from "./types";

/** A figure as the reports print it: grouped digits, fixed decimals, "n/a" for what was not measured. */
export const num = (x: number | null | undefined, digits = 0) =>
    x === null || x === undefined || !Number.isFinite(x)
        ? "n/a"
        : x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The image of the engine the run drove, as the stack outputs named it; null where they did not. */
export function engineImageOf(r: BenchmarkResults): string | null {
    return r.versions.images[r.topology.engine] ?? null;
}

/** "Flink", "Arroyo", or "Arroyo (test double, not Arroyo)" when the image run was this project's double. */
export function engineLabelOf(r: BenchmarkResults): string {
    const profile = engineProfile(r.topology.engine);
    return profile.isTestDouble(engineImageOf(r) ?? undefined)
        ? `${profile.label} (test double, not ${profile.label})`
        : profile.label;
}
