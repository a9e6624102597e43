// What a host is, as the preflight reads it over SSH before anything is changed there, and what
// would fail on it. Raspberry Pi OS differs from "a Linux host with SSH" in ways that break the
// cluster's promises (DESIGN §10): memory limits Docker accepts and does not enforce, a 16 KiB-page
// kernel on which Arroyo's jemalloc aborts, clocks that drift. One shell script gathers every
// fact in one round trip; the parser and the judgement are pure, so they are tested on captured
// outputs.
import { SUDO_UNLESS_ROOT } from "../lib/shell";

/**
 * Prints one `key=value` line per fact; a fact it cannot read is printed empty. POSIX sh, no root,
 * except to list a retained MinIO volume (sudo -n: the deploy user has passwordless sudo).
 */
export function factsScript(opts: { minioVolume?: string } = {}): string {
    return [...FACT_LINES, ...(opts.minioVolume ? retainedBucketLines(opts.minioVolume) : []), "exit 0"].join("\n");
}

/**
 * The buckets a retained MinIO data volume holds: MinIO keeps each bucket as a top-level directory
 * of its data path (beside its own .minio.sys). `pulumi destroy` with retainData keeps the volume,
 * and the next `up` must adopt these buckets rather than create them again (the minio provider
 * refuses a bucket that exists).
 */
export function retainedBucketLines(volume: string): string[] {
    return [
        SUDO_UNLESS_ROOT,
        // Where Docker keeps the volume (absent: no such volume, or no Docker yet).
        `mp=$($SUDO docker volume inspect --format '{{.Mountpoint}}' '${volume}' 2>/dev/null)`,
        `if [ -n "$mp" ]; then printf 'minio_volume=present\\nminio_buckets=%s\\n' "$($SUDO ls -A "$mp" 2>/dev/null | grep -v '^\\.' | tr '\\n' ' ')"; else printf 'minio_volume=absent\\n'; fi`,
    ];
}

/**
 * The retained buckets from those lines' output: the bucket names, null when there is no such
 * volume, undefined when the output says nothing of it.
 */
export function parseRetainedBuckets(output: string): string[] | null | undefined {
    const kv = keyValues(output);
    if (!kv.has("minio_volume")) return undefined;
    return kv.get("minio_volume") === "present" ? (kv.get("minio_buckets") ?? "").split(/\s+/).filter(Boolean) : null;
}

/** The firmware's throttle flags and the SoC's temperature: read by the preflight and, during runs, by the benchmark. */
export const THERMAL_LINES = [
    `printf 'throttled=%s\\n' "$(vcgencmd get_throttled 2>/dev/null)"`,
    `printf 'temp_millic=%s\\n' "$(cat /sys/class/thermal/thermal_zone0/temp 2>/dev/null)"`,
];

/** A script's `key=value` lines, values trimmed (a line without '=' is skipped). */
export function keyValues(output: string): Map<string, string> {
    const kv = new Map<string, string>();
    for (const line of output.split("\n")) {
        const i = line.indexOf("=");
        if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
    }
    return kv;
}

