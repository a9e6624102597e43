import { Client, ConnectConfig, utils } from "ssh2";
import { shellQuote } from "../lib/shell";
import { fingerprint, formatHostKey, parseHostKey } from "./hostKeys";

export interface BootstrapTarget {
    /** The host's name in the stack config, for messages. */
    name: string;
    address: string;
    port: number;
    user: string;
    /** The host key recorded earlier, if any: the host must still present it. */
    recordedHostKey?: string;
    /** The stack the host belongs to, for the command a message names. */
    stack?: string;
}

/** How to log in the first time: the Pi's password, or a key that already works. */
export type BootstrapAuth = { password: string } | { privateKey: string };

export class HostKeyChangedError extends Error {
    constructor(target: BootstrapTarget, recorded: Buffer, presented: Buffer) {
        super(
            `host key of ${target.name} (${target.address}:${target.port}) changed: recorded ${fingerprint(recorded)}, ` +
                `now ${fingerprint(presented)}. If the host was reinstalled, record its new key with ` +
                `'npm run ssh:bootstrap -- --stack ${target.stack ?? "<stack>"} --password-env <VAR> --accept-new-host-key ${target.name}'; otherwise do not connect`,
        );
        this.name = "HostKeyChangedError";
    }
}

export interface BootstrapResult {
    name: string;
    hostKey: string;
    fingerprint: string;
    keyInstalled: boolean;
}

/** The operator's public key, in authorized_keys form, from the private key in the stack config. */
export function publicKeyLine(privateKey: string, comment = "arroyo-pi operator"): string {
    const parsed = utils.parseKey(privateKey);
    if (parsed instanceof Error) throw new Error(`sshPrivateKey cannot be read: ${parsed.message}`);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    return `${key.type} ${key.getPublicSSH().toString("base64")} ${comment}`;
}

export interface Session {
    client: Client;
    hostKey: Buffer;
}

/** Logs in, verifying the recorded host key when there is one; rejects with HostKeyChangedError when it differs. */
export function connect(target: BootstrapTarget, auth: BootstrapAuth, timeoutMs: number): Promise<Session> {
    return new Promise((resolve, reject) => {
        const client = new Client();
        let presented: Buffer | undefined;
        let refused: Error | undefined;
        const config: ConnectConfig = {
            host: target.address,
            port: target.port,
            username: target.user,
            readyTimeout: timeoutMs,
            ...auth,
            hostVerifier: (key: Buffer) => {
                presented = Buffer.from(key);
                if (target.recordedHostKey) {
                    const recorded = parseHostKey(target.recordedHostKey);
                    if (!recorded.equals(presented)) {
                        refused = new HostKeyChangedError(target, recorded, presented);
                        return false;
                    }
                }
                return true;
            },
        };
        client
            .on("ready", () => resolve({ client, hostKey: presented as Buffer }))
            .on("error", (err) =>
                reject(
                    refused ??
                        new Error(
                            `cannot log in to ${target.name} (${target.user}@${target.address}:${target.port}): ${err.message}`,
                        ),
                ),
            )
            .connect(config);
    });
}

export function run(client: Client, command: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        client.exec(command, (err, stream) => {
            if (err) return reject(err);
            let stdout = "";
            let stderr = "";
            stream
                .on("data", (d: Buffer) => (stdout += d.toString()))
                .stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            stream.on("close", (code: number) => resolve({ code, stdout, stderr }));
        });
    });
}

/**
 * Puts the operator's public key in the host user's authorized_keys (once), then proves that
 * key logs in, and returns the host key it presented, to be recorded in the stack config so
 * later connections verify it instead of trusting whatever answers.
 */
export async function bootstrapHost(
    target: BootstrapTarget,
    auth: BootstrapAuth,
    operatorPrivateKey: string,
    timeoutMs = 20_000,
): Promise<BootstrapResult> {
    const pub = publicKeyLine(operatorPrivateKey);
    const keyPart = pub.split(" ").slice(0, 2).join(" ");
    const first = await connect(target, auth, timeoutMs);
    let keyInstalled: boolean;
    try {
        const script = [
            "set -e",
            "umask 077",
            "mkdir -p ~/.ssh",
            "touch ~/.ssh/authorized_keys",
            `if grep -qF ${shellQuote(keyPart)} ~/.ssh/authorized_keys; then echo present; else echo ${shellQuote(pub)} >> ~/.ssh/authorized_keys && echo added; fi`,
        ].join("\n");
        const r = await run(first.client, script);
        if (r.code !== 0)
            throw new Error(`adding the operator key on ${target.name} failed (exit ${r.code}): ${r.stderr.trim()}`);
        keyInstalled = r.stdout.trim() === "added";
    } finally {
        first.client.end();
    }
    // The key must now work on its own, and the host must present the same key as before.
    const pinned = { ...target, recordedHostKey: target.recordedHostKey ?? formatHostKey(first.hostKey) };
    const check = await connect(pinned, { privateKey: operatorPrivateKey }, timeoutMs);
    check.client.end();
    return {
        name: target.name,
        hostKey: formatHostKey(first.hostKey),
        fingerprint: fingerprint(first.hostKey),
        keyInstalled,
    };
}
