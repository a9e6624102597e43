// piTuning on the program's mocks: the hosts that need it are tuned (a recording here: nothing is
// dialled, the pi-cluster stack's addresses are real Pis), read again, and judged.
import { hardwareFacts, HostFacts } from "../../hosts/facts";
import { PreflightHost, PreflightResult } from "../../hosts/preflight";
import { rawConfig, setProgramConfig } from "../helpers/stackConfig";
import { TUNED_PI } from "../helpers/piFacts";

setProgramConfig({ ...rawConfig("pi-cluster").values, piTuning: "true" });

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { installMocks } = require("../helpers/mockProgram") as typeof import("../helpers/mockProgram");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { clusterProgram } = require("../../stacks/program") as typeof import("../../stacks/program");

const tunedPi = TUNED_PI;

beforeAll(() => installMocks("pi-cluster"));

describe("the program's preflight, on mocks", () => {
    describe("with piTuning", () => {
        const stock4: HostFacts = {
            ...tunedPi,
            model: "Raspberry Pi 4 Model B Rev 1.5",
            memoryCgroup: false,
            dockerMemoryLimit: null,
        };
        const stock5: HostFacts = { ...tunedPi, pageSizeBytes: 16384, kernel: "6.12.34+rpt-rpi-2712" };
        const readings = (hosts: PreflightHost[]): PreflightResult[] =>
            hosts.map((h) => ({
                name: h.name,
                facts: h.name === "b1pc12" ? stock4 : h.name === "b1pc11" ? stock5 : tunedPi,
                problems:
                    h.name === "b1pc12"
                        ? ["b1pc12 (Raspberry Pi 4 Model B Rev 1.5): memory cgroup off (kernel 6.12.34+rpt-rpi-v8)"]
                        : [],
            }));

        it("tunes only the hosts that need it, for what they need, and goes on with their new readings", async () => {
            const asked: [string, unknown][] = [];
            const tune = async (hosts: PreflightHost[], _key: string, needs: Map<string, unknown>) => {
                for (const h of hosts) asked.push([h.name, needs.get(h.name)]);
                return hosts.map((h) => ({ name: h.name, facts: { ...tunedPi }, problems: [] }));
            };
            const outputs = await clusterProgram({ preflight: async (hosts) => readings(hosts), tune });
            expect(asked.sort()).toEqual([
                ["b1pc11", { memoryCgroup: false, fourKiBPages: true }],
                ["b1pc12", { memoryCgroup: true, fourKiBPages: false }],
            ]);
            expect(outputs.hosts.find((h) => h.name === "b1pc12")!.facts).toEqual(hardwareFacts(tunedPi));
        });

        it("refuses a host whose tuning did not take effect, with what is still wrong", async () => {
            const tune = async (hosts: PreflightHost[]) =>
                hosts.map((h) => ({
                    name: h.name,
                    facts: h.name === "b1pc12" ? stock4 : { ...tunedPi },
                    problems: [],
                }));
            const err = await clusterProgram({ preflight: async (hosts) => readings(hosts), tune }).catch(
                (e: Error) => e,
            );
            expect((err as Error).message).toMatch(
                /^Preflight refused a host; nothing was changed on any host:\n {2}b1pc12: piTuning did not take effect: the memory cgroup is still off/,
            );
        });
    });
});
