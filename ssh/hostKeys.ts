import { createHash } from "crypto";

/** The key type named inside an SSH public key blob (its first length-prefixed string). */
export function keyType(blob: Buffer): string {
    const len = blob.readUInt32BE(0);
    return blob.subarray(4, 4 + len).toString("ascii");
}

/** A host key as known_hosts and Pulumi's command provider take it: "ssh-ed25519 AAAA...". */
export function formatHostKey(blob: Buffer): string {
    return `${keyType(blob)} ${blob.toString("base64")}`;
}

/** The blob of a "type base64" host key string. */
export function parseHostKey(text: string): Buffer {
    const [type, b64] = text.trim().split(/\s+/);
    if (!type || !b64) throw new Error(`'${text}' is not a host key of the form 'ssh-ed25519 AAAA...'`);
    const blob = Buffer.from(b64, "base64");
    if (keyType(blob) !== type)
        throw new Error(`host key '${text.slice(0, 40)}...' says ${type} but holds a ${keyType(blob)} key`);
    return blob;
}

/** OpenSSH's fingerprint format, as `ssh-keygen -lf` prints it. */
export function fingerprint(blob: Buffer): string {
    return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
