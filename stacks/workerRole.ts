import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/load";
import { WorkerSpec } from "../config/schema";
import { ArroyoStorage } from "../components/arroyoEnv";
import { ArroyoNode, arroyoNodeContainerName } from "../components/arroyoNode";
import { Placement } from "../components/common";
import { DockerHost } from "../components/dockerHost";
import { TargetLayout } from "./placement";

export interface WorkerRoleArgs {
    config: ClusterConfig;
    layout: TargetLayout;
    worker: WorkerSpec;
    /** The network the controller role created on the local target. */
    network?: pulumi.Input<string>;
    controllerEndpoint: string;
    storage: ArroyoStorage;
    /** The controller's readiness: a node started before the controller answers only logs errors. */
    controllerReady: pulumi.Resource;
}

/** What runs on a worker Pi: Docker and one Arroyo node. */
export class WorkerRole extends pulumi.ComponentResource {
    public readonly host: DockerHost;
    public readonly node: ArroyoNode;

    constructor(name: string, args: WorkerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:WorkerRole", name, {}, opts);
        const { config, layout, worker } = args;
        const stack = config.stack;

        this.host = new DockerHost(
            `${name}-host`,
            { stack, host: worker, access: layout.access(worker), images: [config.images.arroyo], arroyoImage: config.images.arroyo, allowNoMemoryLimit: config.hosts.allowNoMemoryLimit },
            { parent: this },
        );
        const placement: Placement = { host: this.host, stack, network: args.network, publishIp: layout.publishIp };

        this.node = new ArroyoNode(
            `${name}-node`,
            {
                placement,
                workerName: worker.name,
                image: config.images.arroyo,
                storage: args.storage,
                controllerEndpoint: args.controllerEndpoint,
                taskSlots: worker.taskSlots,
                memoryPerSlotMb: config.arroyo.memoryPerSlotMb,
                advertisedHost: layout.clusterHost(worker, arroyoNodeContainerName(stack, worker.name)),
                hostNetwork: layout.hostNetwork,
            },
            { parent: this, dependsOn: [args.controllerReady] },
        );

        this.registerOutputs({ name: worker.name, address: worker.address, taskSlots: worker.taskSlots });
    }
}
