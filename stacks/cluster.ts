import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/load";
import { ControllerRole } from "./controllerRole";
import { targetLayout } from "./placement";
import { WorkerRole } from "./workerRole";

export interface ArroyoClusterArgs {
    config: ClusterConfig;
}

/** Everything the benchmark needs to find and size the cluster; exported as the stack's outputs. */
export interface ClusterOutputs {
    arroyoApiUrl: string;
    kafkaBootstrapServers: string;
    /** What Arroyo's SQL uses as `bootstrap_servers` (a container name on the local target). */
    kafkaClusterBootstrapServers: string;
    minioEndpoint: string;
    topics: { person: string; auction: string; bid: string };
    partitions: number;
    totalSlots: number;
    buckets: { checkpoints: string; extra: string[] };
    hosts: { name: string; address: string; roles: string[]; taskSlots?: number }[];
}

/** The whole cluster: one controller role and one worker role per configured worker. */
export class ArroyoCluster extends pulumi.ComponentResource {
    public readonly controllerRole: ControllerRole;
    public readonly workerRoles: WorkerRole[];
    public readonly outputs: ClusterOutputs;

    constructor(name: string, args: ArroyoClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:ArroyoCluster", name, {}, opts);
        const { config } = args;
        const layout = targetLayout(config);

        this.controllerRole = new ControllerRole("controller", { config, layout }, { parent: this });
        const c = this.controllerRole;

        this.workerRoles = config.workers.map(
            (worker) =>
                new WorkerRole(
                    `worker-${worker.name}`,
                    {
                        config,
                        layout,
                        worker,
                        network: c.network?.name,
                        controllerEndpoint: c.controller.controllerEndpoint,
                        storage: c.arroyoStorage,
                        controllerReady: c.controller.ready,
                    },
                    { parent: this },
                ),
        );

        this.outputs = {
            arroyoApiUrl: c.controller.apiUrl,
            kafkaBootstrapServers: c.kafka.bootstrapServers,
            kafkaClusterBootstrapServers: c.kafka.clusterBootstrapServers,
            minioEndpoint: c.objectStore.endpoint,
            topics: { ...c.topics.names },
            partitions: config.kafka.partitions,
            totalSlots: config.totalSlots,
            buckets: config.buckets,
            hosts: [
                { name: config.controller.name, address: config.controller.address, roles: ["kafka", "minio", "arroyo-controller"] },
                ...config.workers.map((w) => ({ name: w.name, address: w.address, roles: ["arroyo-node"], taskSlots: w.taskSlots })),
            ],
        };
        this.registerOutputs({ ...this.outputs });
    }
}
