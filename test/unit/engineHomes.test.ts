// One home per engine: the code that composes a cluster or a benchmark never spells an engine's
// name. Each engine lives in its folders (components/<engine>/ to deploy it, benchmark/engines/
// <engine>/ to drive it, benchmark/queries/<engine>/ its SQL) and is reached through the registries
// (components/engines.ts; benchmark/engines/index.ts and profiles.ts; the config's names and keys
// in config/). A branch on a name anywhere else is what made adding or changing an engine touch
// fifteen files.
import * as fs from "fs";
import * as path from "path";
import { ENGINE_ENDPOINT_OUTPUTS, ENGINES, EngineName } from "../../config/defaults";
import { parseClusterConfig } from "../../config/schema";
import { REPO_ROOT } from "../../toolchain/paths";
import { declareCluster, installMocks } from "../helpers/mockProgram";
import { rawConfig } from "../helpers/stackConfig";

/** Engine-neutral code: every TypeScript file under these, but for the engines' homes and the registry. */
const NEUTRAL = ["stacks", "components", "hosts", "scripts", "lib", "probes", "benchmark", "index.ts"];
const HOMES = [
    ...ENGINES.flatMap((e) => [`components/${e}/`, `benchmark/engines/${e}/`, `benchmark/queries/${e}/`]),
    "components/engines.ts",
    "benchmark/engines/index.ts",
    "benchmark/engines/profiles.ts",
];
/** Lines that name an engine for a reason other than branching on it, each with that reason. */
const ALLOWED: { file: string; line: RegExp; why: string }[] = [
    {
        file: "stacks/cluster.ts",
        line: /type: "arroyo-pi:index:ArroyoCluster", name: "arroyo"/,
        why: "the alias of the component's first name",
    },
];

function tsFiles(rel: string): string[] {
    const abs = path.join(REPO_ROOT, rel);
    if (fs.statSync(abs).isFile()) return rel.endsWith(".ts") ? [rel] : [];
    return fs.readdirSync(abs).flatMap((f) => tsFiles(path.join(rel, f)));
}

describe("one home per engine", () => {
    it("no engine-neutral file compares against, or otherwise spells, an engine's name as a string", () => {
        const literal = new RegExp(`(["'\`])(${ENGINES.join("|")})\\1`);
        const found = NEUTRAL.flatMap(tsFiles)
            .filter((f) => !HOMES.some((h) => f === h || f.startsWith(h)))
            .flatMap((f) =>
                fs
                    .readFileSync(path.join(REPO_ROOT, f), "utf8")
                    .split("\n")
                    .map((line, i) => ({ f, line, at: `${f}:${i + 1}: ${line.trim()}` })),
            )
            .filter(({ line }) => literal.test(line))
            .filter(({ f, line }) => !ALLOWED.some((a) => a.file === f && a.line.test(line)))
            .map(({ at }) => at);
        expect(found).toEqual([]);
    });

    it("the check finds what it looks for: a branch on a name in a neutral file", () => {
        const literal = new RegExp(`(["'\`])(${ENGINES.join("|")})\\1`);
        expect(literal.test(`if (config.engine === "flink") toolchain(["flink-connector"]);`)).toBe(true);
        expect(literal.test(`super("arroyo-pi:index:Cluster", name)`)).toBe(false);
    });

    describe("each engine's deployment exports exactly the endpoints the stack outputs name for it (mocks)", () => {
        beforeAll(() => installMocks("pi-cluster"));
        for (const engine of ENGINES) {
            it(engine, async () => {
                // Flink's TaskManager needs 1 GB at least.
                const { cluster } = await declareCluster(
                    parseClusterConfig(
                        rawConfig("pi-cluster", {
                            engine,
                            cluster: { taskSlotsPerWorker: 1, memoryPerSlotMb: 1024, checkpointIntervalSeconds: 10 },
                        }),
                    ),
                );
                const endpointKeys = (e: EngineName): string[] => [...ENGINE_ENDPOINT_OUTPUTS[e]];
                const exported = Object.keys(cluster.outputs).filter((k) =>
                    ENGINES.some((e) => endpointKeys(e).includes(k)),
                );
                expect(exported.sort()).toEqual(endpointKeys(engine).sort());
            });
        }
    });
});
