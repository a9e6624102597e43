// Each engine's MinIO policy on a real MinIO server on loopback: MinIO accepts the policy (it
// refused Flink's whole policy over one condition key before), every call the engine makes
// succeeds as its user, and everything outside its grant is refused. The server and its client
// (for the admin calls) are binaries named by MINIO_BIN and MC_BIN (default: the toolchain's
// cache bin/): no registry serves them, so without them this is skipped with one line.
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import {
    AbortMultipartUploadCommand,
    CompleteMultipartUploadCommand,
    CreateBucketCommand,
    CreateMultipartUploadCommand,
    DeleteObjectCommand,
    GetObjectCommand,
    ListMultipartUploadsCommand,
    ListObjectsV2Command,
    ListPartsCommand,
    PutObjectCommand,
    S3Client,
    UploadPartCommand,
} from "@aws-sdk/client-s3";
import { arroyoPolicy } from "../../components/arroyo/policy";
import { flinkPolicy } from "../../components/flink/policy";
import { cacheDir } from "../../toolchain/paths";
import { freePort } from "../../toolchain/net";
import { httpAnswers, waitFor } from "../../probes/waitFor";
import { stopChild } from "../helpers/stopChild";

const MINIO = process.env.MINIO_BIN ?? path.join(cacheDir(), "bin", "minio");
const MC = process.env.MC_BIN ?? path.join(cacheDir(), "bin", "mc");
const have = fs.existsSync(MINIO) && fs.existsSync(MC);
if (!have)
    console.log(
        `skipped: the MinIO policy tests need MinIO's server and client at ${MINIO} and ${MC} (MINIO_BIN, MC_BIN); none can be downloaded here`,
    );
const describeWithMinio = have ? describe : describe.skip;

const ROOT = { accessKeyId: "policy-root", secretAccessKey: "policy-root-password" };
const DENIED = /Access Denied/i;

