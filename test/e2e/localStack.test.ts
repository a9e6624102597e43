// The local stack on the real engine, real Docker, Kafka and MinIO: up, a no-op preview, a
// third worker, destroy. Needs the four resource plugins (docker, kafka, minio, command) and the
// stack's images on the Docker engine, so it is not part of `npm test` on offline machines:
// run it with `npm run test:e2e:local` where Pulumi can fetch plugins and Docker can pull.
import { execFile } from "child_process";
import { promisify } from "util";
import { Kafka, logLevel } from "kafkajs";
import { S3Client, PutObjectCommand, DeleteObjectCommand } from "@aws-sdk/client-s3";
import { E2eProject } from "./engine";

const STACK = "e2e-local";
const docker = async (...args: string[]) => (await promisify(execFile)("docker", args)).stdout.trim();
const summaryOf = (output: string): Record<string, number> => {
    const line = output.split("\n").reverse().find((l) => l.startsWith("change summary: "));
    if (!line) throw new Error(`no change summary in:\n${output.slice(-3000)}`);
    return JSON.parse(line.slice("change summary: ".length));
};
/** Fails with the end of the engine's output, which says why. */
function succeeded(result: { code: number; output: string }): void {
    if (result.code !== 0) throw new Error(`deploy failed (exit ${result.code}):\n${result.output.slice(-4000)}`);
}
const workers = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => ({ name: `worker${i + 1}`, address: "localhost" })));

describe("the local stack on the real engine", () => {
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
        expect(meta.topics.map((t) => [t.name, t.partitions.length])).toEqual([
            ["nexmark-person", 4],
            ["nexmark-auction", 4],
            ["nexmark-bid", 4],
        ]);

        expect((await fetch(`${outputs.arroyoApiUrl as string}/ping`)).status).toBe(200);
    }, 1_800_000);

    it("Arroyo's MinIO user can write to its bucket and nowhere else", async () => {
        const state = JSON.parse(await project.pulumi(["stack", "export", "--show-secrets", "--stack", STACK])) as { deployment: { resources: { type: string; outputs?: Record<string, string> }[] } };
        const user = state.deployment.resources.find((r) => r.type === "minio:index/iamUser:IamUser")?.outputs;
        const s3 = new S3Client({ endpoint: outputs.minioEndpoint as string, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: user!.name, secretAccessKey: user!.secret } });
        await s3.send(new PutObjectCommand({ Bucket: "arroyo", Key: "checkpoints/e2e-probe", Body: "ok" }));
        await s3.send(new DeleteObjectCommand({ Bucket: "arroyo", Key: "checkpoints/e2e-probe" }));
        await expect(s3.send(new PutObjectCommand({ Bucket: "nexmark-results", Key: "e2e-probe", Body: "no" }))).rejects.toThrow(/Access Denied/i);
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
        expect(summaryOf(preview.output)).toMatchObject({ update: 3 });
        expect(preview.output).toMatch(/worker-worker3/);
        expect(preview.output).not.toMatch(/- .*(controller|worker-worker[12])/);
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
