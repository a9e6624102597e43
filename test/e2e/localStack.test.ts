// The local stack on the real engine, real Docker, Kafka, MinIO and plugins, for each engine:
// up, a query through `npm run bench`, a no-op preview, down with objects in every bucket and
// nothing of the stack left. Then the deploy path under faults (retained data comes back, an
// interrupted `up` recovers by itself), a failing `up` that ends with its cause, and `npm run study`
// over both engines, interrupted and resumed. One file: the
// stacks share the engine's host ports, so they run one after the other. Each describe leaves the
// engine clean (everything with its stack's label) whatever failed. Needs the four resource plugins
// and the images `toolchain/run.sh images` builds (Kafka, MinIO, Flink, Arroyo from its real binary
// where there is one, else its test double);
// where something is missing each describe is skipped with one line saying what.
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { execFile } from "child_process";
import { promisify } from "util";
import { Kafka, logLevel } from "kafkajs";
import {
    S3Client,
    PutObjectCommand,
    DeleteObjectCommand,
    CreateBucketCommand,
    GetObjectCommand,
    ListObjectsV2Command,
    CreateMultipartUploadCommand,
    UploadPartCommand,
    CompleteMultipartUploadCommand,
} from "@aws-sdk/client-s3";
import {
    arroyoCredentials,
    describeOnDocker,
    docker,
    E2eProject,
    e2eImages,
    leftOnEngine,
    Prerequisite,
    removeStackFromEngine,
    REPO_ROOT,
    stepsOf,
    succeeded,
    summaryOf,
    workers,
} from "./engine";
import { MINIO_DEFAULT_CREDENTIALS } from "../../config/defaults";
import { BenchmarkResults } from "../../benchmark/report/types";
import { OFFLINE_ENV } from "../../scripts/localImages";
import { cacheDir } from "../../toolchain/paths";
import { parse } from "yaml";

const ROOT = { accessKeyId: MINIO_DEFAULT_CREDENTIALS.user, secretAccessKey: MINIO_DEFAULT_CREDENTIALS.password };
const s3With = (endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials });
const noChanges = (output: string) => Object.keys(summaryOf(output)).filter((k) => k !== "same");

/** The stack's config as a user sets it on the local target, with this machine's images. */
async function configureLocal(project: E2eProject, stack: string, extra: Record<string, string>): Promise<void> {
    await project.configure(stack, {
        target: "local",
        controller: JSON.stringify({ name: "controller", address: "localhost" }),
        workers: workers(2),
        images: JSON.stringify(e2eImages()),
        ...extra,
    });
}

/** After a describe: down as a user would, then whatever is still labelled with the stack removed, and said. */
async function leaveClean(project: E2eProject, stack: string): Promise<void> {
    const down = await project.deploy("destroy", stack);
    const removed = await removeStackFromEngine(stack);
    if (down.code !== 0 || removed.length)
        console.log(
            `${stack}: down ${down.code === 0 ? "succeeded" : `failed (exit ${down.code}): ${down.output.slice(-1500)}`}; removed by label afterwards: ${removed.join(", ") || "nothing"}`,
        );
    project.remove();
}

