import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { FLINK_CONTROLLER_MB, FLINK_PORTS } from "../../config/defaults";
import { dockerName, Placement } from "../common";
import { flinkContainerArgs, FlinkStorage, flinkProperties } from "./env";
import { ServiceReadiness } from "../serviceReadiness";
import { FLINK_GATEWAY_JVM_OPTS, flinkSessionSettings, FlinkSettingsOptions } from "./settings";

export interface FlinkSqlGatewayArgs {
    placement: Placement;
    image: string;
    storage: FlinkStorage;
    settings: FlinkSettingsOptions;
    /** Every session's checkpoint interval (the jobs are built in the gateway's sessions). */
    checkpointIntervalSeconds: number;
    /** Where the JobManager is, as the gateway reaches it. */
    jobManagerHost: string;
    externalHost: string;
    hostNetwork: boolean;
}

/**
 * Flink's SQL Gateway (`bin/sql-gateway.sh start-foreground`): plans the benchmark's SQL in a
 * session per query and submits the jobs to the JobManager. It plans with the Kafka SQL connector,
 * so it has the jar too.
 */
export class FlinkSqlGateway extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly ready: ServiceReadiness;
    /** The gateway's REST API, `http://host:8083` (its /v1/sessions, ...). */
    public readonly url: string;

    constructor(name: string, args: FlinkSqlGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:FlinkSqlGateway", name, {}, opts);
        const { placement } = args;
        const containerName = dockerName(placement.stack, "flink-sql-gateway");
        this.url = `http://${args.externalHost}:${FLINK_PORTS.gateway}`;

        const properties = flinkProperties(args.jobManagerHost, args.storage, args.settings, {
            ...flinkSessionSettings({ ...args.settings, checkpointIntervalSeconds: args.checkpointIntervalSeconds }),
            "env.java.opts.sql-gateway": FLINK_GATEWAY_JVM_OPTS,
            "sql-gateway.endpoint.rest.address": args.externalHost,
            "sql-gateway.endpoint.rest.bind-address": "0.0.0.0",
            "sql-gateway.endpoint.rest.port": String(FLINK_PORTS.gateway),
            "execution.target": "remote",
        });

        this.container = new docker.Container(
            `${name}-container`,
            flinkContainerArgs({
                placement,
                name: containerName,
                role: "flink-sql-gateway",
                image: args.image,
                command: ["bin/sql-gateway.sh", "start-foreground"],
                properties,
                s3Plugin: false,
                memoryMb: FLINK_CONTROLLER_MB.sqlGateway,
                publish: [FLINK_PORTS.gateway],
                hostNetwork: args.hostNetwork,
            }),
            { parent: this, provider: placement.host.provider, dependsOn: placement.host.ready },
        );

        this.ready = new ServiceReadiness(
            `${name}-ready`,
            { probe: { kind: "http", url: `${this.url}/v1/info` }, instance: this.container.id },
            { parent: this },
        );

        this.registerOutputs({ url: this.url, containerId: this.container.id });
    }
}
