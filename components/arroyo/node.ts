import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ArroyoStorage, arroyoStorageEnv } from "./env";
import { containerNetworking, dockerName, envList, imageOn, ownershipLabels, Placement } from "../common";

export interface ArroyoNodeArgs {
    placement: Placement;
    /** The worker host's name in config; names the container. */
    workerName: string;
    image: string;
    storage: ArroyoStorage;
    /** The controller's gRPC endpoint, `http://host:5116`. */
    controllerEndpoint: string;
    taskSlots: number;
    memoryPerSlotMb: number;
    /** CPUs the node's container may use (Docker's --cpus); undefined: no limit. */
    cpus?: number;
    /** The address the controller and other workers reach this node's workers at. */
    advertisedHost: string;
    /** Host networking (Pis: workers listen on random ports) or the stack's bridge network (local). */
    hostNetwork: boolean;
}

/** The node container's name, which is also its address on the local target's network. */
export function arroyoNodeContainerName(stack: string, workerName: string): string {
    return dockerName(stack, `arroyo-node-${workerName}`);
}

/** Container memory limit: Arroyo has no per-slot memory setting, so the container bounds it. */
export function nodeMemoryLimitMb(taskSlots: number, memoryPerSlotMb: number): number {
    return taskSlots * memoryPerSlotMb;
}

/**
 * `arroyo node` on one worker host: registers with the controller, offers its task slots and
 * starts worker processes for the jobs scheduled onto it.
 */
export class ArroyoNode extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly memoryLimitMb: number;

    constructor(name: string, args: ArroyoNodeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:ArroyoNode", name, {}, opts);
        const { placement } = args;
        const containerName = arroyoNodeContainerName(placement.stack, args.workerName);
        this.memoryLimitMb = nodeMemoryLimitMb(args.taskSlots, args.memoryPerSlotMb);

        const env = {
            ARROYO__CONTROLLER_ENDPOINT: args.controllerEndpoint,
            ARROYO__NODE__TASK_SLOTS: String(args.taskSlots),
            ARROYO__HOSTNAME: args.advertisedHost,
            ...arroyoStorageEnv(args.storage),
        };

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: containerName,
                hostname: args.hostNetwork ? undefined : containerName,
                image: imageOn(placement, args.image),
                command: ["node"],
                envs: envList(env),
                memory: this.memoryLimitMb,
                // No swap beyond the limit: a Pi that swaps makes every measurement meaningless.
                memorySwap: this.memoryLimitMb,
                ...(args.cpus !== undefined ? { cpus: String(args.cpus) } : {}),
                restart: "unless-stopped",
                mustRun: true,
                ...containerNetworking(placement, containerName, args.hostNetwork),
                labels: ownershipLabels(placement.stack, "arroyo-node"),
            },
            { parent: this, provider: placement.host.provider, dependsOn: placement.host.ready },
        );

        this.registerOutputs({ containerId: this.container.id, memoryLimitMb: this.memoryLimitMb });
    }
}
