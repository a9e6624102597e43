import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/load";
import { ControllerRole } from "./controllerRole";
import { targetLayout } from "./placement";
import { ClusterOutputs } from "./outputs";
import { WorkerRole } from "./workerRole";
import { hardwareFacts, HostFacts } from "../hosts/facts";
import { engineDeployment } from "../components/engines";

export interface ClusterArgs {
    config: ClusterConfig;
    /** What the preflight read on each host (ssh target), by host name: exported with the hosts. */
    hostFacts?: Record<string, HostFacts>;
    /** The local target's retained buckets (no preflight facts there): adopted like the controller's. */
    localRetainedBuckets?: string[];
}

/** The buckets the controller's retained MinIO volume holds, from the preflight's facts. */
export function retainedBuckets(
    config: ClusterConfig,
    hostFacts: Record<string, HostFacts> | undefined,
): string[] | undefined {
    const found = hostFacts?.[config.controller.name]?.retainedBuckets;
    return found ? found : undefined;
}

/** The component's first type and name: a stack deployed before the rename keeps every resource. */
const FIRST_NAME = { type: "arroyo-pi:index:ArroyoCluster", name: "arroyo" };

/** The whole cluster: one controller role and one worker role per configured worker. */
export class Cluster extends pulumi.ComponentResource {
    public readonly controllerRole: ControllerRole;
    public readonly workerRoles: WorkerRole[];
    public readonly outputs: ClusterOutputs;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:Cluster", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), FIRST_NAME] });
        const { config } = args;
        const layout = targetLayout(config);
        // Exported facts are the hardware's only: the retained buckets describe the data, and free
        // disk, temperature, throttling and clock change at every read (a preview would show a diff).
        const facts = (name: string) => {
            const f = args.hostFacts?.[name];
            return f ? { facts: hardwareFacts(f) as Record<string, unknown> } : {};
        };

        const existingBuckets = args.localRetainedBuckets?.length
            ? args.localRetainedBuckets
            : retainedBuckets(config, args.hostFacts);
        this.controllerRole = new ControllerRole(
            "controller",
            { config, layout, ...(existingBuckets ? { existingBuckets } : {}) },
            { parent: this },
        );
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
                        engine: c.engine,
                    },
                    { parent: this },
                ),
        );

        const engine = engineDeployment(config.engine);
        this.outputs = {
            engine: config.engine,
            ...c.engine.endpoints,
            kafkaBootstrapServers: c.kafka.bootstrapServers,
            kafkaClusterBootstrapServers: c.kafka.clusterBootstrapServers,
            minioEndpoint: c.objectStore.endpoint,
            minioClusterEndpoint: c.objectStore.clusterEndpoint,
            topics: { ...c.topics.names },
            partitions: config.kafka.partitions,
            totalSlots: config.totalSlots,
            checkpointIntervalSeconds: config.cluster.checkpointIntervalSeconds,
            budget: {
                memoryPerSlotMb: config.cluster.memoryPerSlotMb,
                cpusPerWorker: config.cluster.cpusPerWorker ?? null,
            },
            engineSettings: engine.settings(config),
            buckets: config.buckets,
            images: config.images,
            hosts: [
                {
                    name: config.controller.name,
                    address: config.controller.address,
                    roles: ["kafka", "minio", ...engine.controllerRoles],
                    dockerHost: c.host.dockerHost,
                    ...facts(config.controller.name),
                },
                ...this.workerRoles.map((w, i) => ({
                    name: w.host.name,
                    address: w.host.address,
                    roles: [...engine.workerRoles],
                    dockerHost: w.host.dockerHost,
                    taskSlots: config.workers[i].taskSlots,
                    ...facts(w.host.name),
                })),
            ],
            ...(config.hosts.allowNoMemoryLimit ? { allowNoMemoryLimit: true } : {}),
            stack: config.stack,
        };
        this.registerOutputs({ ...this.outputs });
    }
}
