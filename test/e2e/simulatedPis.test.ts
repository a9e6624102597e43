// The ssh target, as the mission's Pis get it, on simulated Pis (test/e2e/simPis.ts), once per
// engine: the README's bootstrap, `up` over SSH with the real plugins (Docker on each Pi through
// ssh://, the command provider's install and checks), a clean second preview, a changed host key
// and a Pi that is down refused before any change, one more Pi, Ctrl-C while a container is being
// replaced (once, and twice), data kept by a destroy with retainData and adopted again, and a
// teardown that leaves nothing of the stack on any Pi. The README's "Adding a worker", "Teardown"
// and host-key troubleshooting commands run here as written. Every address is on the test's own
// Docker network. Needs the resource plugins and the images `toolchain/run.sh images simpi-image`
// builds; skipped with one line where something is missing.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { sshFilesDir } from "../../components/sshFiles";
import {
    describeOnDocker,
    E2eProject,
    e2eImages,
    REPO_ROOT,
    RunningDeploy,
    stepsOf,
    succeeded,
    summaryOf,
} from "./engine";
import { docCommands } from "./readme";
import {
    leftOnPi,
    loadImages,
    processes,
    processTree,
    removeSimPis,
    untilGone,
    run,
    SimPi,
    simPiImage,
    startSimPis,
    waitForPi,
} from "./simPis";

type Engine = "arroyo" | "flink";
const PASSWORD = crypto.randomBytes(12).toString("hex");
const MINIO_USER = "simpi-admin";
const MINIO_PASSWORD = crypto.randomBytes(18).toString("base64url");
const noChanges = (output: string) => Object.keys(summaryOf(output)).filter((k) => k !== "same");
const REPLACING = /docker:index:Container\s+\S+\s+creating replacement/;

/** What each engine runs on the controller Pi and on a worker Pi, and the images each needs. */
const ENGINES: Record<
    Engine,
    { controller: string[]; worker: (pi: string) => string[]; images: ("arroyo" | "flink")[]; memoryPerSlotMb: number }
> = {
    arroyo: {
        controller: ["arroyo-controller", "kafka", "minio"],
        worker: (pi) => [`arroyo-node-${pi}`],
        images: ["arroyo"],
        memoryPerSlotMb: 512,
    },
    // Flink's TaskManager is refused under 1,024 MB (docs/flink.md).
    flink: {
        controller: ["flink-jobmanager", "flink-sql-gateway", "kafka", "minio"],
        worker: (pi) => [`flink-taskmanager-${pi}`],
        images: ["flink"],
        memoryPerSlotMb: 1024,
    },
};

const onPis = (engine: Engine) =>
    simPiImage()
        ? describeOnDocker(`the ssh target on simulated Pis (${engine})`, [engine, "kafka", "minio"])
        : (console.log(
              `skipped: the ssh target on simulated Pis (${engine}) needs the sim-Pi image (toolchain/run.sh simpi-image)`,
          ),
          describe.skip);

for (const engine of ["arroyo", "flink"] as const) {
    onPis(engine)(`the ssh target on simulated Pis, engine ${engine}`, () => simulatedPis(engine));
}

