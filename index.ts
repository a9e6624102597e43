// Entry point: read and validate the stack's config, build the cluster, export its endpoints.
// A config problem throws before any resource is declared, so a bad topology touches nothing.
import { loadClusterConfig } from "./config/load";
import { ArroyoCluster } from "./stacks/cluster";

const cluster = new ArroyoCluster("arroyo", { config: loadClusterConfig() });

export const {
    arroyoApiUrl,
    kafkaBootstrapServers,
    kafkaClusterBootstrapServers,
    minioEndpoint,
    topics,
    partitions,
    totalSlots,
    buckets,
    images,
    hosts,
    stack,
} = cluster.outputs;