/** `npm run bench` as a user runs it, against the stack's outputs. */
async function bench(
    project: E2eProject,
    stack: string,
    args: string[],
): Promise<{ code: number; output: string; results?: BenchmarkResults }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-e2e-bench-"));
    const outputsFile = path.join(dir, "outputs.json");
    fs.writeFileSync(
        outputsFile,
        await project.pulumi(["stack", "output", "--json", "--show-secrets", "--stack", stack]),
    );
    const argv = [
        "-r",
        "ts-node/register/transpile-only",
        path.join(REPO_ROOT, "benchmark", "cli.ts"),
        "--stack",
        stack,
        "--outputs-file",
        outputsFile,
        "--results-dir",
        dir,
        ...args,
    ];
    // Ended, with what it printed so far, well before the test's own timeout: a bench that hangs
    // says where.
    const r = await promisify(execFile)("node", argv, {
        cwd: REPO_ROOT,
        env: project.env,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 900_000,
    }).then(
        (x) => ({ code: 0, output: x.stdout + x.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
    );
    const run = fs.readdirSync(dir).find((d) => fs.existsSync(path.join(dir, d, "results.json")));
    const results = run
        ? (JSON.parse(fs.readFileSync(path.join(dir, run, "results.json"), "utf8")) as BenchmarkResults)
        : undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    return { ...r, ...(results ? { results } : {}) };
}

const LOAD = [
    "--queries",
    "q1",
    "--events-per-second",
    "1000",
    "--total-events",
    "20000",
    "--warmup-events",
    "6000",
    "--parallelism",
    "2",
    "--checkpoint-interval",
    "2",
];

const ENGINES = [
    {
        engine: "arroyo",
        containers: ["arroyo-controller", "arroyo-node-worker1", "arroyo-node-worker2"],
        images: ["arroyo", "kafka", "minio"],
    },
    {
        engine: "flink",
        containers: ["flink-jobmanager", "flink-sql-gateway", "flink-taskmanager-worker1", "flink-taskmanager-worker2"],
        images: ["flink", "kafka", "minio"],
    },
] as const;

for (const { engine, containers, images } of ENGINES) {
    const STACK = `e2e-local-${engine}`;
    describeOnDocker(`the local stack with engine ${engine}`, [...images])(
        `the local stack with engine ${engine} on the real engine`,
        () => {
            const project = new E2eProject();
            const outputs = new Prerequisite<Record<string, unknown>>("`up`");

            beforeAll(async () => {
                // A Flink TaskManager needs 1,024 MB at least (config/defaults.ts FLINK_MIN_TASKMANAGER_MB).
                await configureLocal(project, STACK, {
                    engine,
                    cluster: JSON.stringify({
                        taskSlotsPerWorker: 1,
                        memoryPerSlotMb: engine === "flink" ? 1024 : 512,
                    }),
                    retainData: "false",
                });
            });
            afterAll(() => leaveClean(project, STACK), 600_000);

            it("`up` starts every container and creates the topics and buckets", async () => {
                const up = await project.deploy("up", STACK);
                succeeded(up);
                const out = JSON.parse(await project.pulumi(["stack", "output", "--json", "--stack", STACK])) as Record<
                    string,
                    unknown
                >;
                outputs.set(out);
                const running = (
                    await docker("ps", "--filter", `label=arroyo-pi.stack=${STACK}`, "--format", "{{.Names}}")
                )
                    .split("\n")
                    .sort();
                expect(running).toEqual([...containers, "kafka", "minio"].map((c) => `arroyo-pi-${STACK}-${c}`).sort());
                const admin = new Kafka({
                    brokers: [out.kafkaBootstrapServers as string],
                    logLevel: logLevel.NOTHING,
                }).admin();
                await admin.connect();
                const meta = await admin.fetchTopicMetadata({
                    topics: ["nexmark-person", "nexmark-auction", "nexmark-bid"],
                });
                await admin.disconnect();
                expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual([
                    ["nexmark-auction", 2],
                    ["nexmark-bid", 2],
                    ["nexmark-person", 2],
                ]);
                const buckets = await s3With(out.minioEndpoint as string, ROOT).send(
                    new ListObjectsV2Command({ Bucket: "arroyo" }),
                );
                expect(buckets.$metadata.httpStatusCode).toBe(200);
            }, 1_800_000);

            it("`npm run bench` runs a query on it: every event sent consumed by the committed offsets", async () => {
                const endpoint = outputs.get().minioEndpoint as string;
                // Flink deletes a cancelled job's checkpoints, so they are looked for while the query runs.
                const seen = new Set<string>();
                let polling = true;
                const poll = (async () => {
                    const root = s3With(endpoint, ROOT);
                    while (polling) {
                        const listed = await root
                            .send(new ListObjectsV2Command({ Bucket: "arroyo", Prefix: "flink/checkpoints/" }))
                            .catch(() => undefined);
                        for (const o of listed?.Contents ?? []) seen.add(o.Key!);
                        await new Promise((r) => setTimeout(r, 500));
                    }
                })();
                const r = await bench(project, STACK, LOAD).finally(() => (polling = false));
                await poll;
                if (r.code !== 0)
                    throw new Error(
                        `npm run bench failed (exit ${r.code}):\n${r.output.split("\n").slice(0, 15).join("\n")}\n...\n${r.output.slice(-3000)}`,
                    );
                const q = r.results!.queries[0];
                expect(q.engine).toBe(engine);
                expect(q.validity).toEqual({ valid: true, reasons: [] });
                const last = q.samples.progress[q.samples.progress.length - 1];
                expect(last.input).toBe(20_000 * (46 / 50));
                expect(last.consumed).toBe(last.input);
                expect(q.figures.kafka.lagAtEnd).toBe(0);
                expect(q.figures.kafka.commitsInWindow).toBeGreaterThanOrEqual(3);
                if (engine === "flink") {
                    // Completed checkpoints went to MinIO through the S3 plugin, under Flink's prefix, as
                    // Flink's own user (the only credentials its containers have).
                    expect(
                        [...seen].filter((k) => /^flink\/checkpoints\/[0-9a-f]{32}\/chk-\d+\/_metadata$/.test(k))
                            .length,
                    ).toBeGreaterThanOrEqual(1);
                    expect(q.samples.checkpoints.length).toBeGreaterThanOrEqual(3);
                    const env = JSON.parse(
                        await docker(
                            "inspect",
                            "--format",
                            "{{json .Config.Env}}",
                            `arroyo-pi-${STACK}-flink-taskmanager-worker1`,
                        ),
                    ) as string[];
                    expect(env.find((e) => e.startsWith("FLINK_PROPERTIES="))).toContain("s3.access-key: flink");
                }
            }, 1_200_000);

            it("a second preview changes nothing, outputs included", async () => {
                outputs.get();
                const preview = await project.deploy("preview", STACK);
                succeeded(preview);
                expect(noChanges(preview.output)).toEqual([]);
            }, 600_000);

            it("`down` with objects in every bucket deletes the buckets and leaves nothing of the stack", async () => {
                const endpoint = outputs.get().minioEndpoint as string;
                const s3 = s3With(endpoint, ROOT);
                for (const Bucket of ["arroyo", "nexmark-results"]) {
                    for (let i = 0; i < 25; i++)
                        await s3.send(new PutObjectCommand({ Bucket, Key: `e2e/${i}/object`, Body: `object ${i}` }));
                }
                const down = await project.deploy("destroy", STACK);
                succeeded(down);
                expect(down.output).toMatch(
                    /emptied bucket arroyo at http:\/\/[\w.]+:9000 before deleting it \(\d+ objects/,
                );
                expect(down.output).toMatch(
                    /emptied bucket nexmark-results at http:\/\/[\w.]+:9000 before deleting it \(25 objects/,
                );
                expect(down.output).not.toMatch(/exited prematurely/);
                expect(await leftOnEngine(STACK)).toEqual([]);
            }, 600_000);
        },
    );
}

const MINIO_STACK = "e2e-local-minio";
describeOnDocker("Arroyo's MinIO user and the third worker", ["arroyo", "kafka", "minio"])(
    "the local stack's MinIO user and a third worker",
    () => {
        const project = new E2eProject();
        const outputs = new Prerequisite<Record<string, unknown>>("`up`");

        beforeAll(() =>
            configureLocal(project, MINIO_STACK, {
                cluster: JSON.stringify({ taskSlotsPerWorker: 2, memoryPerSlotMb: 512 }),
                retainData: "false",
            }),
        );
        afterAll(() => leaveClean(project, MINIO_STACK), 600_000);

        it("Arroyo's MinIO user writes to its bucket, writes and reads back files in the results bucket as q10's sink recovers, and nothing else", async () => {
            succeeded(await project.deploy("up", MINIO_STACK));
            outputs.set(
                JSON.parse(await project.pulumi(["stack", "output", "--json", "--stack", MINIO_STACK])) as Record<
                    string,
                    unknown
                >,
            );
            const s3 = s3With(outputs.get().minioEndpoint as string, await arroyoCredentials(MINIO_STACK));
            await s3.send(new PutObjectCommand({ Bucket: "arroyo", Key: "checkpoints/e2e-probe", Body: "ok" }));
            await s3.send(new DeleteObjectCommand({ Bucket: "arroyo", Key: "checkpoints/e2e-probe" }));
            // q10's filesystem sink: a file as a multipart upload; after a restore the same completion is
            // sent again, fails (the upload is gone), and the sink reads the file back to check its size
            // (filesystem/sink/mod.rs, get_if_present). Deleting is not Arroyo's business.
            const Key = "e2e-run/q10/dt=2026-01-01/hm=00-00/part-0.json";
            const body = Buffer.alloc(5 * 1024 * 1024 + 17, "x");
            const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "nexmark-results", Key }));
            const { ETag } = await s3.send(
                new UploadPartCommand({ Bucket: "nexmark-results", Key, UploadId, PartNumber: 1, Body: body }),
            );
            const complete = () =>
                s3.send(
                    new CompleteMultipartUploadCommand({
                        Bucket: "nexmark-results",
                        Key,
                        UploadId,
                        MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] },
                    }),
                );
            await complete();
            await expect(complete()).rejects.toThrow();
            const back = await s3.send(new GetObjectCommand({ Bucket: "nexmark-results", Key }));
            expect((await back.Body!.transformToByteArray()).length).toBe(body.length);
            await expect(s3.send(new DeleteObjectCommand({ Bucket: "nexmark-results", Key }))).rejects.toThrow(
                /Access Denied/i,
            );
            await expect(s3.send(new CreateBucketCommand({ Bucket: "e2e-not-allowed" }))).rejects.toThrow(
                /Access Denied/i,
            );
        }, 1_800_000);

        it("a third worker adds only its resources and grows the partitions", async () => {
            outputs.get();
            await project.pulumi(["config", "set", "--stack", MINIO_STACK, "arroyo-pi:workers", workers(3)]);
            const preview = await project.deploy("preview", MINIO_STACK);
            succeeded(preview);
            const summary = summaryOf(preview.output);
            expect(Object.keys(summary).sort()).toEqual(["create", "same", "update"]);
            expect(summary.update).toBe(3);
            const steps = stepsOf(preview.output);
            expect(steps.create.length).toBe(summary.create);
            expect(steps.create.filter((n) => !n.startsWith("worker-worker3"))).toEqual([]);
            expect(steps.update).toEqual([
                "controller-topics-auction",
                "controller-topics-bid",
                "controller-topics-person",
            ]);
            succeeded(await project.deploy("up", MINIO_STACK));
            expect(
                await docker(
                    "ps",
                    "--filter",
                    `name=arroyo-pi-${MINIO_STACK}-arroyo-node-worker3`,
                    "--format",
                    "{{.Names}}",
                ),
            ).toBe(`arroyo-pi-${MINIO_STACK}-arroyo-node-worker3`);
        }, 1_800_000);
    },
);

