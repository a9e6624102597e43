// The program's preflight on Pulumi's mocks: every ssh host is read before any resource is
// declared, a host that would fail stops the program with nothing declared, and the facts reach
// the stack outputs without touching any resource's inputs. The preflight here is a recording:
// nothing is dialled (the pi-cluster stack's addresses are real Pis).
import { hardwareFacts, HostFacts } from "../../hosts/facts";
import { PreflightHost, PreflightResult } from "../../hosts/preflight";
import { rawConfig, setProgramConfig, TEST_SECRETS } from "../helpers/stackConfig";
import { TUNED_PI } from "../helpers/piFacts";

setProgramConfig(rawConfig("pi-cluster").values);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { installMocks, registrations } = require("../helpers/mockProgram") as typeof import("../helpers/mockProgram");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { clusterProgram } = require("../../stacks/program") as typeof import("../../stacks/program");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");

const tunedPi: HostFacts = TUNED_PI;

/** A recorded preflight: what it was asked, when it answered. */
function recorded(problemsFor: (h: PreflightHost) => string[] = () => []) {
    const calls: { hosts: PreflightHost[]; key: string; answeredAt?: number }[] = [];
    const fn = async (hosts: PreflightHost[], key: string): Promise<PreflightResult[]> => {
        const call: (typeof calls)[number] = { hosts, key };
        calls.push(call);
        await new Promise((r) => setTimeout(r, 200));
        call.answeredAt = Date.now();
        return hosts.map((h) => ({ name: h.name, facts: { ...tunedPi }, problems: problemsFor(h) }));
    };
    return { calls, fn };
}

/**
 * Until the program stops registering: registrations chase resolved outputs, so the count is
 * read until it has not moved for ten polls in a row (and, where `atLeast` is given, has reached it).
 */
async function settle(atLeast = 0): Promise<void> {
    let last = -1;
    let quiet = 0;
    while (quiet < 10 || registrations.length < atLeast) {
        await new Promise((r) => setTimeout(r, 20));
        quiet = registrations.length === last ? quiet + 1 : 0;
        last = registrations.length;
    }
}

beforeAll(() => installMocks("pi-cluster"));

describe("the program's host preflight, on mocks", () => {
    it("reads every host with its recorded key and demand before any resource is declared, and exports the facts", async () => {
        registrations.length = 0;
        const p = recorded();
        const outputs = await clusterProgram({ preflight: p.fn });
        await settle();
        expect(p.calls).toHaveLength(1);
        const { hosts, key } = p.calls[0];
        expect(key).toBe(TEST_SECRETS.sshPrivateKey);
        expect(hosts.map((h) => h.name)).toEqual(["b1pc10", ...Array.from({ length: 9 }, (_, i) => `b1pc${11 + i}`)]);
        expect(hosts.every((h) => h.user === "picocluster" && h.port === 22)).toBe(true);
        expect(hosts[0].demand).toMatchObject({
            roles: ["controller"],
            memoryMb: 512 + 256 + 256 + 512,
            allowNoMemoryLimit: false,
        });
        expect(hosts[1].demand).toMatchObject({ roles: ["worker"], memoryMb: 2048 });
        // Nothing was registered before the preflight answered.
        expect(registrations.length).toBeGreaterThan(40);
        expect(Math.min(...registrations.map((r) => r.at))).toBeGreaterThanOrEqual(p.calls[0].answeredAt!);
        expect(outputs.hosts.map((h) => h.facts)).toEqual(Array.from({ length: 10 }, () => hardwareFacts(tunedPi)));
    });

    it("changes no resource when the same hosts are read again, whatever their volatile facts", async () => {
        const inputsOf = async (temperatureC: number) => {
            registrations.length = 0;
            const fn = async (hosts: PreflightHost[]): Promise<PreflightResult[]> =>
                hosts.map((h) => ({ name: h.name, facts: { ...tunedPi, temperatureC }, problems: [] }));
            await clusterProgram({ preflight: fn });
            await settle();
            return new Map(registrations.map((r) => [`${r.type}/${r.name}`, JSON.stringify(r.inputs)]));
        };
        const first = await inputsOf(45.1);
        const second = await inputsOf(71.9);
        // Both reads declared the whole cluster (two empty maps would be equal too).
        expect(first.size).toBeGreaterThan(40);
        expect(second.size).toBe(first.size);
        expect(second).toEqual(first);
        expect([...first.values()].some((v) => v.includes("71.9") || v.includes("45.1"))).toBe(false);
    });

    it("exports the same outputs when the same hosts are read again, so a preview of an unchanged cluster shows no diff", async () => {
        const outputsOf = async (volatile: Partial<HostFacts>) => {
            const fn = async (hosts: PreflightHost[]): Promise<PreflightResult[]> =>
                hosts.map((h) => ({ name: h.name, facts: { ...tunedPi, ...volatile }, problems: [] }));
            const outputs = await clusterProgram({ preflight: fn });
            await settle();
            return JSON.stringify(outputs.hosts.map((h) => h.facts));
        };
        const first = await outputsOf({ diskFreeMb: 51_234, temperatureC: 45.1, clockSynchronized: true });
        const second = await outputsOf({
            diskFreeMb: 50_998,
            temperatureC: 71.9,
            clockSynchronized: false,
            throttled: {
                raw: 0x80000,
                underVoltage: false,
                armFrequencyCapped: false,
                throttled: false,
                softTemperatureLimit: false,
                underVoltageOccurred: false,
                armFrequencyCappedOccurred: false,
                throttledOccurred: true,
                softTemperatureLimitOccurred: false,
            },
        });
        expect(second).toEqual(first);
        expect(first).toContain(tunedPi.model!);
        expect(first).not.toMatch(/diskFreeMb|temperatureC|clockSynchronized|throttled/);
    });

    it("stops before declaring anything when a host would fail, with every host's problem", async () => {
        registrations.length = 0;
        const p = recorded((h) =>
            h.name === "b1pc12"
                ? ["b1pc12 (Raspberry Pi 4 Model B Rev 1.5): memory cgroup off (kernel 6.12.34+rpt-rpi-v8)"]
                : [],
        );
        const err = await clusterProgram({ preflight: p.fn }).catch((e: Error) => e);
        expect(err).toBeInstanceOf(pulumi.RunError);
        expect((err as Error).message).toBe(
            "Preflight refused a host; nothing was changed on any host:\n  b1pc12 (Raspberry Pi 4 Model B Rev 1.5): memory cgroup off (kernel 6.12.34+rpt-rpi-v8)",
        );
        await settle();
        expect(registrations).toEqual([]);
    });
});
