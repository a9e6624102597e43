// A shell command on one of the stack's hosts, from the deploying machine: locally for the local
// target's Docker engine, otherwise over the deployer's `ssh`, with the key and known hosts the
// deployment wrote for the stack where they exist (components/sshFiles.ts), in batch mode so no
// prompt ever blocks.
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { PROJECT } from "../config/defaults";

/** Runs `script` with sh on the host whose Docker engine is `dockerHost` (unix:// or ssh://user@host:port). */
export async function runOnHost(
    host: { name: string; dockerHost: string },
    stack: string,
    script: string,
    timeoutMs = 15_000,
): Promise<string> {
    const m = /^ssh:\/\/([^@]+)@(\[[^\]]+\]|[^:/]+)(?::(\d+))?/.exec(host.dockerHost);
    if (!m) return (await promisify(execFile)("sh", ["-c", script], { timeout: timeoutMs })).stdout;
    const [, user, address, port] = m;
    const dir = path.join(process.env.ARROYO_PI_SSH_DIR ?? path.join(os.homedir(), ".cache", PROJECT, "ssh"), stack);
    const key = path.join(dir, "id");
    const known = [path.join(dir, `known_hosts.${host.name}`), path.join(dir, "known_hosts.first-use")].filter((f) =>
        fs.existsSync(f),
    );
    const args = [
        "-o",
        "BatchMode=yes",
        "-o",
        "ConnectTimeout=5",
        ...(fs.existsSync(key) ? ["-i", key, "-o", "IdentitiesOnly=yes"] : []),
        ...(known.length ? ["-o", `UserKnownHostsFile=${known.join(" ")}`, "-o", "StrictHostKeyChecking=yes"] : []),
        "-p",
        port ?? "22",
        `${user}@${address.replace(/^\[|\]$/g, "")}`,
        script,
    ];
    return (await promisify(execFile)("ssh", args, { timeout: timeoutMs })).stdout;
}
