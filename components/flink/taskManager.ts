import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { FLINK_PORTS } from "../../config/defaults";
import { dockerName, Placement } from "../common";
import { flinkContainerArgs, FlinkStorage, flinkProperties } from "./env";
import { FlinkSettingsOptions } from "./settings";

export interface FlinkTaskManagerArgs {
    placement: Placement;
    workerName: string;
    image: string;
    storage: FlinkStorage;
    settings: FlinkSettingsOptions;
    jobManagerHost: string;
    taskSlots: number;
    memoryPerSlotMb: number;
    /** CPUs the TaskManager's container may use (Docker's --cpus); undefined: no limit. */
    cpus?: number;
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

        const properties = flinkProperties(args.jobManagerHost, args.storage, args.settings, {
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
            flinkContainerArgs({
                placement,
                name: containerName,
                role: "flink-taskmanager",
                image: args.image,
                command: ["taskmanager"],
                properties,
                s3Plugin: true,
                memoryMb: this.memoryLimitMb,
                ...(args.cpus !== undefined ? { cpus: args.cpus } : {}),
                hostNetwork: args.hostNetwork,
            }),
            { parent: this, provider: placement.host.provider, dependsOn: placement.host.ready },
        );

        this.registerOutputs({ containerId: this.container.id, memoryLimitMb: this.memoryLimitMb });
    }
}
