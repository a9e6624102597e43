// Arroyo's MinIO user and what it may do.

/**
 * Arroyo's user: read, write, list and delete in its checkpoint bucket; in the results bucket only
 * what its filesystem sink does (crates/arroyo-connectors/src/filesystem/sink/mod.rs): it writes
 * every file as a multipart upload (create, upload parts, complete: s3:PutObject; abort), and after
 * a restore it commits the files of the restored checkpoint again, where a completion that fails
 * reads the file back (`get_if_present`, crates/arroyo-storage/src/lib.rs: s3:GetObject) to see
 * whether it is already there whole. Without GetObject that read is refused and the job cannot
 * recover. No listing, no delete, nothing elsewhere, no bucket creation. The policy keeps its
 * first name so upgrading a stack updates it in place.
 */
export function arroyoPolicy(checkpointBucket: string, resultsBucket: string) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                Resource: [`arn:aws:s3:::${checkpointBucket}`],
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
                Resource: [`arn:aws:s3:::${checkpointBucket}/*`],
            },
            {
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
                Resource: [`arn:aws:s3:::${resultsBucket}`],
            },
            {
                Effect: "Allow",
                Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                Resource: [`arn:aws:s3:::${resultsBucket}/*`],
            },
        ],
    };
}
