import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ARROYO_PORTS, DATA_PATHS } from "../../config/defaults";
import { ArroyoStorage, arroyoStorageEnv } from "./env";
import { containerNetworking, dockerName, envList, imageOn, ownershipLabels, Placement } from "../common";
import { ServiceReadiness } from "../serviceReadiness";

export interface ArroyoControllerArgs {
    placement: Placement;
    image: string;
    storage: ArroyoStorage;
    checkpointIntervalSeconds: number;
    /** Host the deployer and the benchmark use for the REST API. */
    externalHost: string;
    /** Host Arroyo nodes use for the controller's gRPC endpoint. */
    clusterHost: string;
    /** Host networking (Pis) or a bridge network with published ports (local). */
    hostNetwork: boolean;
    retainData: boolean;
}

/**
 * `arroyo cluster` (API, controller and compiler in one process) with the `node` scheduler, so
 * jobs run on the workers' Arroyo nodes rather than as local processes. Its sqlite database sits
 * on a named volume; checkpoints and artifacts go to MinIO.
 */
export class ArroyoController extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly dataVolume: docker.Volume;
    public readonly ready: ServiceReadiness;
    /** REST API base for the deployer and the benchmark, `http://host:5115/api/v1`. */
    public readonly apiUrl: string;
    /** gRPC endpoint the nodes register with, `http://host:5116`. */
    public readonly controllerEndpoint: string;

    constructor(name: string, args: ArroyoControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:ArroyoController", name, {}, opts);
        const { placement } = args;
        const containerName = dockerName(placement.stack, "arroyo-controller");
        const onHost = { parent: this, provider: placement.host.provider };

        this.apiUrl = `http://${args.externalHost}:${ARROYO_PORTS.api}/api/v1`;
        this.controllerEndpoint = `http://${args.clusterHost}:${ARROYO_PORTS.controller}`;

        this.dataVolume = new docker.Volume(
            `${name}-data`,
            { name: `${containerName}-data`, labels: ownershipLabels(placement.stack, "arroyo-controller") },
            { ...onHost, retainOnDelete: args.retainData },
        );

        const env = {
            ARROYO__CONTROLLER__SCHEDULER: "node",
            ARROYO__DATABASE__TYPE: "sqlite",
            ARROYO__DATABASE__SQLITE__PATH: `${DATA_PATHS.arroyo}/arroyo.sqlite`,
            ARROYO__DEFAULT_CHECKPOINT_INTERVAL: `${args.checkpointIntervalSeconds}s`,
            ...arroyoStorageEnv(args.storage),
        };

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: containerName,
                hostname: containerName,
                image: imageOn(placement, args.image),
                command: ["cluster"],
                envs: envList(env),
                restart: "unless-stopped",
                mustRun: true,
                ...containerNetworking(placement, containerName, args.hostNetwork),
                ports: args.hostNetwork
                    ? []
                    : [ARROYO_PORTS.admin, ARROYO_PORTS.api].map((port) => ({
                          internal: port,
                          external: port,
                          ip: placement.publishIp,
                      })),
                volumes: [{ volumeName: this.dataVolume.name, containerPath: DATA_PATHS.arroyo }],
                labels: ownershipLabels(placement.stack, "arroyo-controller"),
            },
            { ...onHost, dependsOn: placement.host.ready },
        );

        this.ready = new ServiceReadiness(
            `${name}-ready`,
            { probe: { kind: "http", url: `${this.apiUrl}/ping` }, instance: this.container.id },
            { parent: this },
        );

        this.registerOutputs({
            apiUrl: this.apiUrl,
            controllerEndpoint: this.controllerEndpoint,
            containerId: this.container.id,
        });
    }
}
