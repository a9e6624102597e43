import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/load";
import { dockerName, ownershipLabels, Placement } from "../components/common";
import { DockerHost } from "../components/dockerHost";
import type { EngineControllerPart } from "../components/engine";
import { allEngineMinioUsers, engineDeployment } from "../components/engines";
import { KafkaBroker } from "../components/kafkaBroker";
import { NexmarkTopics } from "../components/nexmarkTopics";
import { ObjectStore } from "../components/objectStore";
import { TargetLayout } from "./placement";

export interface ControllerRoleArgs {
    config: ClusterConfig;
    layout: TargetLayout;
    /** Buckets a retained MinIO volume already holds (preflight): adopted, not created. */
    existingBuckets?: string[];
}

/** What runs on the controller Pi: Kafka, MinIO, the engine's controller part (components/engines.ts), and the Nexmark topics. */
export class ControllerRole extends pulumi.ComponentResource {
    public readonly host: DockerHost;
    public readonly placement: Placement;
    public readonly network?: docker.Network;
    public readonly kafka: KafkaBroker;
    public readonly objectStore: ObjectStore;
    /** The engine's part here, through which its workers join. */
    public readonly engine: EngineControllerPart;
    public readonly topics: NexmarkTopics;

    constructor(name: string, args: ControllerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:ControllerRole", name, {}, opts);
        const { config, layout } = args;
        const spec = config.controller;
        const stack = config.stack;

        const engine = engineDeployment(config.engine);
        this.host = new DockerHost(
            `${name}-host`,
            {
                stack,
                host: spec,
                access: layout.access(spec),
                images: [config.images.kafka, config.images.minio, engine.image(config)],
                engineCheck: engine.hostCheck(config),
                allowNoMemoryLimit: config.hosts.allowNoMemoryLimit,
            },
            { parent: this },
        );

        if (layout.sharedNetwork) {
            this.network = new docker.Network(
                `${name}-network`,
                { name: dockerName(stack, "net"), driver: "bridge", labels: ownershipLabels(stack, "network") },
                { parent: this, provider: this.host.provider },
            );
        }
        this.placement = { host: this.host, stack, network: this.network?.name, publishIp: layout.publishIp };

        const externalHost = layout.externalHost(spec);
        this.kafka = new KafkaBroker(
            `${name}-kafka`,
            {
                placement: this.placement,
                image: config.images.kafka,
                heapMb: config.kafka.heapMb,
                externalHost,
                clusterHost: layout.clusterHost(spec, dockerName(stack, "kafka")),
                retainData: config.retainData,
            },
            { parent: this },
        );

        this.objectStore = new ObjectStore(
            `${name}-minio`,
            {
                placement: this.placement,
                image: config.images.minio,
                rootUser: config.minio.rootUser,
                rootPassword: config.minio.rootPassword,
                checkpointBucket: config.buckets.checkpoints,
                resultsBucket: config.buckets.results,
                extraBuckets: config.buckets.extra,
                engineUsers: allEngineMinioUsers(),
                externalHost,
                clusterHost: layout.clusterHost(spec, dockerName(stack, "minio")),
                retainData: config.retainData,
                ...(args.existingBuckets ? { existingBuckets: args.existingBuckets } : {}),
            },
            { parent: this },
        );

        this.engine = engine.controller(
            {
                parent: this,
                name,
                config,
                placement: this.placement,
                externalHost,
                clusterHost: (containerName) => layout.clusterHost(spec, containerName),
                hostNetwork: layout.hostNetwork,
                storage: this.objectStore.engineStorage[config.engine],
            },
            // The engine writes checkpoints to MinIO from its first job on.
            [this.objectStore],
        );

        this.topics = new NexmarkTopics(
            `${name}-topics`,
            {
                bootstrapServers: this.kafka.bootstrapServers,
                partitions: config.kafka.partitions,
                brokerReady: this.kafka.ready,
            },
            { parent: this },
        );

        this.registerOutputs({
            engine: config.engine,
            ...this.engine.endpoints,
            bootstrapServers: this.kafka.bootstrapServers,
            minio: this.objectStore.endpoint,
        });
    }
}
