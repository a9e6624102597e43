// What an interrupted `up` leaves behind, and what the next one repairs by itself. The decisions
// are pure (tested on recorded lock files, state and `docker ps` output); deploy.ts acts on them.
//
// Ctrl-C: the Pulumi CLI is the deploy script's child in the same process group, so a terminal's
// Ctrl-C reaches it too, and it cancels gracefully (in-flight steps end, the state is written:
// "^C received; cancelling", backend/cancellation_scope.go). The script must only stay alive
// meanwhile: the program runs inline in it, and its death killed the engine's steps mid-way. A
// SIGINT sent to the script alone (kill -INT, npm forwarding it) is passed on once; a second one
// terminates the CLI at once.

/** How long a first interrupt waits for the CLI's own notice before passing the signal on. */
export const INTERRUPT_FORWARD_GRACE_MS = 2_000;

/** What to do on the n-th interrupt, given whether the CLI has already announced it is cancelling. */
export function onInterrupt(count: number, cliCancelling: boolean): { forward: boolean; say: string } {
    if (count === 1) {
        return {
            forward: !cliCancelling,
            say: "interrupted: the engine finishes the steps in flight, writes the state and stops (Ctrl-C again to terminate at once, which can leave containers behind; the next 'npm run up' removes those)",
        };
    }
    return { forward: true, say: "terminating the engine now" };
}

/**
 * Every process below `pid`, deepest first, from `ps -A -o pid=,ppid=`: on a second interrupt
 * the CLI is terminated with its resource plugins, which are its children and were left running
 * when only the CLI was stopped (and then reparented, out of reach of any later cleanup).
 */
export function descendantsOf(pid: number, ps: string): number[] {
    const children = new Map<number, number[]>();
    for (const line of ps.split("\n")) {
        const [p, pp] = line.trim().split(/\s+/).map(Number);
        if (!Number.isInteger(p) || !Number.isInteger(pp)) continue;
        children.set(pp, [...(children.get(pp) ?? []), p]);
    }
    const out: number[] = [];
    const walk = (p: number) => {
        for (const c of children.get(p) ?? []) {
            walk(c);
            out.push(c);
        }
    };
    walk(pid);
    return out;
}

/** The CLI's own words when it got the interrupt itself. */
export const CLI_CANCELLING = /(\^C|SIGINT|SIGTERM) received; cancelling/;

/** A Pulumi file backend's lock (backend/diy/lock.go lockContent). */
export interface LockFile {
    path: string;
    pid: number;
    username: string;
    hostname: string;
    timestamp: string;
}

/**
 * Which locks of the stack are stale: taken on this host by a process that no longer runs (an
 * interrupted or killed `up`). Those are removed; any other lock may belong to a run still going
 * (another host, a live process), and the user decides.
 */
export function staleLocks(
    locks: LockFile[],
    hostname: string,
    alive: (pid: number) => boolean,
): { remove: LockFile[]; blocking: string[] } {
    const remove = locks.filter((l) => l.hostname === hostname && !alive(l.pid));
    const blocking = locks
        .filter((l) => !remove.includes(l))
        .map(
            (l) =>
                `locked by ${l.username}@${l.hostname} (pid ${l.pid}) since ${l.timestamp}${l.hostname === hostname ? ", still running: wait for it to end" : ": if that run is gone, remove the lock with 'pulumi cancel --stack <stack> --yes'"}`,
        );
    return { remove, blocking };
}

/** A pending operation in a stack's exported state (an operation begun and never finished). */
export interface PendingOperation {
    type: string;
    resource: { urn: string; type: string };
}

/**
 * Pending operations left by an interrupted update block every later one ("Attempting to deploy
 * or update resources with N pending operations"). Pending creates are cleared by a refresh with
 * clearPendingCreates (what was created half-way is then an orphan: the containers among them are
 * found by their IDs below); the other pending operations are settled by refreshing the resources
 * they touched. Only those: a refresh of the whole stack reads every topic from Kafka, and failed
 * ("client has run out of available brokers") when the interrupt had left Kafka down, so the `up`
 * that would bring it back could not start. With nothing but pending creates, the stack resource
 * alone is the target (the refresh then only clears them).
 */
