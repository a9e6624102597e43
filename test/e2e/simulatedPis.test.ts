// The ssh target, as the mission's Pis get it, on simulated Pis (test/e2e/simPis.ts): the README's
// bootstrap, `up` over SSH with the real plugins (Docker on each Pi through ssh://, the command
// provider's install and checks), a clean second preview, one more Pi, data kept by a destroy with
// retainData and adopted again, and a `down` that leaves nothing of the stack on any Pi. Every
// address is on the test's own Docker network. Needs the resource plugins and the images
// `toolchain/run.sh images simpi-image` builds; skipped with one line where something is missing.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse, stringify } from "yaml";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { describeOnDocker, E2eProject, e2eImages, REPO_ROOT, stepsOf, succeeded, summaryOf } from "./engine";
import { leftOnPi, loadImages, removeSimPis, run, SimPi, simPiImage, startSimPis, waitForPi } from "./simPis";

const STACK = "e2e-simpi";
const PASSWORD = crypto.randomBytes(12).toString("hex");
const MINIO_USER = "simpi-admin";
const MINIO_PASSWORD = crypto.randomBytes(18).toString("base64url");
const noChanges = (output: string) => Object.keys(summaryOf(output)).filter((k) => k !== "same");

const describeOnPis = simPiImage() ? describeOnDocker("the ssh target on simulated Pis", ["arroyo", "kafka", "minio"]) : (console.log("skipped: the ssh target on simulated Pis needs the sim-Pi image (toolchain/run.sh simpi-image)"), describe.skip);

