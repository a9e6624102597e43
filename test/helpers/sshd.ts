// A real OpenSSH server on loopback for tests. It runs in a private mount namespace whose
// /root/.ssh is a tmpfs holding only the given authorized key, so nothing it does touches this
// machine's own keys. `toolchain/run.sh sshd` installs Debian's openssh-server.
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { promisify } from "util";
import { stopChild } from "./stopChild";

/** An ed25519 key pair without passphrase, `<dir>/<name>` and `<dir>/<name>.pub`. */
export const keygen = (dir: string, name: string) =>
    promisify(execFile)("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", path.join(dir, name)]);

/** sshd on 127.0.0.1:`port` with the host key `<dir>/<hostKey>`, accepting `<dir>/<authorizedKey>.pub` for root. */
export async function startLoopbackSshd(
    dir: string,
    port: number,
    hostKey: string,
    authorizedKey: string,
): Promise<ChildProcess> {
    fs.mkdirSync("/run/sshd", { recursive: true });
    const config = path.join(dir, `sshd_config-${port}`);
    fs.writeFileSync(
        config,
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${path.join(dir, hostKey)}`,
            `PidFile ${path.join(dir, `sshd-${port}.pid`)}`,
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
        ].join("\n") + "\n",
    );
    const script = `mkdir -p /root/.ssh && mount -t tmpfs none /root/.ssh && cp ${path.join(dir, `${authorizedKey}.pub`)} /root/.ssh/authorized_keys && exec /usr/sbin/sshd -D -e -f ${config}`;
    const child = spawn("unshare", ["--mount", "--propagation", "private", "sh", "-c", script], {
        stdio: ["ignore", "ignore", "pipe"],
    });
    let log = "";
    child.stderr?.on("data", (d) => (log += d.toString()));
    for (let i = 0; i < 100; i++) {
        const up = await new Promise<boolean>((r) =>
            net
                .connect(port, "127.0.0.1")
                .once("connect", function (this: net.Socket) {
                    this.destroy();
                    r(true);
                })
                .once("error", () => r(false)),
        );
        if (up) return child;
        if (child.exitCode !== null) break;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`sshd did not start: ${log}`);
}

export const stopSshd: (child?: ChildProcess) => Promise<void> = stopChild;
