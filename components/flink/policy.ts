// Flink's MinIO user and what it may do.
import { FLINK_CHECKPOINT_PREFIX } from "./env";

/**
 * Flink's user: its checkpoints under one prefix of the checkpoint bucket, and nothing else.
 * Flink's S3 filesystem lists, reads, writes and deletes checkpoint files there (it removes the
 * checkpoints it no longer retains), and writes large state as multipart uploads, which it
 * completes or aborts by key (object actions). It never lists the bucket's uploads in flight, so
 * s3:ListBucketMultipartUploads is not granted: MinIO accepts `s3:prefix` only on s3:ListBucket and
 * refuses the whole policy when that condition is put on ListBucketMultipartUploads ("unsupported
 * condition keys"), and granting it without the condition would show Flink every upload in the bucket.
 */
export function flinkPolicy(checkpointBucket: string) {
    const prefix = FLINK_CHECKPOINT_PREFIX;
    return {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [`arn:aws:s3:::${checkpointBucket}`] },
            {
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: [`arn:aws:s3:::${checkpointBucket}`],
                Condition: { StringLike: { "s3:prefix": [prefix, `${prefix}/*`] } },
            },
            {
                Effect: "Allow",
                Action: [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                Resource: [`arn:aws:s3:::${checkpointBucket}/${prefix}/*`],
            },
        ],
    };
}
