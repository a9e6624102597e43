import * as pulumi from "@pulumi/pulumi";
import { loadValidatedConfig, withSecrets } from "../config/load";
import { ConfigOverrides } from "../config/overrides";
import { ValidatedConfig } from "../config/schema";
import { preflightHosts } from "../hosts/demand";
import { HostFacts } from "../hosts/facts";
import { preflight, PreflightError, PreflightResult, readLocalRetainedBuckets } from "../hosts/preflight";
import { minioVolumeName } from "../components/objectStore";
import { needsAny, tuneHosts, tuningLeft, tuningNeeds } from "../hosts/tuning";
import { Cluster } from "./cluster";
import { ClusterOutputs } from "./outputs";

export interface ProgramDeps {
    /** Reads the hosts' facts over SSH (hosts/preflight.ts); tests on Pulumi's mocks give a recording instead, and dial nothing. */
    preflight?: typeof preflight;
    /** Tunes and reboots hosts (hosts/tuning.ts), with piTuning; likewise replaced on the mocks. */
    tune?: typeof tuneHosts;
    /** Lists the local target's retained MinIO volume (hosts/preflight.ts); replaced on the mocks, which touch nothing. */
    localBuckets?: typeof readLocalRetainedBuckets;
    /** The hosts' check when the caller already ran it (scripts/deploy.ts, before the engine starts): not run again. */
    checkedHosts?: PreflightResult[];
    /**
     * Images the caller had built in place of defaults no registry serves on this machine
     * (scripts/localImages.ts, the local target only), keyed as the `images` config key is.
     */
    images?: Partial<ValidatedConfig["images"]>;
    /** Another engine or the first N workers for this deployment (`--engine`, `--workers`), the stack's config file unchanged. */
    overrides?: ConfigOverrides;
}

/**
 * Every host of the ssh target read at once (hosts/preflight.ts); with piTuning, the hosts tuning
 * can fix are tuned, rebooted and read again. Throws a PreflightError naming every problem left;
 * none of it changes anything the cluster runs. Empty for the local target.
 */
export async function checkHosts(
    validated: ValidatedConfig,
    deps: Pick<ProgramDeps, "preflight" | "tune">,
    log: (line: string) => void,
): Promise<PreflightResult[]> {
    const hosts = preflightHosts(validated);
    if (hosts.length === 0) return [];
    let results = await (deps.preflight ?? preflight)(hosts, validated.ssh!.privateKey);
    if (validated.piTuning) {
        const needs = new Map(
            results
                .filter((r) => r.facts && needsAny(tuningNeeds(r.facts)))
                .map((r) => [r.name, tuningNeeds(r.facts as HostFacts)]),
        );
        if (needs.size > 0) {
            const tuned = await (deps.tune ?? tuneHosts)(
                hosts.filter((h) => needs.has(h.name)),
                validated.ssh!.privateKey,
                needs,
                log,
            );
            results = results.map((r) => {
                const t = tuned.find((x) => x.name === r.name);
                return t ? { ...t, problems: [...t.problems, ...(t.facts ? tuningLeft(t.name, t.facts) : [])] } : r;
            });
        }
    }
    if (results.some((r) => r.problems.length > 0)) throw new PreflightError(results);
    return results;
}

/**
 * The whole Pulumi program: read and validate the stack's config, check every host (ssh target),
 * build the cluster, return its outputs. A config problem, or a host that would fail, throws
 * before any resource is declared, so nothing is touched anywhere. `index.ts` runs it for the
 * CLI; the Automation API runs it inline.
 */
export async function clusterProgram(deps: ProgramDeps = {}): Promise<ClusterOutputs> {
    const loaded = loadValidatedConfig(deps.overrides);
    const validated = deps.images ? { ...loaded, images: { ...loaded.images, ...deps.images } } : loaded;
    const results =
        deps.checkedHosts ??
        (await checkHosts(validated, deps, (line) => pulumi.log.info(line)).catch((e: Error) => {
            throw e instanceof PreflightError ? new pulumi.RunError(e.message) : e;
        }));
    const hostFacts = Object.fromEntries(results.filter((r) => r.facts).map((r) => [r.name, r.facts as HostFacts]));
    if (validated.target === "local") {
        // The same adoption of retained buckets as on the ssh target, read from this machine's engine.
        const retained = await (deps.localBuckets ?? readLocalRetainedBuckets)(
            minioVolumeName(validated.stack),
            validated.localDockerHost,
        );
        return new Cluster("cluster", { config: withSecrets(validated), localRetainedBuckets: retained ?? undefined })
            .outputs;
    }
    return new Cluster("cluster", { config: withSecrets(validated), hostFacts }).outputs;
}