const FAULTS_STACK = "e2e-faults";
const RETAINED_KEY = "checkpoints/e2e-retained-probe";
const volumesOfStack = async () =>
    (await docker("volume", "ls", "--filter", `label=arroyo-pi.stack=${FAULTS_STACK}`, "--format", "{{.Name}}"))
        .split("\n")
        .filter(Boolean)
        .sort();

describeOnDocker("the local stack's deploy under faults", ["arroyo", "kafka", "minio"])(
    "the local stack's deploy under faults",
    () => {
        const project = new E2eProject();

        beforeAll(() =>
            configureLocal(project, FAULTS_STACK, {
                cluster: JSON.stringify({ taskSlotsPerWorker: 1, memoryPerSlotMb: 512 }),
                retainData: "true",
            }),
        );
        afterAll(async () => {
            // The test's own data: let go of it as a user would (retainData false, applied, destroyed).
            await project.pulumi(["config", "set", "--stack", FAULTS_STACK, "arroyo-pi:retainData", "false"]);
            await project.deploy("up", FAULTS_STACK);
            await leaveClean(project, FAULTS_STACK);
        }, 1_200_000);

        it("destroy with retainData keeps the volumes; the next up adopts the buckets and the objects are there", async () => {
            succeeded(await project.deploy("up", FAULTS_STACK));
            const endpoint = JSON.parse(
                await project.pulumi(["stack", "output", "minioEndpoint", "--json", "--stack", FAULTS_STACK]),
            ) as string;
            await s3With(endpoint, await arroyoCredentials(FAULTS_STACK)).send(
                new PutObjectCommand({ Bucket: "arroyo", Key: RETAINED_KEY, Body: "written before the destroy" }),
            );

            succeeded(await project.deploy("destroy", FAULTS_STACK));
            expect(await docker("ps", "-a", "--filter", `label=arroyo-pi.stack=${FAULTS_STACK}`, "-q")).toBe("");
            // Kafka's and MinIO's data volumes (at least) are kept.
            expect(await volumesOfStack()).toEqual(
                expect.arrayContaining([
                    `arroyo-pi-${FAULTS_STACK}-kafka-data`,
                    `arroyo-pi-${FAULTS_STACK}-minio-data`,
                ]),
            );

            const up = await project.deploy("up", FAULTS_STACK);
            succeeded(up);
            // Adopted, not created: the MinIO provider refuses to create a bucket that exists.
            expect(up.output).not.toMatch(/bucket already exists/i);
            const back = await s3With(endpoint, await arroyoCredentials(FAULTS_STACK)).send(
                new GetObjectCommand({ Bucket: "arroyo", Key: RETAINED_KEY }),
            );
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

            succeeded(await project.deploy("up", FAULTS_STACK));
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
    },
);

const STUDY_STACK = "e2e-local-study";
describeOnDocker("npm run study on the local stack", ["arroyo", "flink", "kafka", "minio"])(
    "npm run study on the local stack: both engines over 1 and 2 workers",
    () => {
        const project = new E2eProject();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-e2e-study-"));
        // One slot of 1,024 MB per worker for both engines: Flink's TaskManager needs 1,024 MB.
        beforeAll(() =>
            configureLocal(project, STUDY_STACK, {
                cluster: JSON.stringify({ taskSlotsPerWorker: 1, memoryPerSlotMb: 1024 }),
                retainData: "false",
            }),
        );
        afterAll(async () => {
            await leaveClean(project, STUDY_STACK);
            fs.rmSync(dir, { recursive: true, force: true });
        }, 600_000);

        // Short searches: from 500 events/s, at most two trials of 3 s warm-up and 6 s measured.
        const args = [
            "--stack",
            STUDY_STACK,
            "--engines",
            "flink,arroyo",
            "--workers",
            "1,2",
            "--queries",
            "q1",
            "--study-dir",
            dir,
            "--",
            "--start-rate",
            "500",
            "--max-trials",
            "2",
            "--trial-warmup",
            "3",
            "--trial-duration",
            "6",
            "--checkpoint-interval",
            "1",
            "--sample-interval",
            "0.25",
            "--generator-ceiling",
            "1000000",
            // As in the capacity search's own test: on 6 s windows a 100 ms stall of a busy machine
            // moves the fitted lag trend by the product's 2 % already; the study is what is tested.
            "--lag-threshold",
            "0.05",
            "--no-host-metrics",
            "--load-client",
            "kafkajs",
            "--threads",
            "1",
        ];
        const readPoint = (id: string) =>
            JSON.parse(fs.readFileSync(path.join(dir, "points", `${id}.json`), "utf8")) as { end: string };
        const points = () =>
            fs
                .readdirSync(path.join(dir, "points"))
                .filter((n) => n.endsWith(".json"))
                .sort();

        it("interrupted in its second point it keeps the first; the same command runs only the rest; one report of both engines", async () => {
            // Ctrl-C as a terminal sends it, once the second point's search has begun.
            const first = project.startScript("benchmark/study/cli.ts", args, { processGroup: true });
            await first.waitFor(/q1 at parallelism 2: searching from 500 events\/s/);
            process.kill(-first.child.pid!, "SIGINT");
            const stopped = await first.exited;
            expect(stopped.output).toMatch(/the study stops after the trial in flight/);
            expect(stopped.code).toBe(130);
            // The search in flight ran its trial and no other.
            const searchLog = fs.readFileSync(path.join(dir, "logs", "flink-w2-find-max.log"), "utf8");
            expect(searchLog.match(/starting Flink job \S+-p2-t\d+/g)).toHaveLength(1);
            // Kept: the first point, and the second only where its search ended by its own rule on
            // that trial (a generator-bound trial ends it); an interrupted search is no point.
            const keptIds = points().map((n) => n.replace(/\.json$/, ""));
            expect(["flink-w1-q1", "flink-w1-q1,flink-w2-q1"]).toContain(keptIds.join(","));
            if (keptIds.includes("flink-w2-q1")) expect(readPoint("flink-w2-q1").end).not.toBe("aborted");
            else expect(searchLog).toMatch(/stopped by the user after 1 trials/);
            const next = keptIds.length === 1 ? "flink on 2 workers" : "arroyo on 1 worker";
            expect(stopped.output).toContain(
                `${keptIds.length} of 4 points finished; the same command resumes at ${next} (q1)`,
            );
            const kept = fs.readFileSync(path.join(dir, "points", "flink-w1-q1.json"), "utf8");

            const second = project.startScript("benchmark/study/cli.ts", args);
            const resumed = await second.exited;
            if (resumed.code !== 0)
                throw new Error(`the resumed study failed (exit ${resumed.code}):\n${resumed.output.slice(-4000)}`);
            expect(resumed.output).toContain(
                `${keptIds.length} finished earlier (${keptIds.join(", ")}): not run again`,
            );
            expect(resumed.output).not.toMatch(/now flink on 1 worker:/);
            if (keptIds.length === 2) expect(resumed.output).not.toMatch(/now flink on 2 workers:/);
            expect(resumed.output).toMatch(/study: 4\/4 points, done/);
            expect(fs.readFileSync(path.join(dir, "points", "flink-w1-q1.json"), "utf8")).toBe(kept);
            expect(points()).toEqual([
                "arroyo-w1-q1.json",
                "arroyo-w2-q1.json",
                "flink-w1-q1.json",
                "flink-w2-q1.json",
            ]);

            const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")) as {
                queries: {
                    query: string;
                    rows: {
                        engine: string;
                        engineLabel: string;
                        workers: number;
                        parallelism: number;
                        mst: unknown;
                        memoryMb: number;
                    }[];
                }[];
            };
            expect(report.queries.map((q) => q.query)).toEqual(["q1"]);
            const rows = report.queries[0].rows;
            expect(rows.map((r) => [r.engine, r.workers, r.parallelism, r.memoryMb])).toEqual([
                ["arroyo", 1, 1, 1024],
                ["arroyo", 2, 2, 2048],
                ["flink", 1, 1, 1024],
                ["flink", 2, 2, 2048],
            ]);
            // 500 events/s of q1 is well within either engine here (a failed first trial halves it):
            // every point has an MST. One that has none is named with how its search ended and its
            // search's last lines, which say why each trial failed.
            const withoutMst = rows
                .filter((r) => r.mst === null)
                .map((r) => {
                    const id = `${r.engine}-w${r.workers}-q1`;
                    const point = JSON.parse(fs.readFileSync(path.join(dir, "points", `${id}.json`), "utf8")) as {
                        end: string;
                        note: string;
                        flags: string[];
                    };
                    const log = path.join(dir, "logs", `${r.engine}-w${r.workers}-find-max.log`);
                    const tail = fs.existsSync(log)
                        ? fs.readFileSync(log, "utf8").trimEnd().split("\n").slice(-25)
                        : [];
                    return { id, end: point.end, note: point.note, flags: point.flags, searchLog: tail };
                });
            expect(withoutMst).toEqual([]);
            // The Arroyo side says what it was: the real Arroyo or this project's double, by its image.
            const arroyoImage = e2eImages()!.arroyo;
            expect(rows[0].engineLabel).toBe(
                /arroyo-double|stand-in/.test(arroyoImage) ? "Arroyo (test double, not Arroyo)" : "Arroyo",
            );
            expect(fs.readFileSync(path.join(dir, "report.md"), "utf8")).toMatch(/\| Flink \| 2 \| 2 \| [\d,]+ \(/);
            expect(fs.readFileSync(path.join(dir, "q1-scaling.svg"), "utf8")).toMatch(/^<svg/);
            // The stack is left as the last point deployed it: Arroyo on both workers.
            const running = await docker(
                "ps",
                "--filter",
                `label=arroyo-pi.stack=${STUDY_STACK}`,
                "--format",
                "{{.Names}}",
            );
            expect(
                running
                    .split("\n")
                    .filter((n) => /arroyo-node/.test(n))
                    .sort(),
            ).toEqual([`arroyo-pi-${STUDY_STACK}-arroyo-node-worker1`, `arroyo-pi-${STUDY_STACK}-arroyo-node-worker2`]);
        }, 3_600_000);
    },
);

const PORT_STACK = "e2e-port-taken";
describeOnDocker("a failing `up`", ["arroyo", "kafka", "minio"])("a failing `up` on the real engine", () => {
    const project = new E2eProject();
    let blocker: net.Server;

    beforeAll(async () => {
        await configureLocal(project, PORT_STACK, {
            cluster: JSON.stringify({ taskSlotsPerWorker: 1, memoryPerSlotMb: 512 }),
            retainData: "false",
        });
        // Kafka's client port, held by another program on the address the stack publishes it on.
        blocker = net.createServer();
        await new Promise<void>((resolve, reject) => blocker.once("error", reject).listen(9092, "127.0.0.1", resolve));
    });
    afterAll(async () => {
        await new Promise<void>((r) => blocker.close(() => r()));
        await leaveClean(project, PORT_STACK);
    }, 600_000);

    it("ends with the container that failed and the engine's error as its last lines", async () => {
        const up = await project.deploy("up", PORT_STACK);
        expect(up.code).not.toBe(0);
        const tail = up.output.trimEnd().split("\n").slice(-8).join("\n");
        expect(tail).toMatch(/^up failed: 1 resource failed$/m);
        expect(tail).toMatch(/^- controller-kafka-container \(docker:index\/container:Container\):$/m);
        expect(tail).toMatch(/127\.0\.0\.1:9092.*(address already in use|port is already allocated)/);
    }, 1_200_000);
});

// The README's first command: `npm run up` on the local stack as the repo ships it (no `images`
// set), on a machine no container registry serves. ARROYO_PI_OFFLINE=1 says so, so that nothing
// is pulled (the test dials no registry); the defaults are built here, Arroyo's from the real
// binary where this machine has one, and where it has none the refusal says what to do.
const FIRST_STACK = "e2e-first-command";
const ARROYO_BIN = process.env.ARROYO_BIN ?? path.join(cacheDir(), "bin", "arroyo");
describeOnDocker("the README's first command", ["kafka", "minio"])(
    "the README's first command on a machine no registry serves",
    () => {
        const project = new E2eProject();
        beforeAll(() => {
            const shipped = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.local.yaml"), "utf8")) as {
                config: Record<string, unknown>;
            };
            expect(Object.keys(shipped.config)).not.toContain("arroyo-pi:images");
            project.writeStackFile(
                FIRST_STACK,
                Object.fromEntries(Object.entries(shipped.config).map(([k, v]) => [k.replace(/^arroyo-pi:/, ""), v])),
            );
        });
        afterAll(() => leaveClean(project, FIRST_STACK), 600_000);

        it("builds the images it cannot pull, Arroyo's from the real binary, and a query runs on them", async () => {
            const up = await project.deploy("up", FIRST_STACK, { [OFFLINE_ENV]: "1" });
            if (!fs.existsSync(ARROYO_BIN)) {
                console.log(`no Arroyo binary at ${ARROYO_BIN}: checked that \`up\` refuses and says what to do`);
                expect(up.code).toBe(1);
                expect(up.output).toMatch(
                    /images\.arroyo: ghcr\.io\/arroyosystems\/arroyo:[\d.]+ is not on this machine's Docker engine[\s\S]*'toolchain\/run\.sh arroyo-image' has nothing to build it from/,
                );
                expect(await leftOnEngine(FIRST_STACK)).toEqual([]);
                return;
            }
            succeeded(up);
            const out = JSON.parse(await project.pulumi(["stack", "output", "--json", "--stack", FIRST_STACK])) as {
                images: Record<string, string>;
            };
            // Kafka's and MinIO's as the toolchain builds them; Arroyo's from the binary, not the double.
            expect(out.images.kafka).toBe(e2eImages()!.kafka);
            expect(out.images.minio).toBe(e2eImages()!.minio);
            expect(out.images.arroyo).toMatch(/^arroyo-pi\/arroyo:0\.15\.0-[0-9a-f]{12}$/);
            expect(up.output).toContain(`note: images.arroyo: the local stack runs ${out.images.arroyo}`);
            expect(await docker("run", "--rm", out.images.arroyo, "--version")).toBe("arroyo 0.15.0");
            const r = await bench(project, FIRST_STACK, LOAD);
            if (r.code !== 0) throw new Error(`npm run bench failed (exit ${r.code}):\n${r.output.slice(-3000)}`);
            const q = r.results!.queries[0];
            expect(q.validity).toEqual({ valid: true, reasons: [] });
            const last = q.samples.progress[q.samples.progress.length - 1];
            expect(last.input).toBe(20_000 * (46 / 50));
            expect(last.consumed).toBe(last.input);
            expect(r.output).toMatch(/q1: Arroyo job stopped and removed/);
            // The same choice again: nothing to change.
            const preview = await project.deploy("preview", FIRST_STACK, { [OFFLINE_ENV]: "1" });
            succeeded(preview);
            expect(noChanges(preview.output)).toEqual([]);
        }, 2_400_000);
    },
);