describeOnPis("the ssh target on simulated Pis, engine arroyo", () => {
    const project = new E2eProject();
    // Made in beforeAll: a skipped describe makes nothing.
    let home = "";
    let key = "";
    let pis: SimPi[];
    const started = Date.now();
    const host = (p: SimPi) => ({ name: p.name, address: p.address });
    const stackFile = path.join(REPO_ROOT, `Pulumi.${STACK}.yaml`);
    const editStackFile = (edit: (config: Record<string, unknown>) => void) => {
        const doc = parse(fs.readFileSync(stackFile, "utf8")) as { config: Record<string, unknown> };
        edit(doc.config);
        fs.writeFileSync(stackFile, stringify(doc));
    };
    const env = () => ({ ...project.env, PI_PASSWORD: PASSWORD });
    const npm = (args: string[]) =>
        run("npm", ["run", "-s", ...args], { cwd: REPO_ROOT, env: env(), maxBuffer: 64 * 1024 * 1024 }).then(
            (r) => ({ code: 0, output: r.stdout + r.stderr }),
            (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
        );

    beforeAll(async () => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-simpi-"));
        key = path.join(home, "id_ed25519");
        await removeSimPis();
        // Pi 10 is the controller, 11-13 the workers, 14 the one added later.
        pis = await startSimPis([10, 11, 12, 13, 14], PASSWORD);
        const images = e2eImages()!;
        await loadImages(pis[0], [images.kafka, images.minio, images.arroyo]);
        for (const p of pis.slice(1)) await loadImages(p, [images.arroyo]);
        await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
        // The stack file as a user writes it (structured, like Pulumi.pi-cluster.yaml), then the secrets as the README sets them.
        project.writeStackFile(STACK, {
            target: "ssh",
            sshUser: "picocluster",
            controller: host(pis[0]),
            workers: pis.slice(1, 4).map(host),
            arroyo: { taskSlotsPerWorker: 1, memoryPerSlotMb: 512, checkpointIntervalSeconds: 10 },
            kafka: { heapMb: 384 },
            images: { arroyo: images.arroyo, kafka: images.kafka, minio: images.minio },
            retainData: true,
        });
        await project.configure(STACK, {}, { sshPrivateKey: fs.readFileSync(key, "utf8"), minioRootUser: MINIO_USER, minioRootPassword: MINIO_PASSWORD });
    }, 900_000);

    afterAll(async () => {
        // Let go of the test's data as a user would, then the Pis themselves.
        if (fs.existsSync(stackFile)) editStackFile((config) => void (config["arroyo-pi:retainData"] = false));
        const up = await project.deploy("up", STACK);
        const down = await project.deploy("destroy", STACK);
        if (up.code !== 0 || down.code !== 0) console.log(`${STACK}: cleanup up exit ${up.code}, down exit ${down.code}: ${down.output.slice(-1500)}`);
        await removeSimPis();
        project.remove();
        if (home) fs.rmSync(home, { recursive: true, force: true });
        console.log(`the ssh target on simulated Pis (engine arroyo) took ${Math.round((Date.now() - started) / 1000)} s`);
    }, 1_200_000);

    it("`npm run ssh:bootstrap` installs the operator's key with the Pi user's password and records every host key", async () => {
        const r = await npm(["ssh:bootstrap", "--", "--stack", STACK, "--password-env", "PI_PASSWORD"]);
        if (r.code !== 0) throw new Error(`ssh:bootstrap failed (exit ${r.code}):\n${r.output.slice(-3000)}`);
        const file = parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${STACK}.yaml`), "utf8")) as { config: Record<string, unknown> };
        const recorded = [file.config["arroyo-pi:controller"], ...(file.config["arroyo-pi:workers"] as unknown[])] as { name: string; hostKey?: string }[];
        expect(recorded.map((h) => [h.name, /^ssh-ed25519 \S+$/.test(h.hostKey ?? "")])).toEqual(pis.slice(0, 4).map((p) => [p.name, true]));
        expect(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${STACK}.yaml`), "utf8")).not.toContain(PASSWORD);
    }, 300_000);

    it("`up` takes every Pi from SSH to a running cluster, and a second preview changes nothing, outputs included", async () => {
        const up = await project.deploy("up", STACK);
        succeeded(up);
        for (const p of pis.slice(0, 4)) {
            const names = (await run("docker", ["exec", p.container, "docker", "ps", "--filter", `label=arroyo-pi.stack=${STACK}`, "--format", "{{.Names}}"])).stdout.split("\n").filter(Boolean).sort();
            expect(names).toEqual(p === pis[0] ? [`arroyo-pi-${STACK}-arroyo-controller`, `arroyo-pi-${STACK}-kafka`, `arroyo-pi-${STACK}-minio`] : [`arroyo-pi-${STACK}-arroyo-node-${p.name}`]);
        }
        const preview = await project.deploy("preview", STACK);
        succeeded(preview);
        expect(noChanges(preview.output)).toEqual([]);
        // No output diff either: the hosts' facts exported are their hardware's only.
        expect(preview.output).not.toMatch(/^\s+~\s+hosts\b/m);
    }, 1_800_000);

    it("a changed host key is refused before any change, with both fingerprints, and the host named once", async () => {
        // As if simpi-pc12 were reinstalled: the key recorded for it is now another Pi's.
        const original = fs.readFileSync(stackFile, "utf8");
        editStackFile((config) => {
            const ws = config["arroyo-pi:workers"] as { name: string; hostKey?: string }[];
            ws[1].hostKey = ws[0].hostKey;
        });
        try {
            const started = Date.now();
            const up = await project.deploy("up", STACK);
            expect(up.code).not.toBe(0);
            expect(Date.now() - started).toBeLessThan(60_000);
            expect(up.output).toMatch(/host key of simpi-pc12 \(172\.30\.57\.12:22\) changed: recorded SHA256:\S+, now SHA256:\S+/);
            expect(up.output).not.toMatch(/\(host simpi-pc12\)/);
            expect(up.output).not.toMatch(/^\s+[+~-]\s+docker:index:Container/m);
        } finally {
            fs.writeFileSync(stackFile, original);
        }
    }, 600_000);

    it("a Pi that is down is named within 20 s, and nothing changes on the others", async () => {
        await run("docker", ["stop", pis[3].container]);
        try {
            const started = Date.now();
            const preview = await project.deploy("preview", STACK);
            expect(preview.code).not.toBe(0);
            expect(Date.now() - started).toBeLessThan(20_000 + 15_000); // the preflight's 8 s per host, plus the CLI's start
            expect(preview.output).toMatch(/simpi-pc13 \(172\.30\.57\.13:22\) did not answer within 8 s|cannot log in to simpi-pc13/);
            const controller = (await run("docker", ["exec", pis[0].container, "docker", "ps", "--filter", `label=arroyo-pi.stack=${STACK}`, "-q"])).stdout.trim().split("\n").length;
            expect(controller).toBe(3);
        } finally {
            await run("docker", ["start", pis[3].container]);
            await waitForPi(pis[3]);
        }
        // Its containers come back with its engine (restart: unless-stopped), as after a reboot.
        const preview = await project.deploy("preview", STACK);
        succeeded(preview);
        expect(noChanges(preview.output)).toEqual([]);
    }, 600_000);

    it("one more Pi in the config previews exactly its resources and the topics' partitions", async () => {
        // As a user adds a Pi: one more entry under workers in the stack file (the recorded host keys and secrets stay).
        editStackFile((config) => void (config["arroyo-pi:workers"] as unknown[]).push(host(pis[4])));
        const boot = await npm(["ssh:bootstrap", "--", "--stack", STACK, "--password-env", "PI_PASSWORD"]);
        if (boot.code !== 0) throw new Error(`ssh:bootstrap of the new Pi failed:\n${boot.output.slice(-3000)}`);
        const preview = await project.deploy("preview", STACK);
        succeeded(preview);
        const steps = stepsOf(preview.output);
        expect(steps.create.filter((n) => !n.startsWith(`worker-${pis[4].name}`))).toEqual([]);
        expect(steps.create.length).toBeGreaterThan(3);
        expect(steps.update).toEqual(["controller-topics-auction", "controller-topics-bid", "controller-topics-person"]);
        expect(Object.keys(summaryOf(preview.output)).sort()).toEqual(["create", "same", "update"]);
        succeeded(await project.deploy("up", STACK));
    }, 1_800_000);

    it("destroy with retainData keeps the data on the controller Pi; the next up adopts it and an object written before is back", async () => {
        const s3 = new S3Client({ endpoint: `http://${pis[0].address}:9000`, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: MINIO_USER, secretAccessKey: MINIO_PASSWORD } });
        await s3.send(new PutObjectCommand({ Bucket: "arroyo", Key: "e2e/kept", Body: "written before the destroy" }));
        succeeded(await project.deploy("destroy", STACK));
        expect((await leftOnPi(pis[0], STACK)).filter((x) => !x.startsWith("volume "))).toEqual([]);
        const up = await project.deploy("up", STACK);
        succeeded(up);
        expect(up.output).not.toMatch(/bucket already exists/i);
        expect(await (await s3.send(new GetObjectCommand({ Bucket: "arroyo", Key: "e2e/kept" }))).Body!.transformToString()).toBe("written before the destroy");
        const preview = await project.deploy("preview", STACK);
        succeeded(preview);
        expect(noChanges(preview.output)).toEqual([]);
    }, 1_800_000);

    it("`down` without retainData leaves no container, network or volume of the stack on any Pi, and says what it leaves", async () => {
        editStackFile((config) => void (config["arroyo-pi:retainData"] = false));
        succeeded(await project.deploy("up", STACK));
        const down = await project.deploy("destroy", STACK);
        succeeded(down);
        for (const p of pis) expect({ pi: p.name, left: await leftOnPi(p, STACK) }).toEqual({ pi: p.name, left: [] });
        expect(down.output).toMatch(new RegExp(`left on ${pis[0].name}: the images .* remove with: docker -H ssh://picocluster@${pis[0].address.replace(/\./g, "\\.")}(:22)? image rm `));
        expect(down.output).toMatch(/left on this machine: the operator key and host keys .* remove with: rm -rf /);
    }, 1_800_000);
});
