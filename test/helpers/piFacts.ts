import { HostFacts } from "../../hosts/facts";

/** A Raspberry Pi 5 as the preflight reads it once tuned: 4 KiB pages, memory cgroup on, clock synchronised. */
export const TUNED_PI: HostFacts = {
    model: "Raspberry Pi 5 Model B Rev 1.0",
    arch: "aarch64",
    kernel: "6.12.34+rpt-rpi-v8",
    pageSizeBytes: 4096,
    memoryMb: 8051,
    memoryCgroup: true,
    diskFreeMb: 50_000,
    clockSynchronized: true,
    dockerVersion: "28.5.1",
    dockerMemoryLimit: true,
    dockerSwapLimit: true,
    throttled: null,
    temperatureC: 45.1,
};
