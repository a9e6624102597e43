import { execFileSync } from "child_process";
import { factsScript, HostDemand, hostProblems, limitedNow, parseFacts, parseThrottled } from "../../hosts/facts";
import { parseThermal, ThermalSample, thermalFigures } from "../../benchmark/metrics/thermal";

// factsScript()'s output as four kinds of host print it. No Pi is reachable from this project's
// machines: the Pi outputs are written from what Raspberry Pi OS documents and reports (DESIGN
// §10; RPi-Distro/pi-gen#917 for the memory cgroup, the Pi 5's kernel_2712.img for 16 KiB pages,
// jemalloc's abort as tikv-jemallocator prints it), the x86 one is this machine's kind of host.
const PI5_16K = `model=Raspberry Pi 5 Model B Rev 1.0
arch=aarch64
kernel=6.12.34+rpt-rpi-2712
pagesize=16384
memtotal_kb=8245152
cgroup2_controllers=cpuset cpu io memory pids
cgroup1_memory_enabled=1
cmdline=coherent_pool=1M 8250.nr_uarts=1 console=ttyAMA10,115200 console=tty1 root=PARTUUID=4a7b8c9d-02 rootfstype=ext4 fsck.repair=yes rootwait cgroup_enable=memory cgroup_memory=1
disk_free_kb=51234816
ntp_synchronized=yes
chrony_leap=
docker_version=28.5.1
docker_memory_limit=true
docker_swap_limit=true
throttled=throttled=0x0
temp_millic=48250
`;

const PI4_NO_MEMCG = `model=Raspberry Pi 4 Model B Rev 1.5
arch=aarch64
kernel=6.12.34+rpt-rpi-v8
pagesize=4096
memtotal_kb=3880336
cgroup2_controllers=cpuset cpu io pids
cgroup1_memory_enabled=0
cmdline=coherent_pool=1M 8250.nr_uarts=0 cgroup_disable=memory snd_bcm2835.enable_headphones=0 console=tty1 root=PARTUUID=0b1e2f3a-02 rootfstype=ext4 fsck.repair=yes rootwait
disk_free_kb=24117248
ntp_synchronized=yes
chrony_leap=
docker_version=28.5.1
docker_memory_limit=false
docker_swap_limit=false
throttled=throttled=0x50005
temp_millic=81300
`;

const PI5_TUNED = `model=Raspberry Pi 5 Model B Rev 1.0
arch=aarch64
kernel=6.12.34+rpt-rpi-v8
pagesize=4096
memtotal_kb=8245152
cgroup2_controllers=cpuset cpu io memory hugetlb pids rdma misc
cgroup1_memory_enabled=1
cmdline=coherent_pool=1M console=tty1 root=PARTUUID=4a7b8c9d-02 rootfstype=ext4 fsck.repair=yes rootwait cgroup_enable=memory cgroup_memory=1
disk_free_kb=51200000
ntp_synchronized=yes
chrony_leap=
docker_version=28.5.1
docker_memory_limit=true
docker_swap_limit=true
throttled=throttled=0x0
temp_millic=45100
`;

const X86_DEBIAN = `model=
arch=x86_64
kernel=6.12.43+deb13-amd64
pagesize=4096
memtotal_kb=24634384
cgroup2_controllers=cpuset cpu io memory hugetlb pids rdma misc
cgroup1_memory_enabled=1
cmdline=BOOT_IMAGE=/vmlinuz-6.12.43+deb13-amd64 root=/dev/vda1 ro
disk_free_kb=81234567
ntp_synchronized=
chrony_leap=Normal
docker_version=
docker_memory_limit=
docker_swap_limit=
throttled=
temp_millic=
`;

const JEMALLOC_ABORT = "<jemalloc>: Unsupported system page size\n";

const worker = (name: string, memoryMb = 768): HostDemand => ({
    name,
    roles: ["worker"],
    memoryMb,
    allowNoMemoryLimit: false,
});