describeWithMinio("each engine's MinIO policy on a real MinIO", () => {
    let server: ChildProcess;
    let endpoint: string;
    let dir: string;
    const mc = (...args: string[]) => promisify(execFile)(MC, ["--config-dir", path.join(dir, "mc"), ...args]);
    const as = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
        new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials });

    /** The policy as the program writes it, created, attached to a new user: MinIO's answer is the test. */
    async function userWith(name: string, policy: object): Promise<S3Client> {
        const file = path.join(dir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(policy));
        await mc("admin", "policy", "create", "t", `${name}-policy`, file);
        await mc("admin", "user", "add", "t", name, `${name}-secret-key`);
        await mc("admin", "policy", "attach", "t", `${name}-policy`, "--user", name);
        return as({ accessKeyId: name, secretAccessKey: `${name}-secret-key` });
    }

    beforeAll(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-minio-"));
        const port = await freePort();
        endpoint = `http://127.0.0.1:${port}`;
        server = spawn(
            MINIO,
            [
                "server",
                path.join(dir, "data"),
                "--address",
                `127.0.0.1:${port}`,
                "--console-address",
                `127.0.0.1:${await freePort()}`,
                "--quiet",
            ],
            {
                env: {
                    ...process.env,
                    MINIO_ROOT_USER: ROOT.accessKeyId,
                    MINIO_ROOT_PASSWORD: ROOT.secretAccessKey,
                    MINIO_BROWSER: "off",
                },
                stdio: "ignore",
            },
        );
        await waitFor("MinIO on loopback", () => httpAnswers(`${endpoint}/minio/health/live`), {
            timeoutMs: 60_000,
            intervalMs: 200,
        });
        await mc("alias", "set", "t", endpoint, ROOT.accessKeyId, ROOT.secretAccessKey);
        const root = as(ROOT);
        for (const Bucket of ["arroyo", "nexmark-results", "other"])
            await root.send(new CreateBucketCommand({ Bucket }));
        await root.send(
            new PutObjectCommand({ Bucket: "arroyo", Key: "checkpoints/job-1/metadata", Body: "arroyo's" }),
        );
        await root.send(new PutObjectCommand({ Bucket: "other", Key: "x", Body: "not theirs" }));
    }, 120_000);
    afterAll(async () => {
        await stopChild(server);
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A whole multipart upload, as a checkpoint writer or Arroyo's filesystem sink makes one. */
    async function multipart(s3: S3Client, Bucket: string, Key: string): Promise<void> {
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
        const { ETag } = await s3.send(
            new UploadPartCommand({
                Bucket,
                Key,
                UploadId,
                PartNumber: 1,
                Body: Buffer.alloc(5 * 1024 * 1024 + 1, "p"),
            }),
        );
        await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
        await s3.send(
            new CompleteMultipartUploadCommand({
                Bucket,
                Key,
                UploadId,
                MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] },
            }),
        );
    }

    describe("Arroyo's user", () => {
        let s3: S3Client;
        beforeAll(async () => {
            s3 = await userWith("arroyo", arroyoPolicy("arroyo", "nexmark-results"));
        });

        it("does in its checkpoint bucket what Arroyo's checkpoints and compiled artifacts need: list, read, write, delete, multipart", async () => {
            await s3.send(
                new PutObjectCommand({ Bucket: "arroyo", Key: "checkpoints/job-2/operator-1", Body: "state" }),
            );
            expect(
                await (
                    await s3.send(new GetObjectCommand({ Bucket: "arroyo", Key: "checkpoints/job-1/metadata" }))
                ).Body!.transformToString(),
            ).toBe("arroyo's");
            expect(
                (await s3.send(new ListObjectsV2Command({ Bucket: "arroyo", Prefix: "checkpoints/" }))).KeyCount,
            ).toBe(2);
            await multipart(s3, "arroyo", "artifacts/pipeline.so");
            const { UploadId } = await s3.send(
                new CreateMultipartUploadCommand({ Bucket: "arroyo", Key: "checkpoints/job-2/aborted" }),
            );
            expect(
                (await s3.send(new ListMultipartUploadsCommand({ Bucket: "arroyo" }))).Uploads?.length,
            ).toBeGreaterThan(0);
            await s3.send(
                new AbortMultipartUploadCommand({ Bucket: "arroyo", Key: "checkpoints/job-2/aborted", UploadId }),
            );
            await s3.send(new DeleteObjectCommand({ Bucket: "arroyo", Key: "checkpoints/job-2/operator-1" }));
        });

        it("writes q10's files to the results bucket and reads one back as the sink's recovery does, and may not list or delete there", async () => {
            await multipart(s3, "nexmark-results", "run/q10/dt=2026-12-06/hm=00-00/part-0.json");
            expect(
                (
                    await (
                        await s3.send(
                            new GetObjectCommand({
                                Bucket: "nexmark-results",
                                Key: "run/q10/dt=2026-12-06/hm=00-00/part-0.json",
                            }),
                        )
                    ).Body!.transformToByteArray()
                ).length,
            ).toBe(5 * 1024 * 1024 + 1);
            await expect(s3.send(new ListObjectsV2Command({ Bucket: "nexmark-results" }))).rejects.toThrow(DENIED);
            await expect(
                s3.send(
                    new DeleteObjectCommand({
                        Bucket: "nexmark-results",
                        Key: "run/q10/dt=2026-12-06/hm=00-00/part-0.json",
                    }),
                ),
            ).rejects.toThrow(DENIED);
        });

        it("is refused everywhere else: another bucket, creating a bucket", async () => {
            await expect(s3.send(new GetObjectCommand({ Bucket: "other", Key: "x" }))).rejects.toThrow(DENIED);
            await expect(s3.send(new PutObjectCommand({ Bucket: "other", Key: "y", Body: "no" }))).rejects.toThrow(
                DENIED,
            );
            await expect(s3.send(new ListObjectsV2Command({ Bucket: "other" }))).rejects.toThrow(DENIED);
            await expect(s3.send(new CreateBucketCommand({ Bucket: "arroyo-made" }))).rejects.toThrow(DENIED);
        });
    });

    describe("Flink's user", () => {
        let s3: S3Client;
        beforeAll(async () => {
            // MinIO refused the earlier version of this policy ("unsupported condition keys '[s3:prefix]' used for action 's3:ListBucketMultipartUploads'").
            s3 = await userWith("flink", flinkPolicy("arroyo"));
        });

        it("does under its prefix what Flink's S3 filesystem does with checkpoints: list, read, write, delete, multipart and abort", async () => {
            await s3.send(
                new PutObjectCommand({ Bucket: "arroyo", Key: "flink/checkpoints/job/chk-1/_metadata", Body: "meta" }),
            );
            expect(
                await (
                    await s3.send(
                        new GetObjectCommand({ Bucket: "arroyo", Key: "flink/checkpoints/job/chk-1/_metadata" }),
                    )
                ).Body!.transformToString(),
            ).toBe("meta");
            expect(
                (
                    await s3.send(
                        new ListObjectsV2Command({
                            Bucket: "arroyo",
                            Prefix: "flink/checkpoints/job/",
                            Delimiter: "/",
                        }),
                    )
                ).CommonPrefixes?.map((p) => p.Prefix),
            ).toEqual(["flink/checkpoints/job/chk-1/"]);
            expect((await s3.send(new ListObjectsV2Command({ Bucket: "arroyo", Prefix: "flink/" }))).KeyCount).toBe(1);
            await multipart(s3, "arroyo", "flink/checkpoints/job/shared/large-state");
            const { UploadId } = await s3.send(
                new CreateMultipartUploadCommand({ Bucket: "arroyo", Key: "flink/checkpoints/job/chk-2/aborted" }),
            );
            await s3.send(
                new AbortMultipartUploadCommand({
                    Bucket: "arroyo",
                    Key: "flink/checkpoints/job/chk-2/aborted",
                    UploadId,
                }),
            );
            await s3.send(new DeleteObjectCommand({ Bucket: "arroyo", Key: "flink/checkpoints/job/chk-1/_metadata" }));
        });

        it("is refused outside its prefix: Arroyo's checkpoints, listing the bucket, the uploads in flight, other buckets", async () => {
            await expect(
                s3.send(new GetObjectCommand({ Bucket: "arroyo", Key: "checkpoints/job-1/metadata" })),
            ).rejects.toThrow(DENIED);
            await expect(
                s3.send(
                    new PutObjectCommand({ Bucket: "arroyo", Key: "checkpoints/job-1/metadata", Body: "overwritten" }),
                ),
            ).rejects.toThrow(DENIED);
            await expect(
                s3.send(new DeleteObjectCommand({ Bucket: "arroyo", Key: "checkpoints/job-1/metadata" })),
            ).rejects.toThrow(DENIED);
            await expect(s3.send(new ListObjectsV2Command({ Bucket: "arroyo" }))).rejects.toThrow(DENIED);
            await expect(
                s3.send(new ListObjectsV2Command({ Bucket: "arroyo", Prefix: "checkpoints/" })),
            ).rejects.toThrow(DENIED);
            await expect(s3.send(new ListMultipartUploadsCommand({ Bucket: "arroyo" }))).rejects.toThrow(DENIED);
            await expect(
                s3.send(new PutObjectCommand({ Bucket: "nexmark-results", Key: "x", Body: "no" })),
            ).rejects.toThrow(DENIED);
            await expect(s3.send(new GetObjectCommand({ Bucket: "other", Key: "x" }))).rejects.toThrow(DENIED);
            await expect(s3.send(new CreateBucketCommand({ Bucket: "flink-made" }))).rejects.toThrow(DENIED);
        });
    });
});
