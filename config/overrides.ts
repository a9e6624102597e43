// One deployment of a stack with another engine or fewer workers, without editing its config file:
// `npm run up -- --engine flink --workers 2`, and each point of `npm run study`. The stack's
// config stays as written, so a plain `npm run up` (or `preview`) returns to it.
import { ENGINES, EngineName } from "./defaults";
import { parseClusterConfig, RawConfig } from "./schema";

export interface ConfigOverrides {
    /** The engine to run instead of the config's `engine`. */
    engine?: EngineName;
    /** Deploy the first N workers of the config's `workers` list. */
    workers?: number;
}

/** Why an override cannot apply, naming the flag and the fix. */
export class OverrideError extends Error {}

/** The flags as typed, checked: an engine this project deploys, a whole number of workers >= 1. */
export function parseOverrides(flags: { engine?: string; workers?: string }): ConfigOverrides {
    const out: ConfigOverrides = {};
    if (flags.engine !== undefined) {
        if (!(ENGINES as readonly string[]).includes(flags.engine))
            throw new OverrideError(`--engine ${flags.engine}: use one of ${ENGINES.join(", ")}`);
        out.engine = flags.engine as EngineName;
    }
    if (flags.workers !== undefined) {
        const n = Number(flags.workers);
        if (!Number.isInteger(n) || n < 1)
            throw new OverrideError(`--workers ${flags.workers}: give a whole number of workers, at least 1`);
        out.workers = n;
    }
    return out;
}

/**
 * The stack's raw config with the overrides applied. Fewer workers keep the topics' partition
 * count of the whole list (kafka.partitions as the full config resolves it), so going from one
 * worker count to another never replaces the topics, and every point reads the same partitions.
 */
export function applyOverrides(raw: RawConfig, o: ConfigOverrides): RawConfig {
    if (o.engine === undefined && o.workers === undefined) return raw;
    const values: Record<string, string> = { ...raw.values };
    if (o.engine !== undefined) values.engine = o.engine;
    if (o.workers !== undefined) {
        // The whole list's own resolution of the partition count; a bad config is reported by it, as usual.
        const full = parseClusterConfig(raw);
        const listed = parseList(raw.values.workers);
        if (o.workers > listed.length)
            throw new OverrideError(
                `--workers ${o.workers}: stack '${raw.stack}' lists ${listed.length} worker${listed.length === 1 ? "" : "s"} (workers); ask for at most ${listed.length}, or add workers to Pulumi.${raw.stack}.yaml`,
            );
        values.workers = JSON.stringify(listed.slice(0, o.workers));
        values.kafka = JSON.stringify({ ...parseObject(raw.values.kafka), partitions: full.kafka.partitions });
    }
    return { ...raw, values };
}

function parseList(text: string | undefined): unknown[] {
    const v = text === undefined ? [] : (JSON.parse(text) as unknown);
    if (!Array.isArray(v)) throw new OverrideError("--workers: the stack's `workers` is not a list; fix it first");
    return v;
}

function parseObject(text: string | undefined): Record<string, unknown> {
    if (text === undefined) return {};
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
