// The host preflight against a real OpenSSH server on loopback: the facts it reads are this
// machine's own, a changed host key and a silent or closed port are refused by host name, fast.
import { ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { preflight, PreflightHost, PreflightError } from "../../hosts/preflight";
import { freePort } from "../../toolchain/net";
import { keygen, startLoopbackSshd, stopSshd } from "../helpers/sshd";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-preflight-"));
let port: number;
let sshd: ChildProcess | undefined;
let operatorKey: string;
const pub = (name: string) =>
    fs
        .readFileSync(path.join(dir, `${name}.pub`), "utf8")
        .trim()
        .split(" ")
        .slice(0, 2)
        .join(" ");
const host = (name: string, p: number, hostKey?: string): PreflightHost => ({
    name,
    address: "127.0.0.1",
    port: p,
    user: "root",
    ...(hostKey ? { recordedHostKey: hostKey } : {}),
    demand: { name, roles: ["worker"], memoryMb: 768, allowNoMemoryLimit: false },
});

beforeAll(async () => {
    await Promise.all([keygen(dir, "host_a"), keygen(dir, "host_b"), keygen(dir, "operator")]);
    operatorKey = fs.readFileSync(path.join(dir, "operator"), "utf8");
    port = await freePort();
    sshd = await startLoopbackSshd(dir, port, "host_a", "operator");
}, 60_000);

afterAll(async () => {
    await stopSshd(sshd);
    fs.rmSync(dir, { recursive: true, force: true });
});

describe("the host preflight over real SSH", () => {
    it("reads this machine's true facts", async () => {
        const [r] = await preflight(
            [{ ...host("here", port, pub("host_a")), minioVolume: "arroyo-pi-e2e-preflight-minio-data" }],
            operatorKey,
        );
        expect(r.problems.filter((p) => !/clock not synchronised|MB free where Docker/.test(p))).toEqual([]);
        const f = r.facts!;
        expect(f.pageSizeBytes).toBe(Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim()));
        expect(f.arch).toBe(execFileSync("uname", ["-m"], { encoding: "utf8" }).trim());
        expect(f.kernel).toBe(os.release());
        const controllers = fs.existsSync("/sys/fs/cgroup/cgroup.controllers")
            ? fs.readFileSync("/sys/fs/cgroup/cgroup.controllers", "utf8")
            : "";
        expect(f.memoryCgroup).toBe(
            controllers.split(/\s+/).includes("memory") ||
                /^memory\s+\d+\s+\d+\s+1$/m.test(fs.readFileSync("/proc/cgroups", "utf8")),
        );
        expect(f.memoryMb).toBe(
            Math.floor(Number(/^MemTotal:\s+(\d+)/m.exec(fs.readFileSync("/proc/meminfo", "utf8"))![1]) / 1024),
        );
        expect(f.diskFreeMb!).toBeGreaterThan(0);
        // Not a Pi: no device-tree model, no vcgencmd.
        expect(f.throttled).toBeNull();
        // No such volume here: nothing to adopt.
        expect(f.retainedBuckets).toBeNull();
    }, 60_000);

    it("refuses a host whose key changed, with both fingerprints and its name, within 5 s", async () => {
        const started = Date.now();
        const [r] = await preflight([host("b1pc11", port, pub("host_b"))], operatorKey);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(r.facts).toBeNull();
        expect(r.problems).toEqual([
            expect.stringMatching(
                new RegExp(
                    `^host key of b1pc11 \\(127\\.0\\.0\\.1:${port}\\) changed: recorded SHA256:\\S+, now SHA256:\\S+\\.`,
                ),
            ),
        ]);
    }, 30_000);

    it("names the bootstrap command, once, for a new host that does not know the operator's key yet", async () => {
        // host_b's key is a key this sshd does not authorise: as a Pi added to the config before its bootstrap.
        const stranger = fs.readFileSync(path.join(dir, "host_b"), "utf8");
        const [r] = await preflight([{ ...host("simpi-pc13", port, pub("host_a")), stack: "simpi" }], stranger);
        expect(r.facts).toBeNull();
        expect(r.problems).toEqual([
            `cannot log in to simpi-pc13 (root@127.0.0.1:${port}): All configured authentication methods failed: the operator key is not authorised there yet (a new host?): run 'npm run ssh:bootstrap -- --stack simpi --password-env <VAR>' first (docs/pis.md, "Adding a worker")`,
        ]);
    }, 30_000);

    it("names a host that does not answer within the time-out, and one whose port is closed", async () => {
        // A listener that accepts and never speaks: an SSH server that hangs, or a firewall's black hole.
        const silent = net.createServer(() => undefined);
        await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
        const closed = await freePort();
        try {
            const started = Date.now();
            const results = await preflight(
                [host("b1pc12", (silent.address() as net.AddressInfo).port), host("b1pc13", closed)],
                operatorKey,
                3_000,
            );
            expect(Date.now() - started).toBeLessThan(10_000);
            expect(results[0].problems[0]).toMatch(
                /^b1pc12 \(127\.0\.0\.1:\d+\) did not answer within 3 s: check that it is up/,
            );
            expect(results[1].problems[0]).toMatch(
                /^cannot log in to b1pc13 \(root@127\.0\.0\.1:\d+\): connect ECONNREFUSED/,
            );
            const err = new PreflightError(results);
            expect(err.message).toMatch(/^Preflight refused 2 problems; nothing was changed on any host:\n {2}b1pc12 /);
        } finally {
            silent.close();
        }
    }, 30_000);
});
