import * as pulumi from "@pulumi/pulumi";
import { loadValidatedConfig, withSecrets } from "../config/load";
import { preflightHosts } from "../hosts/demand";
import { HostFacts } from "../hosts/facts";
import { preflight, PreflightError, PreflightResult } from "../hosts/preflight";
import { ArroyoCluster } from "./cluster";
import { ClusterOutputs } from "./outputs";

export interface ProgramDeps {
    /** Reads the hosts' facts over SSH (hosts/preflight.ts); tests on Pulumi's mocks give a recording instead, and dial nothing. */
    preflight?: typeof preflight;
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
        if (results.some((r) => r.problems.length > 0)) throw new pulumi.RunError(new PreflightError(results).message);
    }
    const hostFacts = Object.fromEntries(results.filter((r) => r.facts).map((r) => [r.name, r.facts as HostFacts]));
    return new ArroyoCluster("arroyo", { config: withSecrets(validated), hostFacts }).outputs;
}