const FACT_LINES = [
    "set +e",
    // The model, NUL-terminated in the device tree (absent off ARM boards).
    `printf 'model=%s\\n' "$(cat /proc/device-tree/model 2>/dev/null | tr -d '\\0')"`,
    `printf 'arch=%s\\n' "$(uname -m)"`,
    `printf 'kernel=%s\\n' "$(uname -r)"`,
    `printf 'pagesize=%s\\n' "$(getconf PAGESIZE 2>/dev/null)"`,
    `printf 'memtotal_kb=%s\\n' "$(awk '/^MemTotal:/ {print $2}' /proc/meminfo 2>/dev/null)"`,
    // cgroup v2 lists its enabled controllers; v1's /proc/cgroups has an "enabled" column.
    `printf 'cgroup2_controllers=%s\\n' "$(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)"`,
    `printf 'cgroup1_memory_enabled=%s\\n' "$(awk '$1=="memory" {print $4}' /proc/cgroups 2>/dev/null)"`,
    `printf 'cmdline=%s\\n' "$(cat /proc/cmdline 2>/dev/null)"`,
    // Free space where Docker keeps the volumes (or the nearest directory that exists).
    `d=/var/lib/docker; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; printf 'disk_free_kb=%s\\n' "$(df -Pk "$d" 2>/dev/null | awk 'NR==2 {print $4}')"`,
    `printf 'ntp_synchronized=%s\\n' "$(timedatectl show -p NTPSynchronized --value 2>/dev/null)"`,
    `printf 'chrony_leap=%s\\n' "$(chronyc tracking 2>/dev/null | awk -F': *' '/^Leap status/ {print $2}')"`,
    // Docker's facts only where its daemon answers: a CLI without a daemon prints zero values (false).
    `if info=$(docker info --format '{{.ServerVersion}} {{.MemoryLimit}} {{.SwapLimit}}' 2>/dev/null); then set -- $info; else set -- "" "" ""; fi`,
    `printf 'docker_version=%s\\ndocker_memory_limit=%s\\ndocker_swap_limit=%s\\n' "$1" "$2" "$3"`,
    ...THERMAL_LINES,
];

export interface HostFacts {
    /** e.g. "Raspberry Pi 5 Model B Rev 1.0"; null off boards with a device tree. */
    model: string | null;
    arch: string;
    kernel: string;
    pageSizeBytes: number | null;
    memoryMb: number | null;
    /** Whether the kernel's memory cgroup is on: without it Docker accepts --memory and enforces nothing. */
    memoryCgroup: boolean;
    /** Free MB where Docker keeps its volumes. */
    diskFreeMb: number | null;
    /** true/false where timedatectl or chrony answered; null where neither is there. */
    clockSynchronized: boolean | null;
    /** The Docker engine's version; null before Docker is installed. */
    dockerVersion: string | null;
    /** `docker info` MemoryLimit / SwapLimit; null before Docker is installed. */
    dockerMemoryLimit: boolean | null;
    dockerSwapLimit: boolean | null;
    /** `vcgencmd get_throttled`, decoded; null where there is no vcgencmd. */
    throttled: ThrottleFlags | null;
    temperatureC: number | null;
    /** The buckets in the stack's retained MinIO volume (controller only); null where the volume does not exist or was not looked at. */
    retainedBuckets?: string[] | null;
}

/** The facts that describe a host's hardware and software, which change only when the host does. */
export type HardwareFacts = Pick<
    HostFacts,
    | "model"
    | "arch"
    | "kernel"
    | "pageSizeBytes"
    | "memoryMb"
    | "memoryCgroup"
    | "dockerVersion"
    | "dockerMemoryLimit"
    | "dockerSwapLimit"
>;

/**
 * What the stack exports of a host's facts: its hardware, not its state. Free disk, temperature,
 * throttling and clock sync differ at every read, and an exported value that differs makes every
 * preview of an unchanged cluster show a diff of outputs.
 */
export function hardwareFacts(f: HostFacts): HardwareFacts {
    const {
        model,
        arch,
        kernel,
        pageSizeBytes,
        memoryMb,
        memoryCgroup,
        dockerVersion,
        dockerMemoryLimit,
        dockerSwapLimit,
    } = f;
    return {
        model,
        arch,
        kernel,
        pageSizeBytes,
        memoryMb,
        memoryCgroup,
        dockerVersion,
        dockerMemoryLimit,
        dockerSwapLimit,
    };
}

