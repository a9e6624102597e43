// The local stack on the real engine, real Docker, Kafka and MinIO: up, a no-op preview, a
// third worker, destroy. Needs the four resource plugins (docker, kafka, minio, command) and the
// stack's images on the Docker engine (E2E_IMAGES may name others, e.g. the Arroyo test double's
// image). Where the plugins are missing it is skipped with one line saying which.
import { execFile } from "child_process";
import { promisify } from "util";
import { Kafka, logLevel } from "kafkajs";
import { S3Client, PutObjectCommand, DeleteObjectCommand, CreateBucketCommand, GetObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand } from "@aws-sdk/client-s3";
import { E2eProject } from "./engine";
import { missingPlugins } from "../../toolchain/plugins";

const STACK = "e2e-local";
const docker = async (...args: string[]) => (await promisify(execFile)("docker", args)).stdout.trim();
const summaryOf = (output: string): Record<string, number> => {
    const line = output.split("\n").reverse().find((l) => l.startsWith("change summary: "));
    if (!line) throw new Error(`no change summary in:\n${output.slice(-3000)}`);
    return JSON.parse(line.slice("change summary: ".length));
};
const stepsOf = (output: string): Record<string, string[]> => {
    const line = output.split("\n").reverse().find((l) => l.startsWith("preview steps: "));
    if (!line) throw new Error(`no preview steps in:\n${output.slice(-3000)}`);
    return JSON.parse(line.slice("preview steps: ".length));
};
/** Fails with the end of the engine's output, which says why. */
function succeeded(result: { code: number; output: string }): void {
    if (result.code !== 0) throw new Error(`deploy failed (exit ${result.code}):\n${result.output.slice(-4000)}`);
}
const workers = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ name: `worker${i + 1}`, address: "localhost" })));

const missing = missingPlugins();
if (missing.length) console.log(`skipped: the local stack on the real engine needs the resource plugins ${missing.join(", ")} (on PATH as pulumi-resource-<name> or installed with 'pulumi plugin install'); none can be downloaded here`);
const describeWithPlugins = missing.length ? describe.skip : describe;

/** Arroyo's MinIO credentials as the program hands them to Arroyo: the controller container's environment. Never printed. */
async function arroyoCredentials(): Promise<{ accessKeyId: string; secretAccessKey: string }> {
    const env = JSON.parse(await docker("inspect", "--format", "{{json .Config.Env}}", `arroyo-pi-${STACK}-arroyo-controller`)) as string[];
    const get = (k: string) => env.find((e) => e.startsWith(`${k}=`))?.slice(k.length + 1);
    const accessKeyId = get("AWS_ACCESS_KEY_ID");
    const secretAccessKey = get("AWS_SECRET_ACCESS_KEY");
    if (!accessKeyId || !secretAccessKey) throw new Error("the controller's environment lacks AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY");
    return { accessKeyId, secretAccessKey };
}

