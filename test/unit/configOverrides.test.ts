// --engine and --workers: another engine or the first N workers for one deployment, the stack's
// config unchanged; the graph built from them on Pulumi's mocks (nothing dialled).
import { applyOverrides, OverrideError, parseOverrides } from "../../config/overrides";
import { ConfigError, parseClusterConfig } from "../../config/schema";
import { declareCluster, installMocks } from "../helpers/mockProgram";
import { rawConfig } from "../helpers/stackConfig";

const CONTAINER = "docker:index/container:Container";
const TOPIC = "kafka:index/topic:Topic";

beforeAll(() => installMocks("pi-cluster"));

describe("parseOverrides", () => {
    it("takes an engine this project deploys and a whole number of workers", () => {
        expect(parseOverrides({})).toEqual({});
        expect(parseOverrides({ engine: "flink", workers: "3" })).toEqual({ engine: "flink", workers: 3 });
    });

    it.each([
        [{ engine: "spark" }, /--engine spark: use one of arroyo, flink/],
        [{ workers: "0" }, /--workers 0: give a whole number of workers, at least 1/],
        [{ workers: "2.5" }, /--workers 2.5/],
        [{ workers: "two" }, /--workers two/],
    ])("refuses %j, naming the flag", (flags, message) => {
        expect(() => parseOverrides(flags)).toThrow(OverrideError);
        expect(() => parseOverrides(flags)).toThrow(message);
    });
});

describe("applyOverrides", () => {
    const raw = rawConfig("pi-cluster");
    const full = parseClusterConfig(raw);

    it("leaves the config as it is without overrides", () => {
        expect(applyOverrides(raw, {})).toBe(raw);
    });

    it("keeps the first N workers in the listed order, and the whole list's partition count", () => {
        const three = parseClusterConfig(applyOverrides(raw, { workers: 3 }));
        expect(three.workers.map((w) => w.name)).toEqual(full.workers.slice(0, 3).map((w) => w.name));
        expect(three.totalSlots).toBe(full.workers.slice(0, 3).reduce((s, w) => s + w.taskSlots, 0));
        expect(three.totalSlots).toBeLessThan(full.totalSlots);
        expect(three.kafka.partitions).toBe(full.kafka.partitions);
        expect(three.kafka.heapMb).toBe(full.kafka.heapMb);
        expect(three.engine).toBe(full.engine);
    });

    it("keeps a partition count the config sets", () => {
        const set = rawConfig("pi-cluster", { kafka: { partitions: 27 } });
        expect(parseClusterConfig(applyOverrides(set, { workers: 1 })).kafka.partitions).toBe(27);
    });

    it("runs the other engine", () => {
        const other = full.engine === "flink" ? "arroyo" : "flink";
        expect(parseClusterConfig(applyOverrides(raw, { engine: other })).engine).toBe(other);
    });

    it("refuses more workers than the stack lists, naming the flag, the count and the fix", () => {
        expect(() => applyOverrides(raw, { workers: full.workers.length + 1 })).toThrow(
            `--workers ${full.workers.length + 1}: stack 'pi-cluster' lists ${full.workers.length} workers (workers); ask for at most ${full.workers.length}, or add workers to Pulumi.pi-cluster.yaml`,
        );
    });

    it("reports a config that does not validate as the config's problem, not the flag's", () => {
        expect(() => applyOverrides(rawConfig("pi-cluster", { workers: [] }), { workers: 1 })).toThrow(ConfigError);
    });
});

describe("the graph of pi-cluster with --engine flink --workers 2", () => {
    it("has two TaskManagers on the first two workers and topics of the whole list's partitions", async () => {
        const raw = rawConfig("pi-cluster");
        const full = parseClusterConfig(raw);
        const { resources } = await declareCluster(
            parseClusterConfig(applyOverrides(raw, { engine: "flink", workers: 2 })),
        );
        const containers = resources.filter((r) => r.type === CONTAINER).map((r) => String(r.inputs.name));
        expect(containers.filter((n) => n.includes("taskmanager"))).toEqual(
            full.workers.slice(0, 2).map((w) => `arroyo-pi-pi-cluster-flink-taskmanager-${w.name}`),
        );
        expect(containers.filter((n) => n.includes("arroyo-worker") || n.includes("arroyo-node"))).toEqual([]);
        const topics = resources.filter((r) => r.type === TOPIC);
        expect(topics.length).toBeGreaterThanOrEqual(3);
        for (const t of topics) expect(t.inputs.partitions).toBe(full.kafka.partitions);
    });
});
