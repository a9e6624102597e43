import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT } from "../config/defaults";

// The Docker provider reaches a remote engine by running the deployer's own `ssh`, which reads
// keys and host keys from files, not from Pulumi config. These files are derived from the stack's
// secrets at run time and live outside the repo, readable by the deployer's user only.

/** Where a stack's key files are kept; `ARROYO_PI_SSH_DIR` moves them (tests point it at a temporary directory). */
export function sshFilesDir(stack: string): string {
    return path.join(process.env.ARROYO_PI_SSH_DIR ?? path.join(os.homedir(), ".cache", PROJECT, "ssh"), stack);
}

function stackDir(stack: string): string {
    const dir = sshFilesDir(stack);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
}

/** Writes the operator's private key where `ssh -i` can read it; returns the path. */
export function writePrivateKeyFile(stack: string, privateKey: string): string {
    const file = path.join(stackDir(stack), "id");
    const content = privateKey.endsWith("\n") ? privateKey : `${privateKey}\n`;
    fs.writeFileSync(file, content, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    return file;
}

/** The host-key pattern ssh looks up: `[host]:port` unless the port is 22. */
export function knownHostsPattern(address: string, port: number): string {
    return port === 22 ? address : `[${address}]:${port}`;
}

/**
 * Writes one host's recorded key as a known_hosts file and returns its path, or returns the
 * path of the stack's trust-on-first-use file when no key is recorded.
 */
export function knownHostsFile(
    stack: string,
    hostName: string,
    address: string,
    port: number,
    hostKey?: string,
): string {
    const dir = stackDir(stack);
    if (!hostKey) return path.join(dir, "known_hosts.first-use");
    const file = path.join(dir, `known_hosts.${hostName}`);
    fs.writeFileSync(file, `${knownHostsPattern(address, port)} ${hostKey.trim()}\n`, { mode: 0o600 });
    return file;
}
