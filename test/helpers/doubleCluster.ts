import { ClusterOutputs } from "../../stacks/outputs";

export const NEXMARK_TOPICS = { person: "nexmark-person", auction: "nexmark-auction", bid: "nexmark-bid" };

/** Stack outputs of a cluster made of a test broker and the Arroyo test double, as `pulumi stack output` would give them. */
export function doubleOutputs(
    bootstrapServers: string,
    arroyoApiUrl: string,
    overrides: Partial<ClusterOutputs> = {},
): ClusterOutputs {
    return {
        engine: "arroyo",
        arroyoApiUrl,
        kafkaBootstrapServers: bootstrapServers,
        kafkaClusterBootstrapServers: bootstrapServers,
        minioEndpoint: "http://127.0.0.1:9",
        topics: NEXMARK_TOPICS,
        partitions: 2,
        totalSlots: 2,
        checkpointIntervalSeconds: 1,
        buckets: { checkpoints: "arroyo", extra: [] },
        images: { arroyo: "arroyo-stand-in:test", kafka: "kafka:test", minio: "minio:test" },
        hosts: [],
        stack: "bench-test",
        ...overrides,
    };
}

/** Stack outputs of a cluster made of a test broker and a real Flink started by toolchain/flinkCluster.ts. */
export function flinkOutputs(
    bootstrapServers: string,
    flink: { restUrl: string; gatewayUrl: string },
    overrides: Partial<ClusterOutputs> = {},
): ClusterOutputs {
    const { arroyoApiUrl: _unused, ...base } = doubleOutputs(bootstrapServers, "http://127.0.0.1:9");
    return {
        ...base,
        engine: "flink",
        flinkRestUrl: flink.restUrl,
        flinkSqlGatewayUrl: flink.gatewayUrl,
        images: { ...base.images, flink: "flink:test" },
        ...overrides,
    };
}
