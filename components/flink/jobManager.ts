import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { FLINK_CONTROLLER_MB, FLINK_PORTS } from "../../config/defaults";
import { dockerName, Placement } from "../common";
import { flinkContainerArgs, FlinkStorage, flinkProperties } from "./env";
import { ServiceReadiness } from "../serviceReadiness";
import { FlinkSettingsOptions } from "./settings";

export interface FlinkJobManagerArgs {
    placement: Placement;
    image: string;
    storage: FlinkStorage;
    settings: FlinkSettingsOptions;
    /** Host the deployer and the benchmark use for the REST API. */
    externalHost: string;
    /** Host the TaskManagers and the SQL Gateway reach the JobManager at. */
    clusterHost: string;
    /** Host networking (Pis) or a bridge network with published ports (local). */
    hostNetwork: boolean;
}

/** The JobManager's container name, which is also its address on the local target's network. */
export function flinkJobManagerName(stack: string): string {
    return dockerName(stack, "flink-jobmanager");
}

/**
 * Flink's JobManager of a session cluster (the image's `jobmanager`): schedules the jobs the SQL
 * Gateway submits onto the TaskManagers, coordinates their checkpoints to MinIO, and serves the
 * REST API the benchmark follows jobs through.
 */
export class FlinkJobManager extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly ready: ServiceReadiness;
    /** REST API base for the deployer and the benchmark, `http://host:8081`. */
    public readonly restUrl: string;

    constructor(name: string, args: FlinkJobManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:FlinkJobManager", name, {}, opts);
        const { placement } = args;
        const containerName = flinkJobManagerName(placement.stack);
        this.restUrl = `http://${args.externalHost}:${FLINK_PORTS.rest}`;

        const properties = flinkProperties(args.clusterHost, args.storage, args.settings, {
            "jobmanager.bind-host": "0.0.0.0",
            "rest.bind-address": "0.0.0.0",
            "jobmanager.memory.process.size": `${FLINK_CONTROLLER_MB.jobManager}m`,
            // The benchmark reads counters through this REST API, which serves what it last fetched
            // from the TaskManagers: at most a second old (the default is 10 s).
            "metrics.fetcher.update-interval": "1000",
        });

        this.container = new docker.Container(
            `${name}-container`,
            flinkContainerArgs({
                placement,
                name: containerName,
                role: "flink-jobmanager",
                image: args.image,
                command: ["jobmanager"],
                properties,
                s3Plugin: true,
                publish: [FLINK_PORTS.rest],
                hostNetwork: args.hostNetwork,
            }),
            { parent: this, provider: placement.host.provider, dependsOn: placement.host.ready },
        );

        this.ready = new ServiceReadiness(
            `${name}-ready`,
            { probe: { kind: "http", url: `${this.restUrl}/overview` }, instance: this.container.id },
            { parent: this },
        );

        this.registerOutputs({ restUrl: this.restUrl, containerId: this.container.id });
    }
}