export function pendingRecovery(deployment: {
    pending_operations?: PendingOperation[];
    resources?: { urn: string; type: string }[];
}): { refresh: boolean; say: string | null; targets: string[] } {
    const ops = deployment.pending_operations ?? [];
    if (ops.length === 0) return { refresh: false, say: null, targets: [] };
    const byType = new Map<string, number>();
    for (const op of ops) byType.set(op.type, (byType.get(op.type) ?? 0) + 1);
    const what = [...byType].map(([t, n]) => `${n} ${t}`).join(", ");
    const inState = new Set((deployment.resources ?? []).map((r) => r.urn));
    const touched = [
        ...new Set(
            ops.filter((op) => op.type !== "creating" && inState.has(op.resource.urn)).map((op) => op.resource.urn),
        ),
    ].sort();
    const stackUrn = (deployment.resources ?? []).find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
    const targets = touched.length ? touched : stackUrn ? [stackUrn] : [];
    return {
        refresh: true,
        say: `the last update was interrupted with ${ops.length} operation(s) pending (${what}): refreshing ${touched.length ? `the ${touched.length} resource(s) they touched` : "nothing but the state's record"} and clearing the pending creates first`,
        targets,
    };
}

/**
 * Containers that carry the stack's ownership label but are not in its state: created by an `up`
 * that was interrupted before it could record them, they block the next create of the same name
 * ("Conflict. The container name ... is already in use"). Compared by container ID, not name: an
 * interrupted replacement leaves the new container on the host while the state still holds the old
 * one under the same name, and a comparison by name kept the new one, so every later `up` failed
 * on the name. They hold no data (that is on the volumes, which are left alone), so they are
 * removed. `ps` is `docker ps -a --no-trunc --filter label=arroyo-pi.stack=<stack> --format
 * '{{.ID}} {{.Names}}'` of one engine.
 */
export function orphanContainers(ps: string, inState: Set<string>): { id: string; name: string }[] {
    return ps
        .split("\n")
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => {
            const [id, name = ""] = l.split(/\s+/, 2);
            return { id, name };
        })
        .filter((c) => !inState.has(c.id));
}

/** Container IDs a stack's state holds (docker:index/container:Container resources' ids). */
export function containersInState(deployment: { resources?: { type: string; id?: string }[] }): Set<string> {
    return new Set(
        (deployment.resources ?? [])
            .filter((r) => r.type === "docker:index/container:Container")
            .map((r) => r.id ?? "")
            .filter(Boolean),
    );
}

/**
 * An engine error as the user should read it: every address of a configured host followed by the
 * host's name, and for the failures a host causes, what to do. The providers report addresses
 * ("dial tcp 192.168.2.71:22: i/o timeout", "unable to pull image ... registry-1.docker.io").
 */
export function nameHosts(message: string, hosts: { name: string; address: string }[]): string {
    // Line by line: a line that already names the host (the preflight's, "cannot log in to b1pc11
    // (user@192.0.2.71:22)") is left as it is, so a host is named once.
    const out = message
        .split("\n")
        .map((line) => {
            let named = line;
            for (const h of hosts) {
                if (new RegExp(`(?<![\\w-])${h.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`).test(line))
                    continue;
                const escaped = h.address.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
                // Not inside a longer address (192.168.2.7 in 192.168.2.70), a port kept with it, named once.
                named = named.replace(
                    new RegExp(`(?<![\\w.@])(\\[?${escaped}\\]?(?::\\d+)?)(?![\\w-]|\\.\\d)(?! \\(host )`, "g"),
                    `$1 (host ${h.name})`,
                );
            }
            return named;
        })
        .join("\n");
    const hints: string[] = [];
    if (/dial tcp [^:]+:\d+: (i\/o timeout|connect: connection refused|connect: no route to host)/.test(message)) {
        hints.push(
            "a host did not answer over SSH: check that it is up and reachable from here (the preflight names it before anything changes: run the same command again)",
        );
    }
    const pullFailed = /unable to pull image|pull access denied|Get "https:\/\/[^"]*\/v2\//i.test(message);
    if (pullFailed) {
        hints.push(
            "a host could not pull an image (no registry reachable from it?): load it onto the host from a machine that has it, e.g. 'docker save <image> | ssh <user>@<host> docker load', then run again",
        );
    }
    return hints.length ? `${out}\n${hints.map((h) => `hint: ${h}`).join("\n")}` : out;
}
