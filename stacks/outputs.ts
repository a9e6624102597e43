import { z } from "zod";
import { DEFAULT_ENGINE, ENGINE_ENDPOINT_OUTPUTS, ENGINES, EngineSettings } from "../config/defaults";

/** An engine's own settings as outputs and results record them: names and plain values. */
export const engineSettingsSchema: z.ZodType<EngineSettings> = z.record(
    z.string(),
    z.union([z.string(), z.boolean(), z.number()]),
);

/**
 * The stack outputs: what `pulumi up` exports and what the benchmark reads. One schema for both,
 * so the benchmark fails with a clear message when it is pointed at a stack of another shape.
 */
export const clusterOutputsSchema = z
    .object({
        /** The stream processor the cluster runs (config key `engine`); stacks deployed before it was exported run Arroyo. */
        engine: z.enum(ENGINES).default(DEFAULT_ENGINE),
        /** Arroyo's REST API (engine arroyo). */
        arroyoApiUrl: z.string().url().optional(),
        /** Flink's JobManager REST API and SQL Gateway (engine flink). */
        flinkRestUrl: z.string().url().optional(),
        flinkSqlGatewayUrl: z.string().url().optional(),
        kafkaBootstrapServers: z.string().min(1),
        /** What Arroyo's SQL uses as `bootstrap_servers` (a container name on the local target). */
        kafkaClusterBootstrapServers: z.string().min(1),
        minioEndpoint: z.string().url(),
        /** MinIO as Arroyo reaches it (a container name on the local target), for sinks that write files; absent on stacks deployed before it was exported. */
        minioClusterEndpoint: z.string().url().optional(),
        topics: z.object({ person: z.string(), auction: z.string(), bid: z.string() }),
        partitions: z.number().int().positive(),
        totalSlots: z.number().int().positive(),
        /** Arroyo's default checkpoint interval (cluster.checkpointIntervalSeconds); stacks deployed before it was exported get Arroyo's own default, 10 s. */
        checkpointIntervalSeconds: z.number().positive().default(10),
        /**
         * What each worker's engine container may use, the same whichever engine runs: memory per
         * task slot (slots x this, swap off) and CPUs (null: no limit). Absent on stacks deployed before it was exported.
         */
        budget: z
            .object({ memoryPerSlotMb: z.number().int().positive(), cpusPerWorker: z.number().positive().nullable() })
            .optional(),
        /** The engine's own settings where it has some (EngineDeployment.settings); absent on stacks deployed before they were exported. */
        engineSettings: engineSettingsSchema.optional(),
        buckets: z.object({ checkpoints: z.string(), results: z.string().optional(), extra: z.array(z.string()) }),
        images: z.object({ arroyo: z.string(), kafka: z.string(), minio: z.string(), flink: z.string().optional() }),
        hosts: z.array(
            z.object({
                name: z.string(),
                address: z.string(),
                roles: z.array(z.string()),
                /** The host's Docker engine, as `docker -H` takes it; the benchmark samples CPU and memory there. */
                dockerHost: z.string(),
                taskSlots: z.number().int().positive().optional(),
                /** What the preflight read on the host (ssh target): the hardware behind every figure. */
                facts: z.record(z.string(), z.unknown()).optional(),
            }),
        ),
        /** Set when the stack runs on hosts without enforced memory limits, by the user's choice (hosts.allowNoMemoryLimit). */
        allowNoMemoryLimit: z.boolean().optional(),
        stack: z.string(),
    })
    .superRefine((o, ctx) => {
        for (const key of ENGINE_ENDPOINT_OUTPUTS[o.engine])
            if (!o[key])
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    message: `the stack runs ${o.engine} but exports no ${key}: run 'npm run up' to update it`,
                });
    });

export type ClusterOutputs = z.infer<typeof clusterOutputsSchema>;
