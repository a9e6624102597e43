// The local stack on the real engine, real Docker, Kafka and MinIO: up, a no-op preview, a
// third worker, destroy; then the deploy path under faults (retained data comes back, an
// interrupted `up` recovers by itself). One file: the stacks share the engine's host ports, so they
// run one after the other. Needs the four resource plugins (docker, kafka, minio, command) and the
// stack's images on the Docker engine (E2E_IMAGES may name others, e.g. the Arroyo test double's
// image). Where the plugins are missing it is skipped with one line saying which.
import { Kafka, logLevel } from "kafkajs";
import { S3Client, PutObjectCommand, DeleteObjectCommand, CreateBucketCommand, GetObjectCommand, CreateMultipartUploadCommand, UploadPartCommand, CompleteMultipartUploadCommand } from "@aws-sdk/client-s3";
import { arroyoCredentials, describeWithPlugins, docker, E2eProject, stepsOf, succeeded, summaryOf, workers } from "./engine";

const STACK = "e2e-local";

const withPlugins = describeWithPlugins("the local stack on the real engine");

withPlugins("the local stack on the real engine", () => {
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
        const s3 = new S3Client({ endpoint: outputs.minioEndpoint as string, region: "us-east-1", forcePathStyle: true, credentials: await arroyoCredentials(STACK) });
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

const FAULTS_STACK = "e2e-faults";
const RETAINED_KEY = "checkpoints/e2e-retained-probe";

const volumesOfStack = async () => (await docker("volume", "ls", "--filter", `label=arroyo-pi.stack=${FAULTS_STACK}`, "--format", "{{.Name}}")).split("\n").filter(Boolean).sort();
const s3As = async (endpoint: string) => new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: await arroyoCredentials(FAULTS_STACK) });
const noChanges = (output: string) => Object.keys(summaryOf(output)).filter((k) => k !== "same");

withPlugins("the local stack's deploy under faults", () => {
    const project = new E2eProject();

    beforeAll(async () => {
        await project.configure(FAULTS_STACK, {
            target: "local",
            controller: JSON.stringify({ name: "controller", address: "localhost" }),
            workers: workers(2),
            arroyo: JSON.stringify({ taskSlotsPerWorker: 1, memoryPerSlotMb: 512 }),
            retainData: "true",
            ...(process.env.E2E_IMAGES ? { images: process.env.E2E_IMAGES } : {}),
        });
    });
    afterAll(async () => {
        // The test's own data: let go of it as a user would (retainData false, applied, destroyed).
        await project.pulumi(["config", "set", "--stack", FAULTS_STACK, "arroyo-pi:retainData", "false"]);
        await project.deploy("up", FAULTS_STACK);
        await project.deploy("destroy", FAULTS_STACK);
        for (const v of await volumesOfStack()) await docker("volume", "rm", v).catch(() => undefined);
        project.remove();
    });

    it("destroy with retainData keeps the volumes; the next up adopts the buckets and the objects are there", async () => {
        succeeded(await project.deploy("up", FAULTS_STACK));
        const endpoint = JSON.parse(await project.pulumi(["stack", "output", "minioEndpoint", "--json", "--stack", FAULTS_STACK])) as string;
        await (await s3As(endpoint)).send(new PutObjectCommand({ Bucket: "arroyo", Key: RETAINED_KEY, Body: "written before the destroy" }));

        succeeded(await project.deploy("destroy", FAULTS_STACK));
        expect(await docker("ps", "-a", "--filter", `label=arroyo-pi.stack=${FAULTS_STACK}`, "-q")).toBe("");
        expect((await volumesOfStack()).length).toBeGreaterThan(0);

        const up = await project.deploy("up", FAULTS_STACK);
        succeeded(up);
        // Adopted, not created: the MinIO provider refuses to create a bucket that exists.
        expect(up.output).not.toMatch(/bucket already exists/i);
        const back = await (await s3As(endpoint)).send(new GetObjectCommand({ Bucket: "arroyo", Key: RETAINED_KEY }));
        expect(await back.Body!.transformToString()).toBe("written before the destroy");

        const preview = await project.deploy("preview", FAULTS_STACK);
        succeeded(preview);
        expect(noChanges(preview.output)).toEqual([]);
    }, 2_400_000);

    it("Ctrl-C during the container phase of `up` stops cleanly; the next `up` recovers by itself and a preview is a no-op", async () => {
        succeeded(await project.deploy("destroy", FAULTS_STACK));
        // In its own process group, signalled as a terminal's Ctrl-C signals it: the script and the CLI at once.
        const running = project.start("up", FAULTS_STACK, { processGroup: true });
        await running.waitFor(/docker:index:Container\s+\S+\s+creating/);
        process.kill(-running.child.pid!, "SIGINT");
        const interrupted = await running.exited;
        expect(interrupted.code).not.toBe(0);
        expect(interrupted.output).toMatch(/interrupted: the engine finishes the steps in flight/);

        const again = await project.deploy("up", FAULTS_STACK);
        succeeded(again);
        const preview = await project.deploy("preview", FAULTS_STACK);
        succeeded(preview);
        expect(noChanges(preview.output)).toEqual([]);
        expect(preview.output).not.toMatch(/pending operations|currently locked/);
    }, 2_400_000);

    it("a lone SIGINT to the deploy script is passed on to the engine, and the next `up` recovers", async () => {
        succeeded(await project.deploy("destroy", FAULTS_STACK));
        const running = project.start("up", FAULTS_STACK);
        await running.waitFor(/docker:index:Container\s+\S+\s+creating/);
        running.child.kill("SIGINT");
        const interrupted = await running.exited;
        expect(interrupted.code).not.toBe(0);

        succeeded(await project.deploy("up", FAULTS_STACK));
        const preview = await project.deploy("preview", FAULTS_STACK);
        succeeded(preview);
        expect(noChanges(preview.output)).toEqual([]);
    }, 2_400_000);
});
