import * as pulumi from "@pulumi/pulumi";
import { S3_REGION } from "../../config/defaults";
import { EngineStorage } from "../common";

/** Where an Arroyo cluster keeps shared state: one MinIO bucket, reached with Arroyo's own user. */
export type ArroyoStorage = EngineStorage;

/**
 * The storage settings every Arroyo process needs (controller, nodes and the workers they
 * spawn, which inherit the node's environment): checkpoints and compiled artifacts on MinIO,
 * addressed path-style with the endpoint in the URL, as Arroyo's object-store layer expects.
 */
export function arroyoStorageEnv(storage: ArroyoStorage): Record<string, pulumi.Input<string>> {
    const base = `s3::${storage.endpoint}/${storage.bucket}`;
    return {
        ARROYO__CHECKPOINT_URL: `${base}/checkpoints`,
        ARROYO__COMPILER__ARTIFACT_URL: `${base}/artifacts`,
        AWS_ACCESS_KEY_ID: storage.accessKey,
        AWS_SECRET_ACCESS_KEY: storage.secretKey,
        AWS_DEFAULT_REGION: S3_REGION,
        AWS_REGION: S3_REGION,
    };
}
