import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { E2eProject } from "./engine";

// The real Pulumi engine runs the program; a config problem must stop it before any resource is
// declared, so this needs no resource plugin and leaves the stack empty.
describe("config errors on the real engine", () => {
    const project = new E2eProject();
    afterAll(() => project.remove());

    it("stops `preview` and `up` with every problem named, never echoes a secret, and declares nothing", async () => {
        await project.configure(
            "e2e-bad-config",
            {
                target: "ssh",
                sshUser: "picocluster",
                controller: JSON.stringify({ name: "pi1", address: "192.0.2.10" }),
                workers: "[]",
                retainDtaa: "true",
            },
            { minioRootUser: "minioadmin", minioRootPassword: "a-long-password" },
        );

        const preview = await project.deploy("preview", "e2e-bad-config");
        expect(preview.code).toBe(1);
        expect(preview.output).toContain("Invalid configuration (4 problems); nothing was deployed:");
        expect(preview.output).toContain("arroyo-pi:workers is empty: a cluster needs at least one worker");
        expect(preview.output).toContain("arroyo-pi:retainDtaa is not a known setting: did you mean 'retainData'?");
        expect(preview.output).toContain("arroyo-pi:sshPrivateKey is missing");
        expect(preview.output).toContain(
            "arroyo-pi:minioRootUser is MinIO's well-known default: it is allowed only on the local target",
        );
        expect(preview.output).not.toContain("minioadmin");
        expect(preview.output).not.toContain("a-long-password");
        // A config error is the user's to fix, not a crash: no stack trace of the program.
        expect(preview.output).not.toMatch(/Unhandled exception|at parseClusterConfig|schema\.ts/);

        const up = await project.deploy("up", "e2e-bad-config");
        expect(up.code).toBe(1);
        expect(up.output).toContain("Invalid configuration (4 problems)");
        const state = JSON.parse(await project.pulumi(["stack", "export", "--stack", "e2e-bad-config"])) as {
            deployment: { resources?: { type: string }[] };
        };
        expect((state.deployment.resources ?? []).filter((r) => !r.type.startsWith("pulumi:"))).toEqual([]);
    }, 300_000);

    it("removes a stale lock an interrupted run left on this host, before anything else", async () => {
        const stackName = "e2e-stale-lock";
        await project.configure(stackName, {
            target: "local",
            controller: JSON.stringify({ name: "controller", address: "127.0.0.1" }),
            workers: JSON.stringify([{ name: "worker1", address: "127.0.0.1" }]),
        });
        // The lock a killed `up` leaves (backend/diy/lock.go), of a process that no longer runs.
        const dead = spawnSync("true").pid!;
        const dir = path.join(project.dir, "state", ".pulumi", "locks", "organization", "arroyo-pi", stackName);
        fs.mkdirSync(dir, { recursive: true });
        const lock = path.join(dir, "0a1b2c3d-stale.json");
        fs.writeFileSync(
            lock,
            JSON.stringify({
                pid: dead,
                username: os.userInfo().username,
                hostname: os.hostname(),
                timestamp: new Date().toISOString(),
            }),
        );
        const r = await project.deploy("preview", stackName);
        expect(r.output).toMatch(
            new RegExp(
                `removed a stale lock of stack '${stackName}': pid ${dead} on this host took it at .* and is no longer running`,
            ),
        );
        expect(fs.existsSync(lock)).toBe(false);
        // Beyond the lock the preview goes on: it stops at the resource plugins or an image this
        // machine lacks, or previews where it has them all.
        expect(r.output).not.toMatch(/currently locked/);
    }, 300_000);
});
