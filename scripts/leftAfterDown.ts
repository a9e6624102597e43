// What `down` leaves on purpose, said at its end with the command that removes each: the images
// (kept on every host so a next `up` does not pull them again over a Pi's link), the volumes of a
// stack that retains its data, and the operator key and host keys the deployer derived from the
// stack's secrets for `ssh`. Pure: from the state as it was before the destroy.
import { shellQuote } from "../lib/shell";

interface StateResource {
    type: string;
    urn: string;
    inputs?: Record<string, unknown>;
    retainOnDelete?: boolean;
}

/** The role key of an image's host from its resource name: "controller-host-image-..." or "worker-<name>-host-image-...". */
function roleOfImage(name: string): string {
    const i = name.indexOf("-host-image-");
    if (i <= 0) return "";
    const role = name.slice(0, i);
    return role === "controller" ? "controller" : role.replace(/^worker-/, "");
}

/** `hosts`: by role key ("controller", or a worker's name), the host's name and Docker engine address. */
export function leftAfterDown(
    state: { resources?: StateResource[] },
    opts: { hosts: Record<string, { name: string; dockerHost: string }>; sshDir?: string },
): string[] {
    const resources = state.resources ?? [];
    const byHost = new Map<string, Set<string>>();
    for (const r of resources.filter((x) => x.type === "docker:index/remoteImage:RemoteImage")) {
        const name = r.urn.slice(r.urn.lastIndexOf("::") + 2);
        const host = roleOfImage(name);
        const image = String(r.inputs?.name ?? "");
        if (!image) continue;
        byHost.set(host, (byHost.get(host) ?? new Set()).add(image));
    }
    const lines: string[] = [];
    // One line per engine: the local target's hosts share this machine's.
    const byEngine = new Map<string, { names: string[]; images: Set<string> }>();
    for (const [role, images] of [...byHost].sort()) {
        const h = opts.hosts[role] ?? { name: role || "a host", dockerHost: "" };
        const e = byEngine.get(h.dockerHost) ?? { names: [], images: new Set<string>() };
        e.names.push(h.name);
        for (const i of images) e.images.add(i);
        byEngine.set(h.dockerHost, e);
    }
    for (const [engine, e] of byEngine) {
        const docker = engine.startsWith("ssh://") ? `docker -H ${engine}` : "docker";
        const where = engine.startsWith("ssh://") ? e.names.join(", ") : "this machine's Docker engine";
        lines.push(
            `left on ${where}: the images (kept so that the next up does not pull them again); remove with: ${docker} image rm ${[...e.images].sort().map(shellQuote).join(" ")}`,
        );
    }
    const kept = resources
        .filter((r) => r.type === "docker:index/volume:Volume" && r.retainOnDelete)
        .map((r) => String(r.inputs?.name ?? ""))
        .filter(Boolean);
    if (kept.length)
        lines.push(
            `left: the data volumes ${kept.sort().join(", ")} (retainData: true; the next up adopts them); to delete them, set retainData false, run up, then down`,
        );
    if (opts.sshDir)
        lines.push(
            `left on this machine: the operator key and host keys derived from the stack's secrets for ssh, in ${opts.sshDir}; remove with: rm -rf ${shellQuote(opts.sshDir)}`,
        );
    return lines;
}
