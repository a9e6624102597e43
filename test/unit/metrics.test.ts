import { hostOfContainer, parseSize, parseStatsLine, sampleHosts } from "../../benchmark/metrics/hosts";
import { LatencyHistogram } from "../../benchmark/metrics/latency";
import { integrate, maxSeries, meanIn, sinkNodeIds, sourceNodeIds, summedSeries } from "../../benchmark/metrics/operators";
import { OperatorMetricGroup, PipelineGraph } from "../../benchmark/arroyo/types";
import { ClusterOutputs } from "../../stacks/outputs";

const graph: PipelineGraph = {
    nodes: [1, 2, 3, 4].map((id) => ({ node_id: id, operator: `op${id}`, description: "", parallelism: 2 })),
    edges: [
        { src_id: 1, dest_id: 3, key_type: "", value_type: "", edge_type: "Forward" },
        { src_id: 2, dest_id: 3, key_type: "", value_type: "", edge_type: "Shuffle" },
        { src_id: 3, dest_id: 4, key_type: "", value_type: "", edge_type: "Forward" },
    ],
};

const series = (values: number[]) => values.map((v, i) => ({ time: (1_000 + i * 5) * 1_000_000, value: v }));
const groups: OperatorMetricGroup[] = [
    { node_id: 1, metric_groups: [{ name: "messages_recv", subtasks: [{ index: 0, metrics: series([100, 200]) }, { index: 1, metrics: series([50, 50]) }] }] },
    { node_id: 2, metric_groups: [{ name: "messages_recv", subtasks: [{ index: 0, metrics: series([10, 10]) }] }, { name: "backpressure", subtasks: [{ index: 0, metrics: series([0.1, 0.7]) }] }] },
    { node_id: 3, metric_groups: [{ name: "messages_recv", subtasks: [{ index: 0, metrics: series([9999, 9999]) }] }, { name: "backpressure", subtasks: [{ index: 1, metrics: series([0.3, 0.2]) }] }] },
];

describe("Arroyo operator metrics", () => {
    it("finds sources and sinks from the graph's edges", () => {
        expect(sourceNodeIds(graph)).toEqual([1, 2]);
        expect(sinkNodeIds(graph)).toEqual([4]);
    });

    it("sums source subtasks at each sample, converting Arroyo's microseconds", () => {
        expect(summedSeries(groups, [1, 2], "messages_recv")).toEqual([
            { time: 1_000_000, value: 160 },
            { time: 1_005_000, value: 260 },
        ]);
    });

    it("takes the worst backpressure of any subtask", () => {
        expect(maxSeries(groups, "backpressure").map((p) => p.value)).toEqual([0.3, 0.7]);
    });

    it("averages inside a window and integrates rates into counts", () => {
        const s = summedSeries(groups, [1, 2], "messages_recv");
        expect(meanIn(s, 1_000_000, 1_010_000)).toBe(210);
        expect(meanIn(s, 2_000_000, 3_000_000)).toBeUndefined();
        expect(integrate(s, 1_005_000)).toBe(260 * 5);
    });
});

describe("docker stats", () => {
    it("reads sizes in Docker's units", () => {
        expect(parseSize("512MiB")).toBe(512 * 1024 ** 2);
        expect(parseSize("1.5GiB")).toBe(1.5 * 1024 ** 3);
        expect(parseSize("0B")).toBe(0);
        expect(parseSize("12.3kB")).toBeCloseTo(12_300);
        expect(() => parseSize("lots")).toThrow("cannot read a size from 'lots'");
    });

    it("reads one stats line as cores and bytes", () => {
        expect(parseStatsLine('{"Name":"x","CPUPerc":"250.5%","MemUsage":"100MiB / 2GiB"}')).toEqual({ name: "x", cpuCores: 2.505, memoryBytes: 100 * 1024 ** 2 });
    });

    const outputs = {
        stack: "s",
        hosts: [
            { name: "pi1", address: "a", roles: ["kafka", "minio", "arroyo-controller"], dockerHost: "ssh://u@a:22" },
            { name: "pi2", address: "b", roles: ["arroyo-node"], dockerHost: "ssh://u@b:22", taskSlots: 1 },
        ],
    } as ClusterOutputs;

    it("attributes containers to hosts by name", () => {
        expect(hostOfContainer(outputs, "arroyo-pi-s-arroyo-node-pi2")).toBe("pi2");
        expect(hostOfContainer(outputs, "arroyo-pi-s-kafka")).toBe("pi1");
    });

    it("samples each engine once, only the stack's containers", async () => {
        const calls: string[][] = [];
        const run = async (host: string, args: string[]) => {
            calls.push([host, ...args]);
            if (args[0] === "ps") return host.includes("@a") ? "k\nm\n" : "n\n";
            return host.includes("@a")
                ? '{"Name":"arroyo-pi-s-kafka","CPUPerc":"50%","MemUsage":"600MiB / 4GiB"}\n{"Name":"arroyo-pi-s-minio","CPUPerc":"5%","MemUsage":"100MiB / 4GiB"}'
                : '{"Name":"arroyo-pi-s-arroyo-node-pi2","CPUPerc":"390%","MemUsage":"700MiB / 768MiB"}';
        };
        const samples = await sampleHosts(outputs, run);
        expect(samples.map((s) => [s.host, s.cpuCores, s.memoryBytes / 1024 ** 2])).toEqual([
            ["pi1", 0.55, 700],
            ["pi2", 3.9, 700],
        ]);
        expect(calls.filter((c) => c[1] === "ps").map((c) => c.slice(2))).toEqual([
            ["-q", "--filter", "label=arroyo-pi.stack=s"],
            ["-q", "--filter", "label=arroyo-pi.stack=s"],
        ]);
    });
});

describe("latency histogram", () => {
    it("gives exact percentiles at 1 ms resolution", () => {
        const h = new LatencyHistogram();
        for (let ms = 1; ms <= 1000; ms++) h.record(ms);
        expect(h.summary()).toEqual({ count: 1000, p50: 500, p95: 950, p99: 990, max: 1000 });
    });

    it("counts values past its range at the maximum", () => {
        const h = new LatencyHistogram(100);
        h.record(5);
        h.record(5_000);
        expect(h.percentile(1)).toBe(5_000);
        expect(h.percentile(0.5)).toBe(5);
    });

    it("has no percentiles without records", () => expect(new LatencyHistogram().summary()).toEqual({ count: 0 }));
});
