// The preflight: before anything is changed anywhere, log in to every host at once with the
// recorded host key (as ssh:bootstrap does), read its facts (facts.ts) and say what would fail.
// A changed host key is refused with both fingerprints, a host that does not answer is named
// within seconds: the command provider would retry a refused key ten times and an unreachable
// host takes minutes to fail with an address, not a name.
import { BootstrapTarget, connect, HostKeyChangedError, run } from "../ssh/bootstrap";
import { execFile } from "child_process";
import {
    factsScript,
    HostDemand,
    HostFacts,
    hostProblems,
    parseFacts,
    parseRetainedBuckets,
    retainedBucketLines,
} from "./facts";

export interface PreflightHost extends BootstrapTarget {
    demand: HostDemand;
    /** The controller's MinIO data volume: the buckets a retained one holds are read too. */
    minioVolume?: string;
}

export interface PreflightResult {
    name: string;
    facts: HostFacts | null;
    problems: string[];
}

/** Logs in to one host and reads its facts; never throws: a failure is the host's problem. */
export async function readHost(host: PreflightHost, privateKey: string, timeoutMs: number): Promise<PreflightResult> {
    const deadline = new Promise<never>((_, reject) =>
        setTimeout(
            () =>
                reject(
                    new Error(
                        `${host.name} (${host.address}:${host.port}) did not answer within ${Math.round(timeoutMs / 1000)} s: check that it is up and that port ${host.port} is reachable from here`,
                    ),
                ),
            timeoutMs,
        ).unref(),
    );
    try {
        const session = await Promise.race([connect(host, { privateKey }, timeoutMs), deadline]);
        try {
            const r = await Promise.race([
                run(session.client, factsScript(host.minioVolume ? { minioVolume: host.minioVolume } : {})),
                deadline,
            ]);
            if (r.code !== 0)
                return {
                    name: host.name,
                    facts: null,
                    problems: [`${host.name}: reading its facts failed (exit ${r.code}): ${r.stderr.trim()}`],
                };
            const facts = parseFacts(r.stdout);
            return { name: host.name, facts, problems: hostProblems(facts, host.demand) };
        } finally {
            session.client.end();
        }
    } catch (err) {
        const e = err as Error;
        // Every message names the host: the connection's and the time-out's already do.
        const said =
            e instanceof HostKeyChangedError || e.message.includes(host.name)
                ? e.message
                : `${host.name}: ${e.message}`;
        return {
            name: host.name,
            facts: null,
            problems: [
                /All configured authentication methods failed/.test(e.message)
                    ? `${said}: the operator key is not authorised there yet (a new host?): run 'npm run ssh:bootstrap -- --stack ${host.stack ?? "<stack>"} --password-env <VAR>' first (docs/pis.md, "Adding a worker")`
                    : said,
            ],
        };
    }
}

/** Every host at once; the results in the order given. */
export function preflight(hosts: PreflightHost[], privateKey: string, timeoutMs = 8_000): Promise<PreflightResult[]> {
    return Promise.all(hosts.map((h) => readHost(h, privateKey, timeoutMs)));
}

/** Thrown when any host would fail: one line per problem, each naming its host. */
export class PreflightError extends Error {
    constructor(readonly results: PreflightResult[]) {
        const problems = results.flatMap((r) => r.problems);
        super(
            `Preflight refused ${problems.length === 1 ? "a host" : `${problems.length} problems`}; nothing was changed on any host:\n  ${problems.join("\n  ")}`,
        );
        this.name = "PreflightError";
    }
}

/**
 * The local target's counterpart of the controller's retained-bucket facts: the same lines run on
 * this machine, against its Docker engine. Without it a local `destroy` with retainData, then `up`,
 * failed with "bucket already exists!" (the provider refuses to create a bucket that is there).
 */
export function readLocalRetainedBuckets(volume: string, dockerHost?: string): Promise<string[] | null> {
    const env = { ...process.env, ...(dockerHost ? { DOCKER_HOST: dockerHost } : {}) };
    return new Promise((resolve, reject) =>
        execFile(
            "sh",
            ["-c", [...retainedBucketLines(volume), "exit 0"].join("\n")],
            { env, timeout: 30_000 },
            (err, stdout, stderr) => {
                if (err)
                    return reject(
                        new Error(
                            `listing the retained MinIO volume ${volume} on this machine failed: ${stderr.trim() || err.message}`,
                        ),
                    );
                resolve(parseRetainedBuckets(stdout) ?? null);
            },
        ),
    );
}
