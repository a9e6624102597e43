import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { FLINK_PORTS } from "../config/defaults";
import { containerNetworking, dockerName, envList, imageOn, ownershipLabels, Placement } from "./common";
import { connectorUpload, FLINK_S3_PLUGIN, FlinkStorage, flinkProperties } from "./flinkEnv";

export interface FlinkTaskManagerArgs {
    placement: Placement;
    workerName: string;
    image: string;
    storage: FlinkStorage;
    jobManagerHost: string;
    taskSlots: number;
    memoryPerSlotMb: number;
    /** The address the JobManager and the other TaskManagers reach this one at. */
    advertisedHost: string;
    hostNetwork: boolean;
}

/** The TaskManager container's name, which is also its address on the local target's network. */
export function flinkTaskManagerName(stack: string, workerName: string): string {
    return dockerName(stack, `flink-taskmanager-${workerName}`);
}

/**
 * Flink's TaskManager on one worker host (the image's `taskmanager`): the worker's task slots,
 * and a process memory of slots x memoryPerSlotMb, which Flink divides into heap, managed and
 * network memory itself; the container is limited to the same, swap off.
 */
export class FlinkTaskManager extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly memoryLimitMb: number;

    constructor(name: string, args: FlinkTaskManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:FlinkTaskManager", name, {}, opts);
        const { placement } = args;
        const containerName = flinkTaskManagerName(placement.stack, args.workerName);
        this.memoryLimitMb = args.taskSlots * args.memoryPerSlotMb;

        const properties = flinkProperties(args.jobManagerHost, args.storage, {
            "taskmanager.numberOfTaskSlots": String(args.taskSlots),
            "taskmanager.memory.process.size": `${this.memoryLimitMb}m`,
            "taskmanager.host": args.advertisedHost,
            "taskmanager.bind-host": "0.0.0.0",
            "taskmanager.rpc.port": String(FLINK_PORTS.taskManagerRpc),
            "taskmanager.data.port": String(FLINK_PORTS.taskManagerData),
            "taskmanager.resource-id": args.workerName,
        });

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: containerName,
                hostname: args.hostNetwork ? undefined : containerName,
                image: imageOn(placement, args.image),
                command: ["taskmanager"],
                envs: envList({ FLINK_PROPERTIES: properties, ENABLE_BUILT_IN_PLUGINS: FLINK_S3_PLUGIN }),
                uploads: connectorUpload(),
                memory: this.memoryLimitMb,
                // No swap beyond the limit: a Pi that swaps makes every measurement meaningless.
                memorySwap: this.memoryLimitMb,
                restart: "unless-stopped",
                mustRun: true,
                ...containerNetworking(placement, containerName, args.hostNetwork),
                labels: ownershipLabels(placement.stack, "flink-taskmanager"),
            },
            { parent: this, provider: placement.host.provider, dependsOn: placement.host.ready },
        );

        this.registerOutputs({ containerId: this.container.id, memoryLimitMb: this.memoryLimitMb });
    }
}