export function parseFacts(output: string): HostFacts {
    const kv = keyValues(output);
    const text = (k: string) => (kv.get(k) ? (kv.get(k) as string) : null);
    const num = (k: string) => {
        const v = text(k);
        return v !== null && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : null;
    };
    // docker info prints true/false; timedatectl yes/no.
    const bool = (k: string) =>
        ["true", "yes"].includes(text(k) ?? "") ? true : ["false", "no"].includes(text(k) ?? "") ? false : null;
    const controllers = (text("cgroup2_controllers") ?? "").split(/\s+/);
    const ntp = bool("ntp_synchronized");
    const leap = text("chrony_leap");
    return {
        model: text("model"),
        arch: text("arch") ?? "unknown",
        kernel: text("kernel") ?? "unknown",
        pageSizeBytes: num("pagesize"),
        memoryMb: num("memtotal_kb") === null ? null : Math.floor((num("memtotal_kb") as number) / 1024),
        memoryCgroup: controllers.includes("memory") || text("cgroup1_memory_enabled") === "1",
        diskFreeMb: num("disk_free_kb") === null ? null : Math.floor((num("disk_free_kb") as number) / 1024),
        clockSynchronized: ntp ?? (leap === null ? null : leap === "Normal"),
        dockerVersion: text("docker_version"),
        dockerMemoryLimit: bool("docker_memory_limit"),
        dockerSwapLimit: bool("docker_swap_limit"),
        throttled: text("throttled") ? parseThrottled(text("throttled") as string) : null,
        temperatureC: num("temp_millic") === null ? null : (num("temp_millic") as number) / 1000,
        ...(kv.has("minio_volume") ? { retainedBuckets: parseRetainedBuckets(output) } : {}),
    };
}

/** `vcgencmd get_throttled` decoded (Raspberry Pi firmware: bits 0-3 now, 16-19 since boot). */
export interface ThrottleFlags {
    raw: number;
    underVoltage: boolean;
    armFrequencyCapped: boolean;
    throttled: boolean;
    softTemperatureLimit: boolean;
    underVoltageOccurred: boolean;
    armFrequencyCappedOccurred: boolean;
    throttledOccurred: boolean;
    softTemperatureLimitOccurred: boolean;
}

export function parseThrottled(text: string): ThrottleFlags {
    const m = /(?:throttled=)?(0x[0-9a-f]+|\d+)/i.exec(text.trim());
    if (!m) throw new Error(`cannot read 'vcgencmd get_throttled' output '${text}': expected throttled=0x...`);
    const raw = Number(m[1]);
    const bit = (b: number) => (raw & (1 << b)) !== 0;
    return {
        raw,
        underVoltage: bit(0),
        armFrequencyCapped: bit(1),
        throttled: bit(2),
        softTemperatureLimit: bit(3),
        underVoltageOccurred: bit(16),
        armFrequencyCappedOccurred: bit(17),
        throttledOccurred: bit(18),
        softTemperatureLimitOccurred: bit(19),
    };
}

/** Whether the clock was held below its speed now (capped, throttled, soft limit or under-voltage). */
export function limitedNow(f: ThrottleFlags): boolean {
    return f.underVoltage || f.armFrequencyCapped || f.throttled || f.softTemperatureLimit;
}

/** jemalloc's own words when it was built for smaller pages than the kernel's (tikv-jemallocator). */
export const JEMALLOC_PAGE_SIZE_ABORT = /<jemalloc>: Unsupported system page size/;

/** The refusal of a host whose memory cgroup is off; `evidence` says what showed it. */
export function memoryCgroupOffMessage(on: string, evidence: string): string {
    return (
        `${on}: memory cgroup off (${evidence}); Docker would accept the containers' memory limits and enforce none, so one runaway job could take the host down. ` +
        "Fix: add 'cgroup_enable=memory cgroup_memory=1' to the one line of /boot/firmware/cmdline.txt (not /boot/cmdline.txt) and reboot; or accept running without limits with 'pulumi config set --path hosts.allowNoMemoryLimit true'"
    );
}

/** The refusal of a worker that is to get a CPU limit its Docker cannot enforce. */
export function cpuQuotaOffMessage(on: string, evidence: string): string {
    return (
        `${on}: Docker cannot limit a container's CPUs (${evidence}: the kernel lacks CFS bandwidth control), and cluster.cpusPerWorker asks for a limit; the engines would not get the same budget. ` +
        "Fix: use a kernel with CONFIG_CFS_BANDWIDTH (Raspberry Pi OS kernels have it), or remove the limit with 'pulumi config rm --path cluster.cpusPerWorker'"
    );
}

