// Simulated Raspberry Pis for the ssh target's e2e: containers of the image `toolchain/run.sh
// simpi-image` builds, each with its own sshd and Docker engine, on a Docker network the test
// creates and removes itself (no traffic leaves it). Not privileged: nested dockerd runs here with
// all capabilities but SYS_RESOURCE (which this VM's bounding set lacks, so --privileged fails),
// its own cgroup namespace, no seccomp or AppArmor profile, /sys unmasked and every device allowed;
// /var/lib/docker on a volume, so a restarted Pi keeps its containers as a rebooted one does.
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { execFile, spawn } from "child_process";
import { promisify } from "util";
import { cacheDir } from "../../toolchain/paths";
import { docker } from "./engine";

export const SIMPI_NETWORK = "arroyo-pi-e2e-simpi-net";
const SUBNET_PREFIX = "172.30.57";
const LABEL = "arroyo-pi.test=simpi";

export interface SimPi {
    name: string;
    address: string;
    container: string;
}

/** The sim-Pi image `toolchain/run.sh simpi-image` built last, or undefined. */
export function simPiImage(): string | undefined {
    const f = path.join(cacheDir(), "simpi-image");
    return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim() : undefined;
}

export function simPi(n: number): SimPi {
    return { name: `simpi-pc${n}`, address: `${SUBNET_PREFIX}.${n}`, container: `arroyo-pi-e2e-simpi-pc${n}` };
}

const RUN_FLAGS = [
    "--cap-add",
    "ALL",
    "--cap-drop",
    "SYS_RESOURCE",
    "--cgroupns",
    "private",
    "--security-opt",
    "seccomp=unconfined",
    "--security-opt",
    "apparmor=unconfined",
    "--security-opt",
    "systempaths=unconfined",
    "--device-cgroup-rule",
    "a *:* rwm",
];

/** Starts the Pis on the test's network (made here) and waits until each answers SSH and runs Docker. */
export async function startSimPis(ns: number[], password: string): Promise<SimPi[]> {
    const image = simPiImage();
    if (!image) throw new Error("no sim-Pi image: run 'toolchain/run.sh simpi-image' first");
    if (!(await docker("network", "ls", "--filter", `name=^${SIMPI_NETWORK}$`, "-q"))) {
        await docker("network", "create", "--label", LABEL, "--subnet", `${SUBNET_PREFIX}.0/24`, SIMPI_NETWORK);
    }
    const pis = ns.map(simPi);
    for (const p of pis) {
        await docker(
            "run",
            "-d",
            "--name",
            p.container,
            "--hostname",
            p.name,
            "--label",
            LABEL,
            "--network",
            SIMPI_NETWORK,
            "--ip",
            p.address,
            ...RUN_FLAGS,
            "-v",
            `${p.container}-docker:/var/lib/docker`,
            "-e",
            `SIMPI_PASSWORD=${password}`,
            image,
        );
    }
    await Promise.all(pis.map((p) => waitForPi(p)));
    return pis;
}

/** Waits until the Pi's sshd sends its banner and its Docker engine answers. */
export async function waitForPi(p: SimPi, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        const banner = await sshBanner(p.address).catch((e: Error) => ((last = e.message), ""));
        const dockerUp = banner
            ? await docker("exec", p.container, "docker", "info", "--format", "{{.ServerVersion}}").then(
                  () => true,
                  (e: Error) => ((last = e.message), false),
              )
            : false;
        if (banner.startsWith("SSH-") && dockerUp) return;
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(
        `sim-Pi ${p.name} (${p.address}) did not answer SSH and Docker within ${timeoutMs / 1000} s: ${last}`,
    );
}

function sshBanner(address: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const s = net.connect({ host: address, port: 22, timeout: 3000 });
        const timer = setTimeout(() => (s.destroy(), reject(new Error(`${address}:22 sent no banner`))), 3000);
        s.once("data", (d) => (clearTimeout(timer), s.destroy(), resolve(d.toString())));
        s.once("error", (e) => (clearTimeout(timer), reject(e)));
    });
}

