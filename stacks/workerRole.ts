import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/load";
import { WorkerSpec } from "../config/schema";
import { ArroyoNode, arroyoNodeContainerName } from "../components/arroyoNode";
import { FlinkTaskManager, flinkTaskManagerName } from "../components/flinkTaskManager";
import { ControllerEngine } from "./controllerRole";
import { Placement } from "../components/common";
import { DockerHost } from "../components/dockerHost";
import { engineImage, TargetLayout } from "./placement";

export interface WorkerRoleArgs {
    config: ClusterConfig;
    layout: TargetLayout;
    worker: WorkerSpec;
    /** The network the controller role created on the local target. */
    network?: pulumi.Input<string>;
    /** The engine's part on the controller: what this worker's node or TaskManager registers with. */
    engine: ControllerEngine;
}

/** What runs on a worker Pi: Docker and the engine's worker (an Arroyo node, or a Flink TaskManager). */
export class WorkerRole extends pulumi.ComponentResource {
    public readonly host: DockerHost;
    public readonly node: ArroyoNode | FlinkTaskManager;

    constructor(name: string, args: WorkerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:WorkerRole", name, {}, opts);
        const { config, layout, worker } = args;
        const stack = config.stack;

        const { image: engineImageRef, arroyoImage } = engineImage(config);
        this.host = new DockerHost(
            `${name}-host`,
            {
                stack,
                host: worker,
                access: layout.access(worker),
                images: [engineImageRef],
                arroyoImage,
                allowNoMemoryLimit: config.hosts.allowNoMemoryLimit,
            },
            { parent: this },
        );
        const placement: Placement = { host: this.host, stack, network: args.network, publishIp: layout.publishIp };

        const engine = args.engine;
        // A worker started before its controller answers only logs errors: it waits for the controller's readiness.
        this.node =
            engine.kind === "arroyo"
                ? new ArroyoNode(
                      `${name}-node`,
                      {
                          placement,
                          workerName: worker.name,
                          image: config.images.arroyo,
                          storage: engine.storage,
                          controllerEndpoint: engine.controller.controllerEndpoint,
                          taskSlots: worker.taskSlots,
                          memoryPerSlotMb: config.arroyo.memoryPerSlotMb,
                          advertisedHost: layout.clusterHost(worker, arroyoNodeContainerName(stack, worker.name)),
                          hostNetwork: layout.hostNetwork,
                      },
                      { parent: this, dependsOn: [engine.controller.ready] },
                  )
                : new FlinkTaskManager(
                      `${name}-flink-taskmanager`,
                      {
                          placement,
                          workerName: worker.name,
                          image: config.images.flink,
                          storage: engine.storage,
                          jobManagerHost: engine.jobManagerHost,
                          taskSlots: worker.taskSlots,
                          memoryPerSlotMb: config.arroyo.memoryPerSlotMb,
                          advertisedHost: layout.clusterHost(worker, flinkTaskManagerName(stack, worker.name)),
                          hostNetwork: layout.hostNetwork,
                      },
                      { parent: this, dependsOn: [engine.jobManager.ready] },
                  );

        this.registerOutputs({ name: worker.name, address: worker.address, taskSlots: worker.taskSlots });
    }
}
