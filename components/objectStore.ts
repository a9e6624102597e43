import * as docker from "@pulumi/docker";
import * as minio from "@pulumi/minio";
import * as pulumi from "@pulumi/pulumi";
import { DATA_PATHS, MINIO_PORTS } from "../config/defaults";
import type { EngineMinioUser } from "./engine";
import { containerNetworking, dockerName, EngineStorage, envList, imageOn, ownershipLabels, Placement } from "./common";
import { ServiceReadiness } from "./serviceReadiness";
import { goSeconds } from "../lib/goDuration";

export interface ObjectStoreArgs {
    placement: Placement;
    image: string;
    rootUser: pulumi.Output<string>;
    rootPassword: pulumi.Output<string>;
    /** The engines' bucket: checkpoints (and Arroyo's compiled artifacts). */
    checkpointBucket: string;
    /** Where the engines' filesystem sinks write query output (q10). */
    resultsBucket: string;
    /** Other buckets, out of the engines' reach. */
    extraBuckets: string[];
    /**
     * Every engine's MinIO user, by engine (components/engines.ts), whichever runs: switching
     * engines changes nothing in MinIO.
     */
    engineUsers: Record<string, EngineMinioUser>;
    externalHost: string;
    clusterHost: string;
    retainData: boolean;
    /**
     * Buckets that already exist in a retained data volume (read by the preflight): they are
     * adopted (imported into the stack) instead of created, which MinIO's provider would refuse.
     */
    existingBuckets?: string[];
}

/** MinIO's data volume, by stack: where a retained stack's buckets live (the preflight looks there). */
export function minioVolumeName(stack: string): string {
    return `${dockerName(stack, "minio")}-data`;
}

/**
 * MinIO with its data on a named volume, the buckets, and a dedicated IAM user for each engine
 * whose policy covers its own part of the buckets only, so no engine holds the root credentials.
 */
export class ObjectStore extends pulumi.ComponentResource {
    public readonly container: docker.Container;
    public readonly dataVolume: docker.Volume;
    public readonly ready: ServiceReadiness;
    public readonly buckets: minio.S3Bucket[];
    /** `http://host:port` for the deployer and the benchmark. */
    public readonly endpoint: string;
    /** `http://host:port` for the engine inside the cluster. */
    public readonly clusterEndpoint: string;
    /**
     * Each engine's way into the checkpoint bucket, as its own user. Both users exist whichever
     * engine runs: switching engines changes nothing in MinIO.
     */
    public readonly engineStorage: Record<string, EngineStorage>;

    constructor(name: string, args: ObjectStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:ObjectStore", name, {}, opts);
        const { placement } = args;
        const containerName = dockerName(placement.stack, "minio");
        const onHost = { parent: this, provider: placement.host.provider };

        this.endpoint = `http://${args.externalHost}:${MINIO_PORTS.api}`;
        this.clusterEndpoint = `http://${args.clusterHost}:${MINIO_PORTS.api}`;

        this.dataVolume = new docker.Volume(
            `${name}-data`,
            { name: minioVolumeName(placement.stack), labels: ownershipLabels(placement.stack, "minio") },
            { ...onHost, retainOnDelete: args.retainData },
        );

        this.container = new docker.Container(
            `${name}-container`,
            {
                name: containerName,
                hostname: containerName,
                image: imageOn(placement, args.image),
                command: [
                    "server",
                    DATA_PATHS.minio,
                    "--address",
                    `:${MINIO_PORTS.api}`,
                    "--console-address",
                    `:${MINIO_PORTS.console}`,
                ],
                envs: envList({ MINIO_ROOT_USER: args.rootUser, MINIO_ROOT_PASSWORD: args.rootPassword }),
                restart: "unless-stopped",
                mustRun: true,
                ...containerNetworking(placement, containerName, false),
                ports: [
                    { internal: MINIO_PORTS.api, external: MINIO_PORTS.api, ip: placement.publishIp },
                    { internal: MINIO_PORTS.console, external: MINIO_PORTS.console, ip: placement.publishIp },
                ],
                volumes: [{ volumeName: this.dataVolume.name, containerPath: DATA_PATHS.minio }],
                healthcheck: {
                    tests: ["CMD", "mc", "ready", "local"],
                    interval: goSeconds(10),
                    timeout: goSeconds(5),
                    startPeriod: goSeconds(10),
                    retries: 5,
                },
                labels: ownershipLabels(placement.stack, "minio"),
            },
            { ...onHost, dependsOn: placement.host.ready },
        );

        this.ready = new ServiceReadiness(
            `${name}-ready`,
            { probe: { kind: "http", url: `${this.endpoint}/minio/health/live` }, instance: this.container.id },
            { parent: this },
        );

        const admin = new minio.Provider(
            `${name}-admin`,
            {
                minioServer: `${args.externalHost}:${MINIO_PORTS.api}`,
                minioUser: args.rootUser,
                minioPassword: args.rootPassword,
                minioSsl: false,
            },
            { parent: this },
        );
        const asAdmin = { parent: this, provider: admin, dependsOn: [this.ready] };
        // Kept buckets survive `pulumi destroy`; otherwise they go, contents and all.
        const bucketOpts = { ...asAdmin, retainOnDelete: args.retainData };

        // An existing bucket is imported: the engine reads it and takes it into the stack with these
        // inputs; once in the state the import option changes nothing, so a second preview is a no-op.
        this.buckets = [args.checkpointBucket, args.resultsBucket, ...args.extraBuckets].map(
            (bucket) =>
                new minio.S3Bucket(
                    `${name}-bucket-${bucket}`,
                    { bucket, acl: "private", forceDestroy: !args.retainData },
                    { ...bucketOpts, ...(args.existingBuckets?.includes(bucket) ? { import: bucket } : {}) },
                ),
        );

        // An engine's user: its policy (which keeps its first name, so an upgrade updates it in
        // place), the user, and the policy attached; the engine gets the user's generated key.
        const buckets = { checkpoints: args.checkpointBucket, results: args.resultsBucket };
        const engineUser = (engine: string, u: EngineMinioUser): EngineStorage => {
            const doc = new minio.IamPolicy(
                `${name}-${engine}-policy`,
                { name: u.policyName, policy: JSON.stringify(u.policy(buckets)) },
                asAdmin,
            );
            const iamUser = new minio.IamUser(`${name}-${engine}-user`, { name: u.user, forceDestroy: true }, asAdmin);
            new minio.IamUserPolicyAttachment(
                `${name}-${engine}-policy-attachment`,
                { userName: iamUser.name, policyName: doc.name },
                asAdmin,
            );
            return {
                endpoint: this.clusterEndpoint,
                bucket: args.checkpointBucket,
                accessKey: iamUser.name,
                secretKey: pulumi.secret(iamUser.secret),
            };
        };
        this.engineStorage = Object.fromEntries(
            Object.entries(args.engineUsers).map(([engine, u]) => [engine, engineUser(engine, u)]),
        );

        this.registerOutputs({
            endpoint: this.endpoint,
            clusterEndpoint: this.clusterEndpoint,
            buckets: this.buckets.map((b) => b.bucket),
            ...Object.fromEntries(
                Object.entries(this.engineStorage).map(([engine, st]) => [`${engine}AccessKey`, st.accessKey]),
            ),
        });
    }
}
