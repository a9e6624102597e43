import type { ChildProcess } from "node:child_process";

/**
 * SIGTERM a child and resolve once it has exited: a server still flushing its files
 * (MinIO's .minio.sys) makes an rmSync of its data directory fail with ENOTEMPTY.
 */
export async function stopChild(child?: ChildProcess): Promise<void> {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
}
