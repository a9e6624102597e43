// What a stream processor brings to the cluster, as the roles in stacks/ compose it: what runs on
// the controller host, what runs on each worker, its MinIO user, its images, and the memory each
// part needs. Each engine implements it in its own folder (components/arroyo/, components/flink/);
// components/engines.ts lists them. Nothing outside those folders names an engine.
import * as pulumi from "@pulumi/pulumi";
import type { EngineSettings } from "../config/defaults";
import type { ClusterConfig } from "../config/load";
import type { WorkerSpec } from "../config/schema";
import type { EngineStorage, Placement } from "./common";
import type { EngineHostCheck } from "./dockerHost";

/** The bucket names an engine's MinIO policy is written for. */
export interface PolicyBuckets {
    checkpoints: string;
    results: string;
}

/** The engine's own MinIO user: it never holds the root credentials. */
export interface EngineMinioUser {
    /** The IAM user's name. */
    user: string;
    /** The policy's name in MinIO (kept once created, so an upgrade updates it in place). */
    policyName: string;
    policy(buckets: PolicyBuckets): object;
}

/** Where one of the engine's parts is placed, and how others reach it. */
export interface EnginePlacement {
    /** The role component the part belongs to: its resources are that component's children. */
    parent: pulumi.ComponentResource;
    /** The role's name; resource names start with it. */
    name: string;
    config: ClusterConfig;
    placement: Placement;
    /** Address the deployer and the benchmark use for a service on this host, as a URL takes it. */
    externalHost: string;
    /** Address other cluster members use for the service in `containerName` on this host. */
    clusterHost(containerName: string): string;
    /** Host networking (Pis) or the stack's bridge network with published ports (local). */
    hostNetwork: boolean;
}

/** The engine's part on the controller host, and how its workers join it. */
export interface EngineControllerPart {
    /** The engine's APIs, keyed as the stack outputs name them (stacks/outputs.ts). */
    endpoints: Record<string, string>;
    /** The part on one worker, as a child of its worker role, started once this controller answers. */
    worker(at: EnginePlacement & { worker: WorkerSpec }): pulumi.ComponentResource;
}

export interface EngineDeployment {
    /** Steps of toolchain/run.sh the deploying machine runs before an `up` (what the engine's containers get from its cache). */
    toolchain: readonly string[];
    /**
     * The toolchain/run.sh step that builds the engine's image from Debian and the package
     * registries, for the local stack where no container registry serves its default image.
     */
    imageStep: string;
    /** The image of the engine every host of the stack pulls. */
    image(config: ClusterConfig): string;
    /** What each host's Docker check runs for this engine, if anything (see EngineHostCheck). */
    hostCheck(config: ClusterConfig): EngineHostCheck | undefined;
    minioUser: EngineMinioUser;
    /** Container roles on the controller host and on each worker, as hosts' outputs list them. */
    controllerRoles: readonly string[];
    workerRoles: readonly string[];
    /** The engine's own settings for the stack outputs and results ({} for an engine run as it ships). */
    settings(config: ClusterConfig): EngineSettings;
    /** Memory the controller host gives the engine's controller part, in MB (the preflight's sum). */
    controllerMemoryMb: number;
    /** Memory a worker's part is limited to, in MB. */
    workerMemoryMb(taskSlots: number, memoryPerSlotMb: number): number;
    /**
     * The controller part, as children of the controller role, with the engine's own way into the
     * checkpoint bucket (its workers get the same). `after` is what must be up before it starts.
     */
    controller(at: EnginePlacement & { storage: EngineStorage }, after: pulumi.Resource[]): EngineControllerPart;
}
