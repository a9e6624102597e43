import { execFile } from "child_process";
import { promisify } from "util";
import { PROJECT } from "../../config/defaults";
import { ClusterOutputs } from "../../stacks/outputs";

export interface ContainerSample {
    container: string;
    host: string;
    /** CPU in cores (Docker's CPU% / 100). */
    cpuCores: number;
    memoryBytes: number;
}

export interface HostSample {
    /** ms since the epoch */
    time: number;
    host: string;
    cpuCores: number;
    memoryBytes: number;
    containers: ContainerSample[];
}

export type DockerRunner = (dockerHost: string, args: string[]) => Promise<string>;

export const dockerCli: DockerRunner = async (dockerHost, args) =>
    (await promisify(execFile)("docker", ["-H", dockerHost, ...args], { timeout: 30_000 })).stdout;

const UNITS: Record<string, number> = {
    B: 1,
    KB: 1e3,
    MB: 1e6,
    GB: 1e9,
    TB: 1e12,
    KIB: 1024,
    MIB: 1024 ** 2,
    GIB: 1024 ** 3,
    TIB: 1024 ** 4,
};

/** Parses Docker's human sizes ("512.3MiB", "1.2GB", "0B"). */
export function parseSize(text: string): number {
    const m = /^\s*([\d.]+)\s*([A-Za-z]+)\s*$/.exec(text);
    if (!m) throw new Error(`cannot read a size from '${text}'`);
    const unit = UNITS[m[2].toUpperCase()];
    if (unit === undefined) throw new Error(`unknown size unit in '${text}'`);
    return Number(m[1]) * unit;
}

/** Parses one `docker stats --format '{{json .}}'` line. */
export function parseStatsLine(line: string): { name: string; cpuCores: number; memoryBytes: number } {
    const s = JSON.parse(line) as { Name: string; CPUPerc: string; MemUsage: string };
    const cpu = Number(s.CPUPerc.replace("%", ""));
    if (!Number.isFinite(cpu)) throw new Error(`cannot read CPU from '${s.CPUPerc}'`);
    return { name: s.Name, cpuCores: cpu / 100, memoryBytes: parseSize(s.MemUsage.split("/")[0]) };
}

/**
 * Which configured host a container of the stack belongs to. An engine that only one host has
 * (each Pi its own) says it; on an engine the hosts share (the local target) the name does: a
 * worker's containers end with its name (`-arroyo-node-<worker>`, `-flink-taskmanager-<worker>`),
 * everything else runs on the controller, the host with Kafka. Knowing Arroyo's names only, this
 * put every TaskManager on no host (0 cores, 0 MiB) and, on the Pis, every figure on a host
 * named "controller" that does not exist.
 */
export function hostOfContainer(outputs: ClusterOutputs, containerName: string, engine?: string): string {
    const onEngine = engine === undefined ? [] : outputs.hosts.filter((h) => h.dockerHost === engine);
    if (onEngine.length === 1) return onEngine[0].name;
    const byName = [...outputs.hosts]
        .sort((a, b) => b.name.length - a.name.length)
        .find((h) => containerName.endsWith(`-${h.name}`) && !h.roles.includes("kafka"));
    if (byName) return byName.name;
    return (outputs.hosts.find((h) => h.roles.includes("kafka")) ?? outputs.hosts[0]).name;
}

/** Samples CPU and memory of the stack's containers on every host's Docker engine. */
export async function sampleHosts(outputs: ClusterOutputs, run: DockerRunner = dockerCli): Promise<HostSample[]> {
    const time = Date.now();
    const engines = [...new Set(outputs.hosts.map((h) => h.dockerHost))];
    const containers: ContainerSample[] = [];
    await Promise.all(
        engines.map(async (engine) => {
            const ids = (await run(engine, ["ps", "-q", "--filter", `label=${PROJECT}.stack=${outputs.stack}`]))
                .split("\n")
                .filter(Boolean);
            if (ids.length === 0) return;
            const lines = (await run(engine, ["stats", "--no-stream", "--format", "{{json .}}", ...ids]))
                .split("\n")
                .filter(Boolean);
            for (const line of lines) {
                const s = parseStatsLine(line);
                containers.push({
                    container: s.name,
                    host: hostOfContainer(outputs, s.name, engine),
                    cpuCores: s.cpuCores,
                    memoryBytes: s.memoryBytes,
                });
            }
        }),
    );
    return outputs.hosts.map((h) => {
        const mine = containers.filter((c) => c.host === h.name);
        return {
            time,
            host: h.name,
            cpuCores: mine.reduce((s, c) => s + c.cpuCores, 0),
            memoryBytes: mine.reduce((s, c) => s + c.memoryBytes, 0),
            containers: mine,
        };
    });
}
