import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/load";
import { ArroyoController } from "../components/arroyoController";
import { ArroyoStorage } from "../components/arroyoEnv";
import { dockerName, ownershipLabels, Placement } from "../components/common";
import { DockerHost } from "../components/dockerHost";
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

/** What runs on the controller Pi: Kafka, MinIO, the Arroyo controller, and the Nexmark topics. */
export class ControllerRole extends pulumi.ComponentResource {
    public readonly host: DockerHost;
    public readonly placement: Placement;
    public readonly network?: docker.Network;
    public readonly kafka: KafkaBroker;
    public readonly objectStore: ObjectStore;
    public readonly controller: ArroyoController;
    public readonly topics: NexmarkTopics;
    /** What every Arroyo process needs to reach the checkpoint bucket. */
    public readonly arroyoStorage: ArroyoStorage;

    constructor(name: string, args: ControllerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:ControllerRole", name, {}, opts);
        const { config, layout } = args;
        const spec = config.controller;
        const stack = config.stack;

        this.host = new DockerHost(
            `${name}-host`,
            { stack, host: spec, access: layout.access(spec), images: [config.images.kafka, config.images.minio, config.images.arroyo], arroyoImage: config.images.arroyo, allowNoMemoryLimit: config.hosts.allowNoMemoryLimit },
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
                ...(args.existingBuckets ? { existingBuckets: args.existingBuckets } : {}),
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
                externalHost,
                clusterHost: layout.clusterHost(spec, dockerName(stack, "minio")),
                retainData: config.retainData,
                ...(args.existingBuckets ? { existingBuckets: args.existingBuckets } : {}),
            },
            { parent: this },
        );

        this.arroyoStorage = {
            endpoint: this.objectStore.clusterEndpoint,
            bucket: config.buckets.checkpoints,
            accessKey: this.objectStore.arroyoAccessKey,
            secretKey: this.objectStore.arroyoSecretKey,
        };

        this.controller = new ArroyoController(
            `${name}-arroyo`,
            {
                placement: this.placement,
                image: config.images.arroyo,
                storage: this.arroyoStorage,
                checkpointIntervalSeconds: config.arroyo.checkpointIntervalSeconds,
                externalHost,
                clusterHost: layout.clusterHost(spec, dockerName(stack, "arroyo-controller")),
                hostNetwork: layout.hostNetwork,
                retainData: config.retainData,
            },
            // Arroyo stores checkpoints and artifacts from its first job on: MinIO must be up.
            { parent: this, dependsOn: [this.objectStore] },
        );

        this.topics = new NexmarkTopics(
            `${name}-topics`,
            { bootstrapServers: this.kafka.bootstrapServers, partitions: config.kafka.partitions, brokerReady: this.kafka.ready },
            { parent: this },
        );

        this.registerOutputs({ apiUrl: this.controller.apiUrl, bootstrapServers: this.kafka.bootstrapServers, minio: this.objectStore.endpoint });
    }
}
