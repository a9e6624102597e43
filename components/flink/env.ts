import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { FLINK_PORTS, VERSIONS } from "../../config/defaults";
import { flinkConnectorJar } from "../../toolchain/paths";
import { containerNetworking, EngineStorage, envList, imageOn, ownershipLabels, Placement } from "../common";
import { flinkClusterSettings, FlinkSettingsOptions } from "./settings";

/** Where Flink keeps its checkpoints: a prefix of the checkpoint bucket, reached with Flink's own MinIO user. */
export type FlinkStorage = EngineStorage;

/** The prefix of the checkpoint bucket Flink writes under (its MinIO user may touch nothing else). */
export const FLINK_CHECKPOINT_PREFIX = "flink";

/** Flink's S3 filesystem plugin as the official image ships it in opt/ (enabled by ENABLE_BUILT_IN_PLUGINS). */
export const FLINK_S3_PLUGIN = `flink-s3-fs-presto-${VERSIONS.flink}.jar`;

/** Where the Kafka SQL connector goes in every Flink container: Flink's lib/, on the classpath of each process. */
const CONNECTOR_PATH = `/opt/flink/lib/flink-sql-connector-kafka-${VERSIONS.flinkKafkaConnector}.jar`;

/**
 * The Kafka SQL connector, uploaded into the container before it starts (the official image does
 * not have it). From the deployer's cache (`toolchain/run.sh flink-connector`, checked against the
 * pinned hash); the hash is the upload's identity, so a new connector version replaces the container.
 */
export function connectorUpload(): docker.types.input.ContainerUpload[] {
    return [{ file: CONNECTOR_PATH, source: flinkConnectorJar(), sourceHash: VERSIONS.flinkKafkaConnectorSha256 }];
}

/**
 * The settings every Flink process shares, as the image's FLINK_PROPERTIES takes them (one
 * `key: value` per line, appended to its config.yaml): where the JobManager is, checkpoints and
 * savepoints on MinIO through the S3 plugin, path-style, and the profile's (settings.ts). Sorted,
 * so previews show no spurious change.
 */
export function flinkProperties(
    jobManagerHost: string,
    storage: FlinkStorage,
    settings: FlinkSettingsOptions,
    own: Record<string, string>,
): pulumi.Output<string> {
    const plain: Record<string, string> = {
        "jobmanager.rpc.address": jobManagerHost,
        "jobmanager.rpc.port": String(FLINK_PORTS.rpc),
        "rest.address": jobManagerHost,
        "rest.port": String(FLINK_PORTS.rest),
        "blob.server.port": String(FLINK_PORTS.blob),
        "execution.checkpointing.dir": `s3://${storage.bucket}/${FLINK_CHECKPOINT_PREFIX}/checkpoints`,
        "execution.checkpointing.savepoint-dir": `s3://${storage.bucket}/${FLINK_CHECKPOINT_PREFIX}/savepoints`,
        ...flinkClusterSettings(settings),
        "s3.endpoint": storage.endpoint,
        "s3.path.style.access": "true",
        ...own,
    };
    const lines = Object.keys(plain)
        .sort()
        .map((k) => `${k}: ${plain[k]}`);
    return pulumi.interpolate`${lines.join("\n")}\ns3.access-key: ${storage.accessKey}\ns3.secret-key: ${storage.secretKey}\n`;
}

/** What sets one Flink process's container apart from the others'. */
export interface FlinkContainer {
    placement: Placement;
    /** The container's name, also its address on the local target's network. */
    name: string;
    /** The ownership label's role (flink-jobmanager, flink-sql-gateway, flink-taskmanager). */
    role: string;
    image: string;
    command: string[];
    properties: pulumi.Output<string>;
    /** Processes that write checkpoints get the S3 plugin enabled. */
    s3Plugin: boolean;
    /** A memory limit, swap off (a Pi that swaps makes every measurement meaningless). */
    memoryMb?: number;
    /** CPUs the container may use (Docker's --cpus). */
    cpus?: number;
    /** Ports published on the local target (host networking on the Pis publishes nothing). */
    publish?: number[];
    hostNetwork: boolean;
}

/** A Flink container as every one of them is run: the official image, FLINK_PROPERTIES, the connector in lib/. */
export function flinkContainerArgs(c: FlinkContainer): docker.ContainerArgs {
    return {
        name: c.name,
        hostname: c.hostNetwork ? undefined : c.name,
        image: imageOn(c.placement, c.image),
        command: c.command,
        envs: envList({
            FLINK_PROPERTIES: c.properties,
            ...(c.s3Plugin ? { ENABLE_BUILT_IN_PLUGINS: FLINK_S3_PLUGIN } : {}),
        }),
        uploads: connectorUpload(),
        ...(c.memoryMb ? { memory: c.memoryMb, memorySwap: c.memoryMb } : {}),
        ...(c.cpus !== undefined ? { cpus: String(c.cpus) } : {}),
        restart: "unless-stopped",
        mustRun: true,
        ...containerNetworking(c.placement, c.name, c.hostNetwork),
        ...(c.publish && !c.hostNetwork
            ? { ports: c.publish.map((port) => ({ internal: port, external: port, ip: c.placement.publishIp })) }
            : {}),
        labels: ownershipLabels(c.placement.stack, c.role),
    };
}
