import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/load";
import { ArroyoController } from "../components/arroyoController";
import { FlinkJobManager, flinkJobManagerName } from "../components/flinkJobManager";
import { FlinkSqlGateway } from "../components/flinkSqlGateway";
import { FlinkStorage } from "../components/flinkEnv";
import { ArroyoStorage } from "../components/arroyoEnv";
import { dockerName, ownershipLabels, Placement } from "../components/common";
import { DockerHost } from "../components/dockerHost";
import { KafkaBroker } from "../components/kafkaBroker";
import { NexmarkTopics } from "../components/nexmarkTopics";
import { ObjectStore } from "../components/objectStore";
import { engineImage, TargetLayout } from "./placement";

export interface ControllerRoleArgs {
    config: ClusterConfig;
    layout: TargetLayout;
    /** Buckets a retained MinIO volume already holds (preflight): adopted, not created. */
    existingBuckets?: string[];
}

/** The engine's part on the controller, and what its workers need from it. */
export type ControllerEngine =
    | { kind: "arroyo"; controller: ArroyoController; storage: ArroyoStorage }
    | { kind: "flink"; jobManager: FlinkJobManager; gateway: FlinkSqlGateway; storage: FlinkStorage; jobManagerHost: string };

/** What runs on the controller Pi: Kafka, MinIO, the engine's controller (Arroyo's, or Flink's JobManager and SQL Gateway), and the Nexmark topics. */
export class ControllerRole extends pulumi.ComponentResource {
    public readonly host: DockerHost;
    public readonly placement: Placement;
    public readonly network?: docker.Network;
    public readonly kafka: KafkaBroker;
    public readonly objectStore: ObjectStore;
    public readonly engine: ControllerEngine;
    /** The engine's APIs for the deployer and the benchmark, as the stack outputs name them. */
    public readonly endpoints: { arroyoApiUrl: string } | { flinkRestUrl: string; flinkSqlGatewayUrl: string };
    public readonly topics: NexmarkTopics;

    constructor(name: string, args: ControllerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:ControllerRole", name, {}, opts);
        const { config, layout } = args;
        const spec = config.controller;
        const stack = config.stack;

        const { image: engineImageRef, arroyoImage } = engineImage(config);
        this.host = new DockerHost(
            `${name}-host`,
            {
                stack,
                host: spec,
                access: layout.access(spec),
                images: [config.images.kafka, config.images.minio, engineImageRef],
                arroyoImage,
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

        this.engine = config.engine === "arroyo" ? this.arroyo(name, args, externalHost) : this.flink(name, args, externalHost);

        this.topics = new NexmarkTopics(
            `${name}-topics`,
            { bootstrapServers: this.kafka.bootstrapServers, partitions: config.kafka.partitions, brokerReady: this.kafka.ready },
            { parent: this },
        );

        const e = this.engine;
        this.endpoints = e.kind === "arroyo" ? { arroyoApiUrl: e.controller.apiUrl } : { flinkRestUrl: e.jobManager.restUrl, flinkSqlGatewayUrl: e.gateway.url };
        this.registerOutputs({
            engine: e.kind,
            ...this.endpoints,
            bootstrapServers: this.kafka.bootstrapServers,
            minio: this.objectStore.endpoint,
        });
    }

    /** Arroyo's controller (API, controller and compiler in one process), with its MinIO user. */
    private arroyo(name: string, { config, layout }: ControllerRoleArgs, externalHost: string): ControllerEngine {
        const storage = this.objectStore.engineStorage.arroyo;
        const controller = new ArroyoController(
            `${name}-arroyo`,
            {
                placement: this.placement,
                image: config.images.arroyo,
                storage,
                checkpointIntervalSeconds: config.arroyo.checkpointIntervalSeconds,
                externalHost,
                clusterHost: layout.clusterHost(config.controller, dockerName(config.stack, "arroyo-controller")),
                hostNetwork: layout.hostNetwork,
                retainData: config.retainData,
            },
            // Arroyo stores checkpoints and artifacts from its first job on: MinIO must be up.
            { parent: this, dependsOn: [this.objectStore] },
        );
        return { kind: "arroyo", controller, storage };
    }

    /** Flink's JobManager and SQL Gateway, with Flink's MinIO user. */
    private flink(name: string, { config, layout }: ControllerRoleArgs, externalHost: string): ControllerEngine {
        const storage = this.objectStore.engineStorage.flink;
        const jobManagerHost = layout.clusterHost(config.controller, flinkJobManagerName(config.stack));
        const jobManager = new FlinkJobManager(
            `${name}-flink-jobmanager`,
            { placement: this.placement, image: config.images.flink, storage, checkpointIntervalSeconds: config.arroyo.checkpointIntervalSeconds, externalHost, clusterHost: jobManagerHost, hostNetwork: layout.hostNetwork },
            // Checkpoints go to MinIO from the first job on.
            { parent: this, dependsOn: [this.objectStore] },
        );
        const gateway = new FlinkSqlGateway(
            `${name}-flink-sql-gateway`,
            { placement: this.placement, image: config.images.flink, storage, jobManagerHost, externalHost, hostNetwork: layout.hostNetwork },
            { parent: this, dependsOn: [jobManager.ready] },
        );
        return { kind: "flink", jobManager, gateway, storage, jobManagerHost };
    }
}