function simulatedPis(engine: Engine): void {
    const STACK = `e2e-simpi-${engine}`;
    const shape = ENGINES[engine];
    const project = new E2eProject();
    // Made in beforeAll: a skipped describe makes nothing.
    let home = "";
    let key = "";
    let pis: SimPi[];
    const started = Date.now();
    const host = (p: SimPi) => ({ name: p.name, address: p.address });
    const stackFile = path.join(REPO_ROOT, `Pulumi.${STACK}.yaml`);
    const readStackFile = () =>
        (parse(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> }).config;
    const editStackFile = (edit: (config: Record<string, unknown>) => void) => {
        const doc = parse(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
        edit(doc.config);
        fs.writeFileSync(stackFile, stringify(doc));
    };
    const env = () => ({ ...project.env, PI_PASSWORD: PASSWORD });
    const shell = (command: string) =>
        run("bash", ["-c", command], { cwd: REPO_ROOT, env: env(), maxBuffer: 64 * 1024 * 1024 }).then(
            (r) => ({ code: 0, output: r.stdout + r.stderr }),
            (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
        );
    /**
     * A README section's commands as written, for this stack and with the test's hosts in place of
     * the README's: each must succeed; `after` checks the state between them. Their outputs, in order.
     */
    const readmeSection = async (
        heading: string,
        opts: { hosts?: Record<string, string>; after?: (i: number) => Promise<void> } = {},
    ) => {
        const outputs: string[] = [];
        for (const [i, written] of docCommands(heading).entries()) {
            let command = written.replace(/pi-cluster/g, STACK).replace("PI_PASSWORD=... ", "");
            for (const [documented, ours] of Object.entries(opts.hosts ?? {}))
                command = command.replace(new RegExp(`\\b${documented}\\b`, "g"), ours);
            const r = await shell(command);
            if (r.code !== 0)
                throw new Error(`README "${heading}": '${written}' failed (exit ${r.code}):\n${r.output.slice(-3000)}`);
            outputs.push(r.output);
            await opts.after?.(i);
        }
        return outputs;
    };
    const containersOn = async (p: SimPi) =>
        (
            await run("docker", [
                "exec",
                p.container,
                "docker",
                "ps",
                "--filter",
                `label=arroyo-pi.stack=${STACK}`,
                "--format",
                "{{.Names}}",
            ])
        ).stdout
            .split("\n")
            .filter(Boolean)
            .sort();
    const expectedOn = (p: SimPi) =>
        (p === pis[0] ? shape.controller : shape.worker(p.name)).map((n) => `arroyo-pi-${STACK}-${n}`).sort();

    beforeAll(async () => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-simpi-"));
        key = path.join(home, "id_ed25519");
        await removeSimPis();
        // Pi 10 is the controller, 11-13 the workers, 14 the one added later.
        pis = await startSimPis([10, 11, 12, 13, 14], PASSWORD);
        const images = e2eImages()!;
        const engineImages = shape.images.map((i) => images[i]);
        await loadImages(pis[0], [images.kafka, images.minio, ...engineImages]);
        for (const p of pis.slice(1)) await loadImages(p, engineImages);
        await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
        // The stack file as a user writes it (structured, like Pulumi.pi-cluster.yaml), then the secrets as the README sets them.
        project.writeStackFile(STACK, {
            target: "ssh",
            engine,
            sshUser: "picocluster",
            controller: host(pis[0]),
            workers: pis.slice(1, 4).map(host),
            cluster: {
                taskSlotsPerWorker: 1,
                memoryPerSlotMb: shape.memoryPerSlotMb,
                cpusPerWorker: 1.5,
                checkpointIntervalSeconds: 10,
            },
            kafka: { heapMb: 384 },
            images: { [engine]: images[engine], kafka: images.kafka, minio: images.minio },
            retainData: true,
        });
        await project.configure(
            STACK,
            {},
            {
                sshPrivateKey: fs.readFileSync(key, "utf8"),
                minioRootUser: MINIO_USER,
                minioRootPassword: MINIO_PASSWORD,
            },
        );
    }, 900_000);

    afterAll(async () => {
        // The Pis go with everything on them; the stack's state and the deployer's ssh files with the project.
        await removeSimPis();
        project.remove();
        fs.rmSync(sshFilesDir(STACK), { recursive: true, force: true });
        if (home) fs.rmSync(home, { recursive: true, force: true });
        console.log(
            `the ssh target on simulated Pis (engine ${engine}) took ${Math.round((Date.now() - started) / 1000)} s`,
        );
    }, 600_000);

    it("`npm run ssh:bootstrap` installs the operator's key with the Pi user's password and records every host key", async () => {
        const r = await shell(`npm run -s ssh:bootstrap -- --stack ${STACK} --password-env PI_PASSWORD`);
        if (r.code !== 0) throw new Error(`ssh:bootstrap failed (exit ${r.code}):\n${r.output.slice(-3000)}`);
        const config = readStackFile();
        const recorded = [config["arroyo-pi:controller"], ...(config["arroyo-pi:workers"] as unknown[])] as {
            name: string;
            hostKey?: string;
        }[];
        expect(recorded.map((h) => [h.name, /^ssh-ed25519 \S+$/.test(h.hostKey ?? "")])).toEqual(
            pis.slice(0, 4).map((p) => [p.name, true]),
        );
        expect(fs.readFileSync(stackFile, "utf8")).not.toContain(PASSWORD);
    }, 300_000);

    it("`up` takes every Pi from SSH to a running cluster, and a second preview changes nothing, outputs included", async () => {
        succeeded(await project.deploy("up", STACK));
        for (const p of pis.slice(0, 4))
            expect({ pi: p.name, containers: await containersOn(p) }).toEqual({
                pi: p.name,
                containers: expectedOn(p),
            });
        // Each worker's engine got the stack's budget, as its Pi's Docker enforces it: memory without swap, and 1.5 CPUs.
        for (const p of pis.slice(1, 4)) {
            const [container] = shape.worker(p.name).map((n) => `arroyo-pi-${STACK}-${n}`);
            const limits = (
                await run("docker", [
                    "exec",
                    p.container,
                    "docker",
                    "inspect",
                    "--format",
                    "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}}",
                    container,
                ])
            ).stdout.trim();
            const mb = shape.memoryPerSlotMb * 1024 * 1024;
            expect({ pi: p.name, limits }).toEqual({ pi: p.name, limits: `${mb} ${mb} 1500000000` });
        }
        const preview = await project.deploy("preview", STACK);
        succeeded(preview);
        expect(noChanges(preview.output)).toEqual([]);
        // No output diff either: the hosts' facts exported are their hardware's only.
        expect(preview.output).not.toMatch(/^\s+~\s+hosts\b/m);
    }, 1_800_000);

    it("a changed host key is refused before any change, with both fingerprints and the fix; the README's fix records the new key", async () => {
        // As if simpi-pc12 were reinstalled: the key recorded for it is now another Pi's.
        const original = fs.readFileSync(stackFile, "utf8");
        const recorded = (readStackFile()["arroyo-pi:workers"] as { hostKey: string }[])[1].hostKey;
        editStackFile((config) => {
            const ws = config["arroyo-pi:workers"] as { name: string; hostKey?: string }[];
            ws[1].hostKey = ws[0].hostKey;
        });
        try {
            const t0 = Date.now();
            const up = await project.deploy("up", STACK);
            expect(up.code).not.toBe(0);
            expect(Date.now() - t0).toBeLessThan(60_000);
            expect(up.output).toMatch(
                /host key of simpi-pc12 \(172\.30\.57\.12:22\) changed: recorded SHA256:\S+, now SHA256:\S+/,
            );
            expect(up.output).toContain(`--accept-new-host-key simpi-pc12`);
            // Said once, as the last lines: the engine never started.
            expect({ times: up.output.match(/host key of simpi-pc12/g)?.length, output: up.output }).toEqual({
                times: 1,
                output: expect.stringMatching(/accept-new-host-key simpi-pc12'; otherwise do not connect\s*$/),
            });
            expect(up.output).not.toMatch(/\(host simpi-pc12\)/);
            expect(up.output).not.toMatch(/^\s+[+~-]\s+docker:index:Container/m);

            // README, Troubleshooting: record the key the host presents now, then deploy: nothing to change.
            const [, deploy] = await readmeSection("Troubleshooting", { hosts: { b1pc12: "simpi-pc12" } });
            expect((readStackFile()["arroyo-pi:workers"] as { hostKey: string }[])[1].hostKey).toBe(recorded);
            expect(noChanges(deploy)).toEqual([]);
        } finally {
            // Whatever failed above, the later steps start from the stack as it was.
            if ((readStackFile()["arroyo-pi:workers"] as { hostKey: string }[])[1].hostKey !== recorded)
                fs.writeFileSync(stackFile, original);
        }
    }, 600_000);

    it("a Pi that is down is named within 20 s, and nothing changes on the others", async () => {
        await run("docker", ["stop", pis[3].container]);
        try {
            const t0 = Date.now();
            const preview = await project.deploy("preview", STACK);
            expect(preview.code).not.toBe(0);
            expect(Date.now() - t0).toBeLessThan(20_000 + 15_000); // the preflight's 8 s per host, plus the CLI's start
            expect(preview.output).toMatch(
                /simpi-pc13 \(172\.30\.57\.13:22\) did not answer within 8 s|cannot log in to simpi-pc13/,
            );
            expect(await containersOn(pis[0])).toEqual(expectedOn(pis[0]));
        } finally {
            await run("docker", ["start", pis[3].container]);
            await waitForPi(pis[3]);
        }
        // Its containers come back with its engine (restart: unless-stopped), as after a reboot.
        const preview = await project.deploy("preview", STACK);
        succeeded(preview);
        expect(noChanges(preview.output)).toEqual([]);
    }, 600_000);

    it("README \"Adding a worker\", as written: only the new Pi's resources and the topics' partitions", async () => {
        // As a user adds a Pi: one more entry under workers in the stack file (the recorded host keys and secrets stay).
        editStackFile((config) => void (config["arroyo-pi:workers"] as unknown[]).push(host(pis[4])));
        const [, preview] = await readmeSection("Adding a worker");
        const steps = stepsOf(preview);
        expect(steps.create.filter((n) => !n.startsWith(`worker-${pis[4].name}`))).toEqual([]);
        expect(steps.create.length).toBeGreaterThan(3);
        expect(steps.update).toEqual([
            "controller-topics-auction",
            "controller-topics-bid",
            "controller-topics-person",
        ]);
        expect(Object.keys(summaryOf(preview)).sort()).toEqual(["create", "same", "update"]);
        expect(await containersOn(pis[4])).toEqual(expectedOn(pis[4]));
    }, 1_800_000);

    // Kafka's heap is an input of its container: a new value replaces the broker (engine-neutral),
    // and the topics that need it cannot be read while it is down.
    for (const interrupts of [1, 2]) {
        it(`Ctrl-C ${interrupts === 1 ? "once" : "twice"} while a container is being replaced: the next \`up\` converges by itself, no provider process left`, async () => {
            editStackFile(
                (config) => void ((config["arroyo-pi:kafka"] as { heapMb: number }).heapMb = 384 + 32 * interrupts),
            );
            const running = project.start("up", STACK, { processGroup: true });
            try {
                await running.waitFor(REPLACING);
                // Everything the run started, as it is now: the script, the CLI and its plugins.
                const tree = await processTree(running.child.pid!);
                expect(tree.filter((m) => m.command.startsWith("pulumi-resource")).length).toBeGreaterThan(0);
                await interrupt(running, interrupts);
                const interrupted = await running.exited;
                expect(interrupted.code).not.toBe(0);
                // Nothing of the interrupted run is left: none of the processes seen in it, and nothing in its group.
                const alive = await untilGone(async () =>
                    (await processes()).filter(
                        (p) =>
                            p.pgid === running.child.pid ||
                            tree.some((m) => m.pid === p.pid && m.command === p.command),
                    ),
                );
                expect(alive).toEqual([]);
            } finally {
                // A failed expectation above must not leave the run holding the stack's lock for the next test.
                if (running.child.exitCode === null && running.child.signalCode === null) {
                    process.kill(-running.child.pid!, "SIGKILL");
                    await running.exited;
                }
            }

            const up = await project.deploy("up", STACK);
            succeeded(up);
            expect(await containersOn(pis[0])).toEqual(expectedOn(pis[0]));
            const preview = await project.deploy("preview", STACK);
            succeeded(preview);
            expect(noChanges(preview.output)).toEqual([]);
            expect(preview.output).not.toMatch(/pending operations|currently locked/);
        }, 1_800_000);
    }

    it('README "Teardown", as written: the data stays through a destroy with retainData, comes back with the next up, and the last destroy leaves nothing but what it names', async () => {
        const s3 = new S3Client({
            endpoint: `http://${pis[0].address}:9000`,
            region: "us-east-1",
            forcePathStyle: true,
            credentials: { accessKeyId: MINIO_USER, secretAccessKey: MINIO_PASSWORD },
        });
        await s3.send(new PutObjectCommand({ Bucket: "arroyo", Key: "e2e/kept", Body: "written before the destroy" }));
        expect(docCommands("Teardown")).toHaveLength(4);
        const [destroy, , up, lastDestroy] = await readmeSection("Teardown", {
            after: async (i) => {
                if (i === 0)
                    expect((await leftOnPi(pis[0], STACK)).filter((x) => !x.startsWith("volume "))).toEqual([]);
                // The first destroy kept the buckets; the up after it adopted them, and the object is back.
                if (i === 2)
                    expect(
                        await (
                            await s3.send(new GetObjectCommand({ Bucket: "arroyo", Key: "e2e/kept" }))
                        ).Body!.transformToString(),
                    ).toBe("written before the destroy");
            },
        });
        expect(destroy).toMatch(/left: the data volumes .*retainData: true/);
        expect(up).not.toMatch(/bucket already exists/i);
        for (const p of pis) expect({ pi: p.name, left: await leftOnPi(p, STACK) }).toEqual({ pi: p.name, left: [] });
        expect(lastDestroy).toMatch(
            new RegExp(
                `left on ${pis[0].name}: the images .* remove with: docker -H ssh://picocluster@${pis[0].address.replace(/\./g, "\\.")}(:22)? image rm `,
            ),
        );
        expect(lastDestroy).toMatch(/left on this machine: the operator key and host keys .* remove with: rm -rf /);
    }, 1_800_000);
}

/** Ctrl-C as a terminal sends it, to the whole process group; the second once the first was taken. */
async function interrupt(running: RunningDeploy, times: number): Promise<void> {
    process.kill(-running.child.pid!, "SIGINT");
    if (times === 1) return;
    await running.waitFor(/interrupted: the engine finishes the steps in flight/);
    process.kill(-running.child.pid!, "SIGINT");
}
