// What each host of the ssh target is asked to run, for the preflight's memory check, and the
// hosts as the preflight reaches them. From the validated config, with the credentials in plain
// text: this runs before they are wrapped as secrets and never stores them.
import { ValidatedConfig } from "../config/schema";
import { engineDeployment } from "../components/engines";
import { DEFAULT_ENGINE } from "../config/defaults";
import { minioVolumeName } from "../components/objectStore";
import { HostDemand } from "./facts";
import { PreflightHost } from "./preflight";

/**
 * What the controller host's shared services take, as planned: Kafka's JVM beyond its heap, and
 * MinIO; the engine's controller part adds its own (EngineDeployment.controllerMemoryMb), each
 * worker its part's limit. Estimates for the check, not measurements.
 */
export const CONTROLLER_OVERHEAD_MB = { kafkaNonHeap: 256, minio: 256 } as const;

export function hostDemands(
    config: Pick<ValidatedConfig, "controller" | "workers" | "kafka" | "cluster" | "hosts"> & {
        engine?: ValidatedConfig["engine"];
    },
): HostDemand[] {
    const byName = new Map<string, HostDemand>();
    const add = (name: string, role: "controller" | "worker", memoryMb: number) => {
        const d = byName.get(name) ?? {
            name,
            roles: [],
            memoryMb: 0,
            allowNoMemoryLimit: config.hosts.allowNoMemoryLimit,
        };
        d.roles.push(role);
        d.memoryMb += memoryMb;
        byName.set(name, d);
    };
    const o = CONTROLLER_OVERHEAD_MB;
    const engine = engineDeployment(config.engine ?? DEFAULT_ENGINE);
    add(
        config.controller.name,
        "controller",
        config.kafka.heapMb + o.kafkaNonHeap + o.minio + engine.controllerMemoryMb,
    );
    for (const w of config.workers)
        add(w.name, "worker", engine.workerMemoryMb(w.taskSlots, config.cluster.memoryPerSlotMb));
    return [...byName.values()];
}

/** The ssh target's hosts with their recorded host keys and demands; empty for the local target. */
export function preflightHosts(config: ValidatedConfig): PreflightHost[] {
    if (config.target !== "ssh" || !config.ssh) return [];
    const demands = new Map(hostDemands(config).map((d) => [d.name, d]));
    const seen = new Set<string>();
    return [config.controller, ...config.workers]
        .filter((h) => (seen.has(h.name) ? false : seen.add(h.name)))
        .map((h) => ({
            name: h.name,
            address: h.address,
            port: h.sshPort,
            user: config.ssh!.user,
            ...(h.hostKey ? { recordedHostKey: h.hostKey } : {}),
            demand: demands.get(h.name)!,
            stack: config.stack,
            // The name ObjectStore gives MinIO's volume: a retained one's buckets are adopted.
            ...(h.name === config.controller.name ? { minioVolume: minioVolumeName(config.stack) } : {}),
        }));
}
