// results.json as its readers read it (npm run compare, and any later reader): checked with zod
// before anything is taken from it, so a file of another version, cut short or edited by hand is
// refused with the field that is wrong, not read as undefined into a figure. The writer's types
// are in types.ts; this schema holds the parts the readers use, and lets the rest through.
import { z } from "zod";
import { ENGINES } from "../../config/defaults";
import { engineSettingsSchema } from "../../stacks/outputs";
import { RESULTS_SCHEMA_VERSION } from "./types";

const num = z.number().nullable();
const host = z.looseObject({
    name: z.string(),
    taskSlots: z.number().optional(),
    facts: z.record(z.string(), z.unknown()).optional(),
});
const search = z.looseObject({
    mst: z.looseObject({ rate: z.number(), inputRate: num }).nullable(),
    end: z.enum(["resolved", "generator-bound", "max-trials", "none-sustained", "aborted"]),
    note: z.string(),
    trials: z.array(z.looseObject({ rate: z.number(), pass: z.boolean(), why: z.string(), p99Ms: num })),
});

const queryRun = z.looseObject({
    id: z.string(),
    engine: z.enum(ENGINES),
    parallelism: z.number(),
    figures: z.looseObject({
        kafka: z.looseObject({
            inputRate: num,
            consumedRate: num,
            verdict: z.enum(["sustainable", "not sustainable", "inconclusive"]),
            verdictReason: z.string(),
            lagAtEnd: num,
        }),
        checkpoints: z.looseObject({ durationMsP50: num.optional() }),
        latencyMs: z.looseObject({ p99: z.number().optional() }).nullable(),
        hosts: z.array(z.looseObject({ memoryBytesMean: num })),
        eventsPerSecondPerCore: num.optional(),
    }),
    validity: z.object({ valid: z.boolean(), reasons: z.array(z.string()) }),
});

export const resultsSchema = z.looseObject({
    schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
    mode: z.enum(["fixed-rate", "find-max"]),
    configuration: z.looseObject({
        queries: z.array(z.string()),
        eventsPerSecond: z.number(),
        totalEvents: z.number(),
        warmupEvents: z.number(),
        parallelism: z.number(),
        checkpointIntervalSeconds: z.number(),
        seed: z.number(),
    }),
    versions: z.looseObject({ images: z.record(z.string(), z.string().optional()) }),
    topology: z.looseObject({
        engine: z.enum(ENGINES),
        hosts: z.array(host),
        totalSlots: z.number(),
        partitions: z.number(),
        budget: z.object({ memoryPerSlotMb: z.number(), cpusPerWorker: z.number().nullable() }).optional(),
        engineSettings: engineSettingsSchema.optional(),
    }),
    queries: z.array(queryRun),
    capacity: z.array(z.looseObject({ query: z.string(), parallelism: z.number(), search })).optional(),
});

/**
 * Checks a parsed results.json: its version first (one line naming both), then its shape (the
 * first few fields that are wrong, by path). Returns it as read.
 */
export function checkResults(value: unknown, file: string): z.infer<typeof resultsSchema> {
    const version = (value as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (version !== RESULTS_SCHEMA_VERSION)
        throw new Error(
            `${file} has results schema ${String(version)}; this version reads ${RESULTS_SCHEMA_VERSION}: run the benchmark again`,
        );
    const r = resultsSchema.safeParse(value);
    if (!r.success) {
        const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`);
        throw new Error(
            `${file} is not a results.json this version can read: ${issues.join("; ")}${r.error.issues.length > 5 ? ` (and ${r.error.issues.length - 5} more)` : ""}`,
        );
    }
    return r.data;
}
