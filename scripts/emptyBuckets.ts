// Before `down` deletes the stack's buckets, this empties the ones the state says go (not retained).
// The minio provider (terraform-provider-minio v1.20.1, bundled by @pulumi/minio 0.17.1) deletes a
// non-empty bucket with forceDestroy by listing its objects in a goroutine that calls log.Fatalln
// on any error (minio/resource_minio_s3_bucket.go, minioDeleteBucket): the listing's context is
// cancelled when the delete returns, and the plugin dies ("exited prematurely") in about half the
// destroys. An empty bucket is removed by its first RemoveBucket call, which never starts that
// goroutine. Emptying here rather than in a resource's delete hook: a hook's delete also runs on a
// replacement or when retainData is switched on, with the old inputs, and would empty kept data.
import {
    AbortMultipartUploadCommand,
    DeleteObjectsCommand,
    ListMultipartUploadsCommand,
    ListObjectsV2Command,
    S3Client,
} from "@aws-sdk/client-s3";
import { S3_REGION } from "../config/defaults";

interface StateResource {
    type: string;
    urn: string;
    id?: string;
    retainOnDelete?: boolean;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    provider?: string;
}

/** The buckets `destroy` deletes, by MinIO endpoint: forceDestroy set and not retained on delete. */
export function bucketsToEmpty(state: { resources?: StateResource[] }): { endpoint: string; buckets: string[] }[] {
    const resources = state.resources ?? [];
    const providers = new Map<string, string>();
    for (const r of resources.filter((x) => x.type === "pulumi:providers:minio")) {
        const server = String(r.inputs?.minioServer ?? "");
        const ssl = r.inputs?.minioSsl === true || r.inputs?.minioSsl === "true";
        // A resource names its provider as "<provider urn>::<provider id>".
        if (server) providers.set(`${r.urn}::${r.id ?? ""}`, `${ssl ? "https" : "http"}://${server}`);
    }
    const byEndpoint = new Map<string, string[]>();
    for (const r of resources.filter((x) => x.type === "minio:index/s3Bucket:S3Bucket")) {
        const endpoint = r.provider ? providers.get(r.provider) : undefined;
        const bucket = String(r.outputs?.bucket ?? r.inputs?.bucket ?? "");
        if (!endpoint || !bucket || r.retainOnDelete || r.inputs?.forceDestroy !== true) continue;
        byEndpoint.set(endpoint, [...(byEndpoint.get(endpoint) ?? []), bucket]);
    }
    return [...byEndpoint].map(([endpoint, buckets]) => ({ endpoint, buckets: buckets.sort() }));
}

/** Deletes every object of a bucket and aborts its uploads in flight; a missing bucket is empty. */
export async function emptyBucket(s3: S3Client, bucket: string): Promise<{ objects: number; uploads: number }> {
    let objects = 0;
    let uploads = 0;
    try {
        for (let token: string | undefined; ;) {
            const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
            const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key! }));
            if (keys.length) {
                const r = await s3.send(
                    new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
                );
                if (r.Errors?.length)
                    throw new Error(
                        `could not delete ${r.Errors.length} objects of bucket ${bucket}, e.g. ${r.Errors[0].Key}: ${r.Errors[0].Message}`,
                    );
                objects += keys.length;
            }
            if (!page.IsTruncated) break;
            token = page.NextContinuationToken;
        }
        const inFlight = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
        for (const u of inFlight.Uploads ?? []) {
            await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: u.Key!, UploadId: u.UploadId! }));
            uploads++;
        }
    } catch (err) {
        if ((err as { name?: string }).name === "NoSuchBucket") return { objects, uploads };
        throw err;
    }
    return { objects, uploads };
}

/** Empties what `destroy` is about to delete, as MinIO's root user; one line per bucket. */
export async function emptyBucketsBeforeDestroy(
    state: { resources?: StateResource[] },
    credentials: { rootUser: string; rootPassword: string },
    say: (line: string) => void,
): Promise<void> {
    for (const { endpoint, buckets } of bucketsToEmpty(state)) {
        const s3 = new S3Client({
            endpoint,
            region: S3_REGION,
            forcePathStyle: true,
            credentials: { accessKeyId: credentials.rootUser, secretAccessKey: credentials.rootPassword },
        });
        try {
            for (const bucket of buckets) {
                const r = await emptyBucket(s3, bucket);
                say(
                    `emptied bucket ${bucket} at ${endpoint} before deleting it (${r.objects} objects, ${r.uploads} uploads in flight aborted)`,
                );
            }
        } finally {
            s3.destroy();
        }
    }
}