describeWithPlugins("the local stack on the real engine", () => {
    const project = new E2eProject();
    let outputs: Record<string, unknown>;

    beforeAll(async () => {
        await project.configure(STACK, {
            target: "local",
            controller: JSON.stringify({ name: "controller", address: "localhost" }),
            workers: workers(2),
            arroyo: JSON.stringify({ taskSlotsPerWorker: 2, memoryPerSlotMb: 512 }),
            retainData: "false",
            ...(process.env.E2E_IMAGES ? { images: process.env.E2E_IMAGES } : {}),
        });
    });
    afterAll(async () => {
        await project.deploy("destroy", STACK);
        project.remove();
    });

    it("`up` starts every container and creates topics, buckets and Arroyo's user", async () => {
        succeeded(await project.deploy("up", STACK));
        outputs = JSON.parse(await project.pulumi(["stack", "output", "--json", "--stack", STACK]));
        const running = (await docker("ps", "--filter", `label=arroyo-pi.stack=${STACK}`, "--format", "{{.Names}}")).split("\n").sort();
        expect(running).toEqual([
            `arroyo-pi-${STACK}-arroyo-controller`,
            `arroyo-pi-${STACK}-arroyo-node-worker1`,
            `arroyo-pi-${STACK}-arroyo-node-worker2`,
            `arroyo-pi-${STACK}-kafka`,
            `arroyo-pi-${STACK}-minio`,
        ]);

        const admin = new Kafka({ brokers: [outputs.kafkaBootstrapServers as string], logLevel: logLevel.NOTHING }).admin();
        await admin.connect();
        const meta = await admin.fetchTopicMetadata({ topics: ["nexmark-person", "nexmark-auction", "nexmark-bid"] });
        await admin.disconnect();
        // kafkajs returns topics in no fixed order.
        expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
            ["nexmark-auction", 4],
            ["nexmark-bid", 4],
            ["nexmark-person", 4],
        ]);

        expect((await fetch(`${outputs.arroyoApiUrl as string}/ping`)).status).toBe(200);
    }, 1_800_000);

    it("Arroyo's MinIO user can write to its bucket, write and read back files in the results bucket as q10's sink recovers, and nothing else", async () => {
        const s3 = new S3Client({ endpoint: outputs.minioEndpoint as string, region: "us-east-1", forcePathStyle: true, credentials: await arroyoCredentials() });
        await s3.send(new PutObjectCommand({ Bucket: "arroyo", Key: "checkpoints/e2e-probe", Body: "ok" }));
        await s3.send(new DeleteObjectCommand({ Bucket: "arroyo", Key: "checkpoints/e2e-probe" }));
        // q10's filesystem sink: a file as a multipart upload; after a restore the same completion is
        // sent again, fails (the upload is gone), and the sink reads the file back to check its size
        // (filesystem/sink/mod.rs, get_if_present). Deleting is not Arroyo's business.
        const Key = "e2e-run/q10/dt=2026-01-01/hm=00-00/part-0.json";
        const body = Buffer.alloc(5 * 1024 * 1024 + 17, "x");
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "nexmark-results", Key }));
        const { ETag } = await s3.send(new UploadPartCommand({ Bucket: "nexmark-results", Key, UploadId, PartNumber: 1, Body: body }));
        const complete = () => s3.send(new CompleteMultipartUploadCommand({ Bucket: "nexmark-results", Key, UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
        await complete();
        await expect(complete()).rejects.toThrow();
        const back = await s3.send(new GetObjectCommand({ Bucket: "nexmark-results", Key }));
        expect((await back.Body!.transformToByteArray()).length).toBe(body.length);
        await expect(s3.send(new DeleteObjectCommand({ Bucket: "nexmark-results", Key }))).rejects.toThrow(/Access Denied/i);
        await expect(s3.send(new CreateBucketCommand({ Bucket: "e2e-not-allowed" }))).rejects.toThrow(/Access Denied/i);
    }, 120_000);

    it("a second preview changes nothing", async () => {
        const preview = await project.deploy("preview", STACK);
        succeeded(preview);
        const summary = summaryOf(preview.output);
        expect(Object.keys(summary).filter((k) => k !== "same")).toEqual([]);
    }, 600_000);

    it("a third worker adds only its resources and grows the partitions", async () => {
        await project.pulumi(["config", "set", "--stack", STACK, "arroyo-pi:workers", workers(3)]);
        const preview = await project.deploy("preview", STACK);
        succeeded(preview);
        // Exactly the new host's resources are created and the three topics grow; nothing else changes.
        const summary = summaryOf(preview.output);
        expect(Object.keys(summary).sort()).toEqual(["create", "same", "update"]);
        expect(summary.update).toBe(3);
        // By resource, from the engine's structured events (deploy.ts prints them), not its text display.
        const steps = stepsOf(preview.output);
        expect(steps.create.length).toBe(summary.create);
        expect(steps.create.filter((n) => !n.startsWith("worker-worker3"))).toEqual([]);
        expect(steps.update).toEqual(["controller-topics-auction", "controller-topics-bid", "controller-topics-person"]);
        succeeded(await project.deploy("up", STACK));
        expect(await docker("ps", "--filter", `name=arroyo-pi-${STACK}-arroyo-node-worker3`, "--format", "{{.Names}}")).toBe(`arroyo-pi-${STACK}-arroyo-node-worker3`);
    }, 1_800_000);

    it("`destroy` leaves no container, network or volume of the stack (retainData false)", async () => {
        succeeded(await project.deploy("destroy", STACK));
        expect(await docker("ps", "-a", "--filter", `label=arroyo-pi.stack=${STACK}`, "-q")).toBe("");
        expect(await docker("network", "ls", "--filter", `label=arroyo-pi.stack=${STACK}`, "-q")).toBe("");
        expect(await docker("volume", "ls", "--filter", `label=arroyo-pi.stack=${STACK}`, "-q")).toBe("");
    }, 600_000);
});
