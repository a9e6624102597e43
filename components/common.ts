import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PROJECT } from "../config/defaults";
import type { DockerHost } from "./dockerHost";

/** Labels on every container, volume and network we create, so a host can be audited or cleaned by stack. */
export function ownershipLabels(stack: string, role: string): docker.types.input.ContainerLabel[] {
    return [
        { label: `${PROJECT}.stack`, value: stack },
        { label: `${PROJECT}.role`, value: role },
    ];
}

/** Where a container runs: the host's engine and how the host's containers are networked. */
export interface Placement {
    host: DockerHost;
    /** The stack name, stamped on resources as a label and used in their names. */
    stack: string;
    /** A user-defined bridge network (local target), or undefined for published ports / host networking. */
    network?: pulumi.Input<string>;
    /** Address published ports bind to: loopback on the local target, every interface on a Pi. */
    publishIp: string;
}

/** The image id of `ref` on the placement's host; containers take it so a new version replaces them. */
export function imageOn(placement: Placement, ref: string): pulumi.Output<string> {
    const id = placement.host.imageIds[ref];
    if (!id) throw new Error(`image ${ref} was not declared for host ${placement.host.name}`);
    return id;
}

/** Docker names of one stack's containers and volumes; two stacks can share one engine. */
export function dockerName(stack: string, role: string): string {
    return `${PROJECT}-${stack}-${role}`;
}

/** Network settings of a container: on the stack's bridge network under its own name, or the host's. */
export function containerNetworking(placement: Placement, name: string, hostNetwork: boolean) {
    if (hostNetwork) return { networkMode: "host" };
    if (placement.network === undefined) return {};
    return { networksAdvanced: [{ name: placement.network, aliases: [name] }] };
}

/** Environment as Docker's KEY=value list, in a stable order so previews show no spurious diffs. */
export function envList(env: Record<string, pulumi.Input<string>>): pulumi.Output<string[]> {
    return pulumi.all(
        Object.keys(env)
            .sort()
            .map((k) => pulumi.interpolate`${k}=${env[k]}`),
    );
}

/** How an engine's processes reach the checkpoint bucket: MinIO as they address it, and their own MinIO user. */
export interface EngineStorage {
    /** MinIO as the engine's processes reach it, `http://host:port`. */
    endpoint: string;
    bucket: string;
    accessKey: pulumi.Input<string>;
    secretKey: pulumi.Input<string>;
}
