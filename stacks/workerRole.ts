import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../config/load";
import { WorkerSpec } from "../config/schema";
import { Placement } from "../components/common";
import { DockerHost } from "../components/dockerHost";
import type { EngineControllerPart } from "../components/engine";
import { engineDeployment } from "../components/engines";
import { TargetLayout } from "./placement";

export interface WorkerRoleArgs {
    config: ClusterConfig;
    layout: TargetLayout;
    worker: WorkerSpec;
    /** The network the controller role created on the local target. */
    network?: pulumi.Input<string>;
    /** The engine's part on the controller: what this worker's part joins. */
    engine: EngineControllerPart;
}

/** What runs on a worker Pi: Docker and the engine's part there. */
export class WorkerRole extends pulumi.ComponentResource {
    public readonly host: DockerHost;
    public readonly node: pulumi.ComponentResource;

    constructor(name: string, args: WorkerRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:WorkerRole", name, {}, opts);
        const { config, layout, worker } = args;
        const stack = config.stack;

        const engine = engineDeployment(config.engine);
        this.host = new DockerHost(
            `${name}-host`,
            {
                stack,
                host: worker,
                access: layout.access(worker),
                images: [engine.image(config)],
                engineCheck: engine.hostCheck(config),
                allowNoMemoryLimit: config.hosts.allowNoMemoryLimit,
                cpuLimit: config.cluster.cpusPerWorker !== undefined,
            },
            { parent: this },
        );
        const placement: Placement = { host: this.host, stack, network: args.network, publishIp: layout.publishIp };

        this.node = args.engine.worker({
            parent: this,
            name,
            config,
            placement,
            worker,
            externalHost: layout.externalHost(worker),
            clusterHost: (containerName) => layout.clusterHost(worker, containerName),
            hostNetwork: layout.hostNetwork,
        });

        this.registerOutputs({ name: worker.name, address: worker.address, taskSlots: worker.taskSlots });
    }
}
