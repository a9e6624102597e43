// npm run ssh:bootstrap against a real OpenSSH server on loopback. sshd runs in a private mount
// namespace whose /root/.ssh is a tmpfs, so the keys it installs never touch this machine's own.
import { ChildProcess, execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { freePort } from "../../toolchain/net";
import { parse } from "yaml";
import { E2eProject, REPO_ROOT } from "./engine";
import { keygen as keygenIn, startLoopbackSshd, stopSshd } from "../helpers/sshd";

const STACK = "e2e-ssh";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-sshd-"));
const keygen = (file: string) => keygenIn(dir, file);
const startSshd = (port: number, hostKey: string) => startLoopbackSshd(dir, port, hostKey, "bootstrap");
const stop = stopSshd;

describe("npm run ssh:bootstrap against a real sshd", () => {
    const project = new E2eProject();
    let port: number;
    let sshd: ChildProcess | undefined;
    const bootstrap = (...extra: string[]) =>
        promisify(execFile)(
            "node",
            [
                "-r",
                "ts-node/register/transpile-only",
                "scripts/sshBootstrap.ts",
                "--stack",
                STACK,
                "--bootstrap-key",
                path.join(dir, "bootstrap"),
                ...extra,
            ],
            { cwd: REPO_ROOT, env: project.env },
        ).then(
            (r) => ({ code: 0, out: r.stdout + r.stderr }),
            (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
        );
    const hostKeysInConfig = () => {
        const doc = parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${STACK}.yaml`), "utf8")) as {
            config: Record<string, { hostKey?: string } | { hostKey?: string }[]>;
        };
        const c = doc.config["arroyo-pi:controller"] as { hostKey?: string };
        const w = doc.config["arroyo-pi:workers"] as { hostKey?: string }[];
        return [c.hostKey, ...w.map((x) => x.hostKey)];
    };

    beforeAll(async () => {
        await Promise.all([keygen("host_a"), keygen("host_b"), keygen("bootstrap"), keygen("operator")]);
        port = await freePort();
        sshd = await startSshd(port, "host_a");
        project.writeStackFile(STACK, {
            target: "ssh",
            sshUser: "root",
            controller: { name: "pi1", address: "127.0.0.1", sshPort: port },
            workers: [{ name: "pi2", address: "localhost", sshPort: port }],
        });
        await project.configure(
            STACK,
            {},
            {
                sshPrivateKey: fs.readFileSync(path.join(dir, "operator"), "utf8"),
                minioRootUser: "bench-admin",
                minioRootPassword: "a-long-test-password",
            },
        );
    }, 60_000);

    afterAll(async () => {
        await stop(sshd);
        project.remove();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("installs the operator key, proves it logs in, and records every host key", async () => {
        const r = await bootstrap();
        expect(r.code).toBe(0);
        // Both "hosts" are this one sshd, bootstrapped in parallel: one of them adds the key.
        expect(r.out).toMatch(/^pi1: operator key (added|already present), host key SHA256:\S+$/m);
        expect(r.out).toMatch(/^pi2: operator key (added|already present), host key SHA256:\S+$/m);
        expect(r.out).toMatch(/^pi\d: operator key added/m);
        const hostPub = fs.readFileSync(path.join(dir, "host_a.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
        expect(hostKeysInConfig()).toEqual([hostPub, hostPub]);
    }, 60_000);

    it("is idempotent and verifies the recorded host keys on the next run", async () => {
        const r = await bootstrap();
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/^pi1: operator key already present, host key SHA256:\S+ \(verified\)$/m);
        expect(r.out).toMatch(/^pi2: operator key already present, host key SHA256:\S+ \(verified\)$/m);
    }, 60_000);

    it("refuses a host whose key changed, naming it and both fingerprints", async () => {
        await stop(sshd);
        sshd = await startSshd(port, "host_b");
        const r = await bootstrap();
        expect(r.code).toBe(1);
        expect(r.out).toMatch(
            new RegExp(
                `pi1: host key of pi1 \\(127\\.0\\.0\\.1:${port}\\) changed: recorded SHA256:\\S+, now SHA256:\\S+\\. If the host was reinstalled`,
            ),
        );
        expect(r.out).toMatch(/2 of 2 hosts failed: pi1, pi2/);
        // The fix it names, whole: the command for this stack and host.
        expect(r.out).toContain(
            `record its new key with 'npm run ssh:bootstrap -- --stack ${STACK} --password-env <VAR> --accept-new-host-key pi1'`,
        );
    }, 60_000);

    it("records the new key of a host named with --accept-new-host-key, and only of it", async () => {
        const before = hostKeysInConfig();
        const r = await bootstrap("--accept-new-host-key", "pi1");
        // pi2 is the same reinstalled sshd, not named: still refused, its recorded key kept.
        expect(r.code).toBe(1);
        expect(r.out).toMatch(/^pi1: operator key (added|already present), host key SHA256:\S+$/m);
        expect(r.out).toMatch(/1 of 2 hosts failed: pi2/);
        const hostB = fs.readFileSync(path.join(dir, "host_b.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
        expect(hostKeysInConfig()).toEqual([hostB, before[1]]);
        expect(before[0]).not.toBe(hostB);
    }, 60_000);

    it("refuses --accept-new-host-key for a host the stack does not have, before connecting", async () => {
        const r = await bootstrap("--accept-new-host-key", "pi9");
        expect(r.code).toBe(2);
        expect(r.out).toMatch(/--accept-new-host-key pi9: no such host in stack 'e2e-ssh' \(its hosts: pi1, pi2\)/);
    }, 60_000);

    it("names a missing first-login credential", async () => {
        const r = await promisify(execFile)(
            "node",
            ["-r", "ts-node/register/transpile-only", "scripts/sshBootstrap.ts", "--stack", STACK],
            { cwd: REPO_ROOT, env: project.env },
        ).catch((e) => e);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/give exactly one of --password-env and --bootstrap-key/);
    }, 30_000);
});
