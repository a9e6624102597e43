// Entry point for `pulumi up`: the program lives in stacks/program.ts.
import { clusterProgram } from "./stacks/program";

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
} = clusterProgram();