describe("host facts, as the preflight reads them", () => {
    it("reads a Pi 5 on its 16 KiB-page kernel, and refuses the Arroyo image that aborts there, with both fixes", () => {
        const f = parseFacts(PI5_16K);
        expect(f).toMatchObject({
            model: "Raspberry Pi 5 Model B Rev 1.0",
            arch: "aarch64",
            pageSizeBytes: 16384,
            memoryMb: 8051,
            memoryCgroup: true,
            clockSynchronized: true,
            dockerMemoryLimit: true,
            temperatureC: 48.25,
        });
        expect(f.throttled!.raw).toBe(0);
        expect(hostProblems(f, worker("b1pc11"), "arroyo 0.15.0\n")).toEqual([]);
        const problems = hostProblems(f, worker("b1pc11"), JEMALLOC_ABORT);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(
            /^b1pc11 \(Raspberry Pi 5 Model B Rev 1\.0\): the Arroyo image aborts at start on this kernel's 16384-byte pages/,
        );
        expect(problems[0]).toMatch(/kernel=kernel8\.img' to \/boot\/firmware\/config\.txt/);
        expect(problems[0]).toMatch(/JEMALLOC_SYS_WITH_LG_PAGE=16/);
    });

    it("refuses a Pi 4 without the memory cgroup, naming the cmdline file and the opt-out", () => {
        const f = parseFacts(PI4_NO_MEMCG);
        expect(f).toMatchObject({ memoryCgroup: false, dockerMemoryLimit: false, pageSizeBytes: 4096, memoryMb: 3789 });
        const problems = hostProblems(f, worker("b1pc12"));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(
            /^b1pc12 \(Raspberry Pi 4 Model B Rev 1\.5\): memory cgroup off \(kernel 6\.12\.34\+rpt-rpi-v8, docker info MemoryLimit=false\)/,
        );
        expect(problems[0]).toMatch(/\/boot\/firmware\/cmdline\.txt \(not \/boot\/cmdline\.txt\)/);
        expect(problems[0]).toMatch(/hosts\.allowNoMemoryLimit true/);
        expect(hostProblems(f, { ...worker("b1pc12"), allowNoMemoryLimit: true })).toEqual([]);
        // More than it has: 4 slots of 1 GB.
        expect(hostProblems(f, { ...worker("b1pc12", 4_096), allowNoMemoryLimit: true })[0]).toMatch(
            /^b1pc12 .*: 3789 MB of RAM, below the 4096 MB its containers are given plus 512 MB/,
        );
        // It is throttling now and has been under-voltage: both now and since boot.
        expect(limitedNow(f.throttled!)).toBe(true);
        expect(f.temperatureC).toBeCloseTo(81.3);
    });

    it("passes a tuned Pi 5: 4 KiB pages, memory cgroup on", () => {
        const f = parseFacts(PI5_TUNED);
        expect(f.pageSizeBytes).toBe(4096);
        expect(hostProblems(f, worker("b1pc13"), "arroyo 0.15.0\n")).toEqual([]);
    });

    it("passes an x86 Debian host before Docker is installed, with chrony's clock and no Pi facts", () => {
        const f = parseFacts(X86_DEBIAN);
        expect(f).toMatchObject({
            model: null,
            arch: "x86_64",
            clockSynchronized: true,
            dockerVersion: null,
            dockerMemoryLimit: null,
            throttled: null,
            temperatureC: null,
        });
        expect(
            hostProblems(f, { name: "ctl", roles: ["controller"], memoryMb: 2_048, allowNoMemoryLimit: false }),
        ).toEqual([]);
        expect(
            hostProblems(
                { ...f, clockSynchronized: false, diskFreeMb: 900, arch: "armv7l" },
                { name: "ctl", roles: ["controller"], memoryMb: 2_048, allowNoMemoryLimit: false },
            ),
        ).toEqual([
            expect.stringMatching(/^ctl: architecture armv7l; Arroyo's images are amd64 and arm64 only/),
            expect.stringMatching(/^ctl: 900 MB free where Docker keeps its volumes, below 2048 MB/),
            expect.stringMatching(/^ctl: clock not synchronised .*timedatectl set-ntp true/),
        ]);
    });
});

describe("a retained MinIO volume, as the controller's preflight lists it", () => {
    it("reads the buckets it holds, none when it is gone, and nothing when it was not looked at", () => {
        expect(
            parseFacts(`${X86_DEBIAN}minio_volume=present\nminio_buckets=arroyo nexmark-results \n`).retainedBuckets,
        ).toEqual(["arroyo", "nexmark-results"]);
        expect(parseFacts(`${X86_DEBIAN}minio_volume=absent\n`).retainedBuckets).toBeNull();
        expect(parseFacts(X86_DEBIAN).retainedBuckets).toBeUndefined();
    });

    it("is listed through Docker's own idea of the volume's place, hidden entries (.minio.sys) left out", () => {
        const script = factsScript({ minioVolume: "arroyo-pi-pi-cluster-minio-data" });
        expect(script).toContain("docker volume inspect --format '{{.Mountpoint}}' 'arroyo-pi-pi-cluster-minio-data'");
        expect(script).toContain("grep -v '^\\.'");
        expect(execFileSync("sh", ["-n"], { input: script }).toString()).toBe("");
        expect(factsScript()).not.toContain("minio_volume");
    });
});

describe("vcgencmd get_throttled", () => {
    it.each([
        ["throttled=0x0", [], false],
        ["throttled=0x50000", ["underVoltageOccurred", "throttledOccurred"], false],
        ["throttled=0x50005", ["underVoltage", "throttled", "underVoltageOccurred", "throttledOccurred"], true],
        ["throttled=0x80008", ["softTemperatureLimit", "softTemperatureLimitOccurred"], true],
    ])("decodes %s", (text, set, now) => {
        const f = parseThrottled(text);
        const flags = Object.entries(f)
            .filter(([k, v]) => k !== "raw" && v === true)
            .map(([k]) => k);
        expect(flags.sort()).toEqual([...set].sort());
        expect(limitedNow(f)).toBe(now);
    });

    it("refuses what it cannot read", () =>
        expect(() => parseThrottled("VCHI initialization failed")).toThrow(
            /cannot read 'vcgencmd get_throttled' output/,
        ));
});

describe("thermal samples during a run", () => {
    it("reads throttle flags, temperature and the slowest core's clock; absent where the host has none", () => {
        expect(
            parseThermal(
                "throttled=throttled=0x80008\ntemp_millic=71250\ncur_freq_khz=1500000 1200000 1500000 1500000 \n",
            ),
        ).toMatchObject({ temperatureC: 71.25, cpuMhz: 1200, throttled: { raw: 0x80008, softTemperatureLimit: true } });
        expect(parseThermal("throttled=\ntemp_millic=\ncur_freq_khz=\n")).toEqual({
            throttled: null,
            temperatureC: null,
            cpuMhz: null,
        });
    });

    it("says how long each host was limited in the window, and notices a limit that began between samples", () => {
        const s = (time: number, host: string, raw: number | null, temp: number | null): ThermalSample => ({
            time,
            host,
            throttled: raw === null ? null : parseThrottled(`0x${raw.toString(16)}`),
            temperatureC: temp,
            cpuMhz: raw && raw & 0x4 ? 1000 : 1500,
        });
        const samples = [
            ...[0, 10, 20, 30, 40, 50, 60].map((t) =>
                s(t * 1000, "worker3", t >= 30 && t <= 40 ? 0x50005 : t > 40 ? 0x50000 : 0, 60 + t / 5),
            ),
            ...[0, 10, 20, 30, 40, 50, 60].map((t) => s(t * 1000, "worker4", t >= 35 ? 0x80000 : 0, 55)),
            ...[0, 10, 20, 30, 40, 50, 60].map((t) => s(t * 1000, "vm", null, null)),
        ];
        const f = thermalFigures(samples, { startMs: 5_000, endMs: 65_000 }, 10_000);
        expect(f.hosts.find((h) => h.host === "worker3")).toEqual({
            host: "worker3",
            samples: 6,
            limitedSeconds: 20,
            limitedBetweenSamples: false,
            maxTemperatureC: 72,
            minCpuMhz: 1000,
        });
        expect(f.hosts.find((h) => h.host === "worker4")).toMatchObject({
            limitedSeconds: 0,
            limitedBetweenSamples: true,
        });
        expect(f.hosts.find((h) => h.host === "vm")).toEqual({
            host: "vm",
            samples: 6,
            limitedSeconds: null,
            limitedBetweenSamples: false,
            maxTemperatureC: null,
            minCpuMhz: 1500,
        });
        expect(f.limited).toBe(true);
        expect(f.note).toBe(
            "worker3 throttled 20 s of 60, 72 °C max; worker4 throttled 0 s of 60 (and between samples), 55 °C max",
        );
        expect(
            thermalFigures(
                samples.filter((x) => x.host === "vm"),
                { startMs: 5_000, endMs: 65_000 },
                10_000,
            ),
        ).toMatchObject({ limited: false, note: null });
    });
});