/** Loads images into a Pi's engine as one would onto a Pi with no registry: docker save | docker load. */
export async function loadImages(p: SimPi, images: string[]): Promise<void> {
    await new Promise<void>((resolve, reject) => {
        const save = spawn("docker", ["save", ...images], { stdio: ["ignore", "pipe", "pipe"] });
        const load = spawn("docker", ["exec", "-i", p.container, "docker", "load"], {
            stdio: ["pipe", "ignore", "pipe"],
        });
        let err = "";
        save.stderr.on("data", (d) => (err += d));
        load.stderr.on("data", (d) => (err += d));
        save.stdout.pipe(load.stdin);
        load.on("close", (code) =>
            code === 0
                ? resolve()
                : reject(new Error(`loading ${images.join(", ")} into ${p.name} failed (exit ${code}): ${err}`)),
        );
    });
}

/** What a Pi's own engine holds of a stack: containers, networks, volumes with its label. */
export async function leftOnPi(p: SimPi, stack: string): Promise<string[]> {
    const label = `label=arroyo-pi.stack=${stack}`;
    const out = async (...args: string[]) =>
        (await docker("exec", p.container, "docker", ...args)).split("\n").filter(Boolean);
    return [
        ...(await out("ps", "-a", "--filter", label, "--format", "container {{.Names}}")),
        ...(await out("network", "ls", "--filter", label, "--format", "network {{.Name}}")),
        ...(await out("volume", "ls", "--filter", label, "--format", "volume {{.Name}}")),
    ];
}

/** Every sim-Pi, its Docker volume and the test network, removed. */
export async function removeSimPis(): Promise<void> {
    const ids = (await docker("ps", "-aq", "--filter", `label=${LABEL}`)).split("\n").filter(Boolean);
    const names = await Promise.all(ids.map((id) => docker("inspect", "--format", "{{.Name}}", id)));
    if (ids.length) await docker("rm", "-f", "-v", ...ids);
    for (const n of names) await docker("volume", "rm", "-f", `${n.replace(/^\//, "")}-docker`).catch(() => undefined);
    await docker("network", "rm", SIMPI_NETWORK).catch(() => undefined);
}

export const run = promisify(execFile);

/** This machine's processes, with their parent and process group, from ps. */
export async function processes(): Promise<{ pid: number; ppid: number; pgid: number; command: string }[]> {
    const { stdout } = await run("ps", ["-A", "-o", "pid=,ppid=,pgid=,stat=,comm="]);
    return (
        stdout
            .split("\n")
            .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.+)$/))
            .filter((m): m is RegExpMatchArray => m !== null)
            // A zombie has ended; it only waits for its parent (or init) to collect it.
            .filter((m) => !m[4].startsWith("Z"))
            .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), pgid: Number(m[3]), command: m[5] }))
    );
}

/**
 * Waits until `left()` finds nothing, polling; what it still finds after `timeoutMs`. A killed
 * process is gone only once the kernel has torn it down, and an ssh whose peer went away notices at
 * its next read: neither is instant, and neither is a leftover.
 */
export async function untilGone<T>(left: () => Promise<T[]>, timeoutMs = 30_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const found = await left();
        if (found.length === 0 || Date.now() >= deadline) return found;
        await new Promise((r) => setTimeout(r, 250));
    }
}

/** `pid` and every process below it. Pulumi starts its resource plugins in process groups of their own, so a group does not hold them. */
export async function processTree(pid: number): Promise<{ pid: number; command: string }[]> {
    const all = await processes();
    const tree = all.filter((p) => p.pid === pid);
    for (let i = 0; i < tree.length; i++) tree.push(...all.filter((p) => p.ppid === tree[i].pid));
    return tree.map(({ pid: p, command }) => ({ pid: p, command }));
}
