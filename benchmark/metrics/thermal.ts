// What the hardware did while a query ran: each host's throttle flags, temperature and CPU clock.
// A Pi without active cooling reaches its soft temperature limit under sustained load and lowers
// its clock (or is capped by under-voltage); a trial measured then reports the throttled Pi's
// capacity as the engine's. Raspberry Pi firmware reports it (`vcgencmd get_throttled`), the
// kernel gives temperature and clock. Off a Pi the flags are absent, and recorded as absent.
import { runOnHost } from "../../lib/hostShell";
import { keyValues, limitedNow, parseThrottled, THERMAL_LINES, ThrottleFlags } from "../../hosts/facts";
import { ClusterOutputs } from "../../stacks/outputs";

/** One line per fact; empty where the host has no such file or command. */
export const THERMAL_SCRIPT = [
    ...THERMAL_LINES,
    `printf 'cur_freq_khz=%s\\n' "$(cat /sys/devices/system/cpu/cpu*/cpufreq/scaling_cur_freq 2>/dev/null | tr '\\n' ' ')"`,
].join("\n");

export interface ThermalSample {
    /** ms since the epoch */
    time: number;
    host: string;
    throttled: ThrottleFlags | null;
    temperatureC: number | null;
    /** The slowest core's clock, MHz. */
    cpuMhz: number | null;
    /** Why nothing was read, when the host could not be asked. */
    error?: string;
}

export function parseThermal(output: string): Pick<ThermalSample, "throttled" | "temperatureC" | "cpuMhz"> {
    const kv = keyValues(output);
    const throttled = kv.get("throttled");
    const temp = Number(kv.get("temp_millic"));
    const freqs = (kv.get("cur_freq_khz") ?? "").split(/\s+/).filter(Boolean).map(Number).filter(Number.isFinite);
    return {
        throttled: throttled ? parseThrottled(throttled) : null,
        temperatureC: kv.get("temp_millic") && Number.isFinite(temp) ? temp / 1000 : null,
        cpuMhz: freqs.length ? Math.min(...freqs) / 1000 : null,
    };
}

/** Runs THERMAL_SCRIPT on a host and returns its output. */
export type ThermalRunner = (host: ClusterOutputs["hosts"][number], stack: string) => Promise<string>;

/** On the host itself (lib/hostShell.ts): locally for the local target, over ssh for a Pi. */
export const shellRunner: ThermalRunner = (host, stack) => runOnHost(host, stack, THERMAL_SCRIPT, 15_000);

/** Every host at once; a host that cannot be asked is recorded with its error and no figures. */
export async function sampleThermal(
    outputs: ClusterOutputs,
    run: ThermalRunner = shellRunner,
): Promise<ThermalSample[]> {
    const time = Date.now();
    return Promise.all(
        outputs.hosts.map(async (h) => {
            try {
                return { time, host: h.name, ...parseThermal(await run(h, outputs.stack)) };
            } catch (err) {
                return {
                    time,
                    host: h.name,
                    throttled: null,
                    temperatureC: null,
                    cpuMhz: null,
                    error: (err as Error).message.split("\n")[0],
                };
            }
        }),
    );
}

export interface HostThermal {
    host: string;
    samples: number;
    /** Seconds of the window during which the host was throttled, capped or under-voltage (samples x interval); null: its firmware reports nothing. */
    limitedSeconds: number | null;
    /** Whether a limit came and went between samples: an "occurred since boot" bit rose while no sample saw a limit now. */
    limitedBetweenSamples: boolean;
    maxTemperatureC: number | null;
    minCpuMhz: number | null;
}

export interface ThermalFigures {
    hosts: HostThermal[];
    /** Any host limited inside the window. */
    limited: boolean;
    /** One line a reader takes as it is: "worker3 throttled 14 s of 60, 71 °C max". */
    note: string | null;
}

/** The hosts' thermal state over a window, from samples taken every `intervalMs`. */
export function thermalFigures(
    samples: ThermalSample[],
    window: { startMs: number; endMs: number },
    intervalMs: number,
): ThermalFigures {
    const hosts = [...new Set(samples.map((s) => s.host))].map((host): HostThermal => {
        const all = samples.filter((s) => s.host === host && !s.error);
        const inside = all.filter((s) => s.time >= window.startMs && s.time <= window.endMs);
        const flags = inside.filter((s) => s.throttled).map((s) => s.throttled as ThrottleFlags);
        const before = [...all].reverse().find((s) => s.time < window.startMs && s.throttled)?.throttled ?? flags[0];
        const occurred = (f: ThrottleFlags) =>
            f.underVoltageOccurred ||
            f.armFrequencyCappedOccurred ||
            f.throttledOccurred ||
            f.softTemperatureLimitOccurred;
        const temps = inside.map((s) => s.temperatureC).filter((t): t is number => t !== null);
        const clocks = inside.map((s) => s.cpuMhz).filter((c): c is number => c !== null);
        return {
            host,
            samples: inside.length,
            limitedSeconds: flags.length ? (flags.filter(limitedNow).length * intervalMs) / 1000 : null,
            limitedBetweenSamples:
                before !== undefined && !occurred(before) && flags.some(occurred) && !flags.some(limitedNow),
            maxTemperatureC: temps.length ? Math.max(...temps) : null,
            minCpuMhz: clocks.length ? Math.min(...clocks) : null,
        };
    });
    const limited = hosts.filter((h) => (h.limitedSeconds ?? 0) > 0 || h.limitedBetweenSamples);
    const seconds = Math.round((window.endMs - window.startMs) / 1000);
    const note = limited.length
        ? limited
              .map(
                  (h) =>
                      `${h.host} throttled ${h.limitedSeconds ?? 0} s of ${seconds}${h.limitedBetweenSamples ? " (and between samples)" : ""}${h.maxTemperatureC !== null ? `, ${h.maxTemperatureC.toFixed(0)} °C max` : ""}`,
              )
              .join("; ")
        : null;
    return { hosts, limited: limited.length > 0, note };
}
