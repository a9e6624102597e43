import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HostSpec } from "../config/schema";
import { shellQuote } from "../lib/shell";
import { knownHostsFile, writePrivateKeyFile } from "./sshFiles";
import { urlHost } from "../lib/address";

export type HostAccess =
    | { kind: "local"; dockerHost: string }
    | { kind: "ssh"; user: string; privateKey: pulumi.Output<string>; installCommand: string };

export interface DockerHostArgs {
    stack: string;
    host: HostSpec;
    access: HostAccess;
    /** Image references this host runs; each becomes a RemoteImage so containers follow its id. */
    images: string[];
}

/**
 * Installs Docker on the host if it is missing (checked on the host itself, so re-runs are cheap
 * and safe) and exposes the host's Docker engine to the rest of the program as a provider.
 * Images are looked up on the host first and pulled only when absent.
 */
export function installDockerScript(installCommand: string): string {
    // Runs under the login user; sudo -n fails fast instead of hanging on a password prompt.
    return [
        "set -eu",
        'if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo -n"; fi',
        "if command -v docker >/dev/null 2>&1; then",
        '  echo "docker already installed: $(docker --version)"',
        "else",
        `  $SUDO sh -c ${shellQuote(installCommand)}`,
        "fi",
        'if [ "$(id -u)" -ne 0 ]; then $SUDO usermod -aG docker "$(id -un)"; fi',
        "if ! $SUDO docker info >/dev/null 2>&1; then",
        "  $SUDO systemctl enable --now docker >/dev/null 2>&1 || $SUDO service docker start >/dev/null 2>&1 || true",
        "fi",
        "for i in $(seq 1 30); do $SUDO docker info >/dev/null 2>&1 && break; sleep 1; done",
        "$SUDO docker version --format 'docker engine {{.Server.Version}} ready'",
    ].join("\n");
}

export class DockerHost extends pulumi.ComponentResource {
    public readonly name: string;
    public readonly address: string;
    public readonly provider: docker.Provider;
    /** The engine's address as `docker -H` takes it (no credentials in it). */
    public readonly dockerHost: string;
    /** Image id by image reference, resolved on this host's engine. */
    public readonly imageIds: Record<string, pulumi.Output<string>>;
    /** The install step (ssh hosts only): everything on the host waits for it. */
    public readonly dockerInstall?: command.remote.Command;

    constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:DockerHost", name, {}, opts);
        this.name = args.host.name;
        this.address = args.host.address;
        const { access, host } = args;

        this.dockerHost = access.kind === "local" ? access.dockerHost : `ssh://${access.user}@${urlHost(host.address)}:${host.sshPort}`;
        if (access.kind === "local") {
            this.provider = new docker.Provider(`${name}-engine`, { host: access.dockerHost }, { parent: this });
        } else {
            this.dockerInstall = new command.remote.Command(
                `${name}-install-docker`,
                {
                    connection: {
                        host: host.address,
                        port: host.sshPort,
                        user: access.user,
                        privateKey: access.privateKey,
                        ...(host.hostKey ? { hostKey: host.hostKey } : {}),
                        dialErrorLimit: 10,
                    },
                    create: installDockerScript(access.installCommand),
                    triggers: [access.installCommand],
                },
                { parent: this },
            );
            const keyPath = pulumi.unsecret(access.privateKey.apply((k) => writePrivateKeyFile(args.stack, k)));
            const knownHosts = knownHostsFile(args.stack, host.name, host.address, host.sshPort, host.hostKey);
            this.provider = new docker.Provider(
                `${name}-engine`,
                {
                    host: this.dockerHost,
                    sshOpts: keyPath.apply((k) => [
                        "-i", k,
                        "-o", "IdentitiesOnly=yes",
                        "-o", "BatchMode=yes",
                        "-o", `UserKnownHostsFile=${knownHosts}`,
                        // A recorded host key is enforced; without one the first key seen is kept.
                        "-o", `StrictHostKeyChecking=${host.hostKey ? "yes" : "accept-new"}`,
                    ]),
                },
                { parent: this, dependsOn: [this.dockerInstall] },
            );
        }

        this.imageIds = {};
        for (const ref of [...new Set(args.images)]) {
            const image = new docker.RemoteImage(
                `${name}-image-${imageSlug(ref)}`,
                { name: ref, keepLocally: true },
                { parent: this, provider: this.provider },
            );
            this.imageIds[ref] = image.imageId;
        }

        this.registerOutputs({ name: this.name, address: this.address, imageIds: this.imageIds });
    }
}

/** A resource-name-safe form of an image reference (`apache/kafka:4.1.1` -> `apache-kafka-4-1-1`). */
export function imageSlug(ref: string): string {
    return ref.replace(/^[^/]*\.[^/]*\//, "").replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").toLowerCase();
}