/** The refusal of a host on which the Arroyo image's jemalloc aborts. */
export function jemallocAbortMessage(on: string, pageSize: string): string {
    return (
        `${on}: the Arroyo image aborts at start on this kernel's ${pageSize}-byte pages ('<jemalloc>: Unsupported system page size': its jemalloc was built for 4 KiB pages); every Arroyo container would restart forever. ` +
        "Fix: boot the 4 KiB-page kernel (add 'kernel=kernel8.img' to /boot/firmware/config.txt and reboot), or use an Arroyo image built with JEMALLOC_SYS_WITH_LG_PAGE=16 (images.arroyo)"
    );
}

/** What a host is asked to run, in MB and roles. */
export interface HostDemand {
    name: string;
    roles: ("controller" | "worker")[];
    /** Worker: slots x memoryPerSlotMb. Controller: Kafka heap and its overhead, MinIO, Arroyo's controller. */
    memoryMb: number;
    allowNoMemoryLimit: boolean;
}

/** Below this much free disk where the volumes live, Kafka's log and MinIO's checkpoints fill it within a run. */
export const MIN_DISK_FREE_MB = 2_048;
/** What the OS and Docker need beside the containers. */
export const HOST_HEADROOM_MB = 512;

/**
 * The problems that would make the deployment fail or lie on this host, one message each, naming
 * the host, the fact, what would go wrong and the fix. `arroyoProbe` is the output of running
 * the configured Arroyo image's binary once on the host (after Docker is installed), if known.
 */
export function hostProblems(facts: HostFacts, demand: HostDemand, arroyoProbe?: string): string[] {
    const p: string[] = [];
    const on = `${demand.name}${facts.model ? ` (${facts.model})` : ""}`;
    if (!/^(aarch64|arm64|x86_64|amd64)$/.test(facts.arch)) {
        p.push(
            `${on}: architecture ${facts.arch}; Arroyo's images are amd64 and arm64 only. Fix: install a 64-bit OS (Raspberry Pi OS 64-bit)`,
        );
    }
    const memcgOff = !facts.memoryCgroup || facts.dockerMemoryLimit === false;
    if (memcgOff && !demand.allowNoMemoryLimit)
        p.push(
            memoryCgroupOffMessage(
                on,
                `kernel ${facts.kernel}${facts.dockerMemoryLimit === false ? ", docker info MemoryLimit=false" : ""}`,
            ),
        );
    if (arroyoProbe !== undefined && JEMALLOC_PAGE_SIZE_ABORT.test(arroyoProbe))
        p.push(jemallocAbortMessage(on, String(facts.pageSizeBytes ?? "?")));
    if (facts.memoryMb !== null && facts.memoryMb < demand.memoryMb + HOST_HEADROOM_MB) {
        p.push(
            `${on}: ${facts.memoryMb} MB of RAM, below the ${demand.memoryMb} MB its containers are given plus ${HOST_HEADROOM_MB} MB for the OS and Docker; they would be killed or swap. ` +
                `Fix: lower ${demand.roles.includes("worker") ? "the worker's taskSlots or cluster.memoryPerSlotMb" : "kafka.heapMb"}, or use a host with more memory`,
        );
    }
    if (facts.diskFreeMb !== null && facts.diskFreeMb < MIN_DISK_FREE_MB) {
        p.push(
            `${on}: ${facts.diskFreeMb} MB free where Docker keeps its volumes, below ${MIN_DISK_FREE_MB} MB; Kafka's log and the checkpoints would fill it. Fix: free space or use a larger card or disk`,
        );
    }
    if (facts.clockSynchronized === false) {
        p.push(
            `${on}: clock not synchronised (timedatectl NTPSynchronized=no); checkpoints, Kafka timestamps and event-time windows span hosts and would disagree. Fix: 'sudo timedatectl set-ntp true' and check that the host reaches an NTP server`,
        );
    }
    return p;
}
