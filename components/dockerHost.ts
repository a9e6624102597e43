import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HostSpec } from "../config/schema";
import { shellQuote, SUDO_UNLESS_ROOT } from "../lib/shell";
import { knownHostsFile, writePrivateKeyFile } from "./sshFiles";
import { urlHost } from "../lib/address";
import { cpuQuotaOffMessage, memoryCgroupOffMessage } from "../hosts/facts";

export type HostAccess =
    | { kind: "local"; dockerHost: string }
    | { kind: "ssh"; user: string; privateKey: pulumi.Output<string>; installCommand: string };

/** A check of the engine's own, in each host's Docker check script, with the image it starts. */
export interface EngineHostCheck {
    image: string;
    /** Shell lines run after `ml` holds Docker's MemoryLimit; they set failed=1 on a problem and echo what they found. */
    lines(hostName: string): string[];
}

export interface DockerHostArgs {
    stack: string;
    host: HostSpec;
    access: HostAccess;
    /** Image references this host runs; each becomes a RemoteImage so containers follow its id. */
    images: string[];
    /** The engine's own check of this host once Docker runs (EngineDeployment.hostCheck), if it has one. */
    engineCheck?: EngineHostCheck;
    /** Deploy where Docker enforces no memory limit (hosts.allowNoMemoryLimit). */
    allowNoMemoryLimit?: boolean;
    /** A container here gets a CPU limit (cluster.cpusPerWorker): Docker must be able to enforce one. */
    cpuLimit?: boolean;
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
        SUDO_UNLESS_ROOT,
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

/**
 * The preflight's second half, on the host once Docker runs (hosts/preflight.ts is the first):
 * what only Docker can tell. `docker info` must report MemoryLimit (unless the user allowed
 * running without), and the engine's own check (its image must start there) must pass. Fails
 * with the same messages as the preflight; prints what it found otherwise.
 */
export function dockerCheckScript(
    hostName: string,
    engineCheck: EngineHostCheck | undefined,
    allowNoMemoryLimit: boolean,
    cpuLimit = false,
): string {
    const memcg = memoryCgroupOffMessage(hostName, "docker info MemoryLimit=$ml");
    const cfs = cpuQuotaOffMessage(hostName, "docker info CpuCfsQuota=$cq");
    return [
        "set -u",
        SUDO_UNLESS_ROOT,
        "failed=0",
        "ml=$($SUDO docker info --format '{{.MemoryLimit}}' 2>/dev/null)",
        // Inside double quotes on purpose: the message's $ml expands on the host; it holds no other $, ` or ".
        `if [ "$ml" != "true" ] && [ ${allowNoMemoryLimit ? "1" : "0"} -eq 0 ]; then echo "${memcg}" >&2; failed=1; fi`,
        // Only where a CPU limit is asked for: a stack without one runs the same script as before.
        ...(cpuLimit
            ? [
                  "cq=$($SUDO docker info --format '{{.CPUCfsQuota}}' 2>/dev/null)",
                  `if [ "$cq" != "true" ]; then echo "${cfs}" >&2; failed=1; fi`,
              ]
            : []),
        ...(engineCheck ? engineCheck.lines(hostName) : ['echo "docker MemoryLimit=$ml"']),
        'exit "$failed"',
    ].join("\n");
}

/** A host's Docker engine as `docker -H` takes it (no credentials in it). */
export function dockerHostOf(host: HostSpec, access: HostAccess): string {
    return access.kind === "local"
        ? access.dockerHost
        : `ssh://${access.user}@${urlHost(host.address)}:${host.sshPort}`;
}

/** How the command provider logs in to an ssh host: the recorded host key when there is one. */
function sshConnection(
    host: HostSpec,
    access: Extract<HostAccess, { kind: "ssh" }>,
): command.types.input.remote.ConnectionArgs {
    return {
        host: host.address,
        port: host.sshPort,
        user: access.user,
        privateKey: access.privateKey,
        ...(host.hostKey ? { hostKey: host.hostKey } : {}),
        dialErrorLimit: 10,
    };
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
    /** What only Docker can tell (ssh hosts only). */
    public readonly dockerCheck?: command.remote.Command;
    /** What every container on the host waits for (dependsOn: ordering only, so a new check never replaces a container). */
    public readonly ready: pulumi.Resource[];

    constructor(name: string, args: DockerHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:DockerHost", name, {}, opts);
        this.name = args.host.name;
        this.address = args.host.address;
        const { access, host } = args;

        this.dockerHost = dockerHostOf(host, access);
        if (access.kind === "local") {
            this.provider = new docker.Provider(`${name}-engine`, { host: access.dockerHost }, { parent: this });
        } else {
            this.dockerInstall = new command.remote.Command(
                `${name}-install-docker`,
                {
                    connection: sshConnection(host, access),
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
                        "-i",
                        k,
                        "-o",
                        "IdentitiesOnly=yes",
                        "-o",
                        "BatchMode=yes",
                        "-o",
                        `UserKnownHostsFile=${knownHosts}`,
                        // A recorded host key is enforced; without one the first key seen is kept.
                        "-o",
                        `StrictHostKeyChecking=${host.hostKey ? "yes" : "accept-new"}`,
                    ]),
                },
                { parent: this, dependsOn: [this.dockerInstall] },
            );
        }

        const images = new Map<string, docker.RemoteImage>();
        for (const ref of [...new Set(args.images)]) {
            images.set(
                ref,
                new docker.RemoteImage(
                    `${name}-image-${imageSlug(ref)}`,
                    { name: ref, keepLocally: true },
                    { parent: this, provider: this.provider },
                ),
            );
        }
        if (access.kind === "ssh" && this.dockerInstall) {
            const checked = args.engineCheck ? images.get(args.engineCheck.image) : undefined;
            this.dockerCheck = new command.remote.Command(
                `${name}-docker-check`,
                {
                    connection: sshConnection(host, access),
                    create: dockerCheckScript(
                        host.name,
                        args.engineCheck,
                        args.allowNoMemoryLimit === true,
                        args.cpuLimit === true,
                    ),
                    // Re-run when what it checks changes, never on its own: a second preview shows nothing.
                    triggers: [
                        args.engineCheck?.image ?? "",
                        args.allowNoMemoryLimit === true,
                        ...(args.cpuLimit ? ["cpu-limit"] : []),
                    ],
                },
                { parent: this, dependsOn: [this.dockerInstall, ...(checked ? [checked] : [])] },
            );
        }
        this.ready = this.dockerCheck ? [this.dockerCheck] : [];
        this.imageIds = Object.fromEntries([...images].map(([ref, image]) => [ref, image.imageId]));

        this.registerOutputs({ name: this.name, address: this.address, imageIds: this.imageIds });
    }
}

/** A resource-name-safe form of an image reference (`apache/kafka:4.1.1` -> `apache-kafka-4-1-1`). */
export function imageSlug(ref: string): string {
    return ref
        .replace(/^[^/]*\.[^/]*\//, "")
        .replace(/[^A-Za-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .toLowerCase();
}
