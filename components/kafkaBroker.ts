import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DATA_PATHS, KAFKA_PORTS } from "../config/defaults";
import { containerNetworking, dockerName, envList, imageOn, ownershipLabels, Placement } from "./common";
import { ServiceReadiness } from "./serviceReadiness";
import { goSeconds } from "../lib/goDuration";

export interface KafkaBrokerArgs {
    placement: Placement;
    image: string;
    heapMb: number;
    /** Host that clients outside the cluster (deployer, benchmark) use: the Pi's address or loopback. */
    externalHost: string;
    /** Host that Arroyo's workers use: the Pi's address, or the container's name on the local network. */
    clusterHost: string;
    retainData: boolean;
}

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one process, no ZooKeeper),
 * with its log directory on a named volume. Two client listeners are advertised: one for the
 * deployer and benchmark, one for Arroyo inside the cluster, so the same broker works whether
 * the cluster shares a Docker network (local) or spans Pis.
 */
export class KafkaBroker extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly dataVolume: docker.Volume;
    public readonly ready: ServiceReadiness;
    /** `host:port` for the deployer and the benchmark. */
    public readonly bootstrapServers: string;
    /** `host:port` for Arroyo's Kafka sources and sinks. */
    public readonly clusterBootstrapServers: string;

    constructor(name: string, args: KafkaBrokerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:KafkaBroker", name, {}, opts);
        const { placement } = args;
        const containerName = dockerName(placement.stack, "kafka");
        const resOpts = { parent: this, provider: placement.host.provider };

        this.bootstrapServers = `${args.externalHost}:${KAFKA_PORTS.client}`;
        this.clusterBootstrapServers = `${args.clusterHost}:${KAFKA_PORTS.cluster}`;

        this.dataVolume = new docker.Volume(
            `${name}-data`,
            { name: `${containerName}-data`, labels: ownershipLabels(placement.stack, "kafka") },
            { ...resOpts, retainOnDelete: args.retainData },
        );

        const env = kafkaEnvironment({
            heapMb: args.heapMb,
            clientAdvertised: this.bootstrapServers,
            clusterAdvertised: this.clusterBootstrapServers,
        });

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: containerName,
                hostname: containerName,
                image: imageOn(placement, args.image),
                envs: envList(env),
                restart: "unless-stopped",
                mustRun: true,
                ...containerNetworking(placement, containerName, false),
                ports: [
                    { internal: KAFKA_PORTS.client, external: KAFKA_PORTS.client, ip: placement.publishIp },
                    // Arroyo reaches the cluster listener through the Docker network when there is one.
                    ...(placement.network === undefined
                        ? [{ internal: KAFKA_PORTS.cluster, external: KAFKA_PORTS.cluster, ip: placement.publishIp }]
                        : []),
                ],
                volumes: [{ volumeName: this.dataVolume.name, containerPath: DATA_PATHS.kafka }],
                healthcheck: {
                    tests: [
                        "CMD-SHELL",
                        `/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:${KAFKA_PORTS.broker} >/dev/null 2>&1`,
                    ],
                    interval: goSeconds(15),
                    timeout: goSeconds(30),
                    startPeriod: goSeconds(60),
                    retries: 5,
                },
                labels: ownershipLabels(placement.stack, "kafka"),
            },
            { ...resOpts, dependsOn: placement.host.ready },
        );

        this.ready = new ServiceReadiness(
            `${name}-ready`,
            { probe: { kind: "kafka", bootstrapServers: this.bootstrapServers }, instance: this.container.id },
            { parent: this },
        );

        this.registerOutputs({
            bootstrapServers: this.bootstrapServers,
            clusterBootstrapServers: this.clusterBootstrapServers,
            containerId: this.container.id,
        });
    }
}

/** The broker's settings, as the apache/kafka image reads them from KAFKA_* variables. */
export function kafkaEnvironment(args: {
    heapMb: number;
    clientAdvertised: string;
    clusterAdvertised: string;
}): Record<string, string> {
    const p = KAFKA_PORTS;
    return {
        KAFKA_NODE_ID: "1",
        KAFKA_PROCESS_ROLES: "broker,controller",
        KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${p.controller}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: "CONTROLLER",
        KAFKA_INTER_BROKER_LISTENER_NAME: "BROKER",
        KAFKA_LISTENERS: `CONTROLLER://localhost:${p.controller},BROKER://localhost:${p.broker},CLIENT://0.0.0.0:${p.client},CLUSTER://0.0.0.0:${p.cluster}`,
        KAFKA_ADVERTISED_LISTENERS: `BROKER://localhost:${p.broker},CLIENT://${args.clientAdvertised},CLUSTER://${args.clusterAdvertised}`,
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
            "CONTROLLER:PLAINTEXT,BROKER:PLAINTEXT,CLIENT:PLAINTEXT,CLUSTER:PLAINTEXT",
        KAFKA_LOG_DIRS: DATA_PATHS.kafka,
        KAFKA_HEAP_OPTS: `-Xms${args.heapMb}m -Xmx${args.heapMb}m`,
        // One broker: internal topics cannot be replicated.
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: "1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: "1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: "0",
        // Topics are declared by the program; a typo in a query must not create a new one.
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: "false",
        // Stable across restarts, so the formatted log directory on the volume stays valid.
        CLUSTER_ID: "YXJyb3lvLXBpLWthZmthAA",
    };
}
