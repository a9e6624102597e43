import * as pulumi from "@pulumi/pulumi";
import { loadValidatedConfig, withSecrets } from "../config/load";
import { preflightHosts } from "../hosts/demand";
import { HostFacts } from "../hosts/facts";
import { preflight, PreflightError, PreflightResult, readLocalRetainedBuckets } from "../hosts/preflight";
import { minioVolumeName } from "../components/objectStore";
import { needsAny, tuneHosts, tuningLeft, tuningNeeds } from "../hosts/tuning";
import { ArroyoCluster } from "./cluster";
import { ClusterOutputs } from "./outputs";

export interface ProgramDeps {
    /** Reads the hosts' facts over SSH (hosts/preflight.ts); tests on Pulumi's mocks give a recording instead, and dial nothing. */
    preflight?: typeof preflight;
    /** Tunes and reboots hosts (hosts/tuning.ts), with piTuning; likewise replaced on the mocks. */
    tune?: typeof tuneHosts;
    /** Lists the local target's retained MinIO volume (hosts/preflight.ts); replaced on the mocks, which touch nothing. */
    localBuckets?: typeof readLocalRetainedBuckets;
}

/**
 * The whole Pulumi program: read and validate the stack's config, check every host (ssh target),
 * build the cluster, return its outputs. A config problem, or a host that would fail, throws
 * before any resource is declared, so nothing is touched anywhere. `index.ts` runs it for the
 * CLI; the Automation API runs it inline.
 */
export async function clusterProgram(deps: ProgramDeps = {}): Promise<ClusterOutputs> {
    const validated = loadValidatedConfig();
    const hosts = preflightHosts(validated);
    let results: PreflightResult[] = [];
    if (hosts.length > 0) {
        results = await (deps.preflight ?? preflight)(hosts, validated.ssh!.privateKey);
        if (validated.piTuning) {
            // The hosts that can be fixed by tuning are tuned, rebooted and read again; then judged.
            const needs = new Map(results.filter((r) => r.facts && needsAny(tuningNeeds(r.facts))).map((r) => [r.name, tuningNeeds(r.facts as HostFacts)]));
            if (needs.size > 0) {
                const tuned = await (deps.tune ?? tuneHosts)(hosts.filter((h) => needs.has(h.name)), validated.ssh!.privateKey, needs, (line) => pulumi.log.info(line));
                results = results.map((r) => {
                    const t = tuned.find((x) => x.name === r.name);
                    return t ? { ...t, problems: [...t.problems, ...(t.facts ? tuningLeft(t.name, t.facts) : [])] } : r;
                });
            }
        }
        if (results.some((r) => r.problems.length > 0)) throw new pulumi.RunError(new PreflightError(results).message);
    }
    const hostFacts = Object.fromEntries(results.filter((r) => r.facts).map((r) => [r.name, r.facts as HostFacts]));
    if (validated.target === "local") {
        // The same adoption of retained buckets as on the ssh target, read from this machine's engine.
        const retained = await (deps.localBuckets ?? readLocalRetainedBuckets)(minioVolumeName(validated.stack), validated.localDockerHost);
        return new ArroyoCluster("arroyo", { config: withSecrets(validated), localRetainedBuckets: retained ?? undefined }).outputs;
    }
    return new ArroyoCluster("arroyo", { config: withSecrets(validated), hostFacts }).outputs;
}
