import { hostOfContainer, parseSize, parseStatsLine, sampleHosts } from "../../benchmark/metrics/hosts";
import { LatencyHistogram } from "../../benchmark/metrics/latency";
import {
    countBetween,
    desmoothed,
    integrate,
    maxSeries,
    meanIn,
    mergeSnapshots,
    sinkNodeIds,
    sourceNodeIds,
    subtaskSeries,
    summedRate,
    summedRawRate,
} from "../../benchmark/engines/arroyo/metrics";
import { OperatorMetricGroup, PipelineGraph } from "../../benchmark/engines/arroyo/types";
import { ClusterOutputs } from "../../stacks/outputs";
import { JobMetrics, newCounters, SubtaskCounters } from "../doubles/arroyo-stand-in/metrics";
import { arroyoFigures } from "../../benchmark/engines/arroyo/figures";

const graph: PipelineGraph = {
    nodes: [1, 2, 3, 4].map((id) => ({ node_id: id, operator: `op${id}`, description: "", parallelism: 2 })),
    edges: [
        { src_id: 1, dest_id: 3, key_type: "", value_type: "", edge_type: "Forward" },
        { src_id: 2, dest_id: 3, key_type: "", value_type: "", edge_type: "Shuffle" },
        { src_id: 3, dest_id: 4, key_type: "", value_type: "", edge_type: "Forward" },
    ],
};

/**
 * Metric groups shaped as Arroyo 0.15.0 serves them, produced by the test double's copy of
 * job_metrics.rs: each subtask stamped on its own, sources with messages_recv 0, sinks with
 * messages_sent 0, EWMA-smoothed.
 */
function served(
    rounds: number,
    perRound: (round: number, node: number, subtask: number) => SubtaskCounters,
    t0 = 1_700_000_000_000,
): { groups: OperatorMetricGroup[]; clock: () => number } {
    let now = t0;
    // Each subtask's update call reads the clock anew: 3 ms apart within a round, 2 s between rounds.
    const m = new JobMetrics(
        [
            { nodeId: 1, parallelism: 2 },
            { nodeId: 2, parallelism: 1 },
            { nodeId: 4, parallelism: 2 },
        ],
        () => (now += 3),
    );
    for (let r = 0; r < rounds; r++) {
        m.collect((node, subtask) => perRound(r, node, subtask));
        now += 2_000 - 15;
    }
    return { groups: m.groups(), clock: () => now };
}

/** Cumulative counters of a source reading `rate` records/s per subtask, and a sink taking all of them. */
const steady = (rate: (round: number) => number) => {
    const totals = new Map<string, number>();
    return (round: number, node: number, subtask: number): SubtaskCounters => {
        const key = `${node}/${subtask}`;
        const total = (totals.get(key) ?? 0) + (round === 0 ? 0 : rate(round) * 2);
        totals.set(key, total);
        const c = newCounters();
        if (node === 4) c.messages_recv = total;
        else c.messages_sent = total;
        return c;
    };
};

describe("Arroyo operator metrics, as 0.15.0 serves them", () => {
    it("finds sources and sinks from the graph's edges", () => {
        expect(sourceNodeIds(graph)).toEqual([1, 2]);
        expect(sinkNodeIds(graph)).toEqual([4]);
    });

    it("serves sources with messages_recv 0 and each subtask on its own timestamps, in microseconds", () => {
        const { groups } = served(
            3,
            steady(() => 100),
        );
        const source = groups.find((g) => g.node_id === 1)!;
        const recv = source.metric_groups.find((g) => g.name === "messages_recv")!;
        expect(recv.subtasks.flatMap((s) => s.metrics.map((m) => m.value))).toEqual([0, 0, 0, 0]);
        const sent = source.metric_groups.find((g) => g.name === "messages_sent")!;
        const [a, b] = sent.subtasks.map((s) => s.metrics.map((m) => m.time));
        expect(a.length).toBe(2);
        expect(a[0]).not.toBe(b[0]);
        expect(a[0]).toBeGreaterThan(1.7e15);
        // A naive sum of equal timestamps would find no two subtasks to add.
        expect(new Set([...a, ...b]).size).toBe(4);
    });

    it("sums the source subtasks' messages_sent on a common grid", () => {
        const { groups } = served(
            6,
            steady(() => 100),
        );
        const sources = summedRate(groups, sourceNodeIds(graph), "messages_sent");
        expect(sources.length).toBeGreaterThanOrEqual(4);
        // Three source subtasks (node 1 has two, node 2 one) at 100 records/s each.
        for (const p of sources) expect(p.value).toBeCloseTo(300, 0);
        // Reading messages_recv of sources, as a naive reader would, finds nothing.
        // Each series has points (an empty one would pass every .every).
        const sourceRecv = summedRate(groups, sourceNodeIds(graph), "messages_recv");
        const sinkRecv = summedRate(groups, sinkNodeIds(graph), "messages_recv");
        const sinkSent = summedRate(groups, sinkNodeIds(graph), "messages_sent");
        for (const s of [sourceRecv, sinkRecv, sinkSent]) expect(s.length).toBeGreaterThan(0);
        expect(sourceRecv.every((p) => p.value === 0)).toBe(true);
        expect(sinkRecv.every((p) => Math.abs(p.value - 200) < 1)).toBe(true);
        expect(sinkSent.every((p) => p.value === 0)).toBe(true);
    });

    it("shows a step in the rate smoothed over ~20 s (EWMA, alpha 0.1), as Arroyo does", () => {
        const { groups } = served(
            20,
            steady((r) => (r < 5 ? 100 : 1100)),
        );
        const s = summedRate(groups, [4], "messages_recv");
        // Two sink subtasks: 200/s before the step, 2,200/s after; 10 rounds (20 s) after it 1 - 0.9^10 = 65% of the step shows.
        const step = s.findIndex((p) => p.value > 201);
        expect(s[step - 1].value).toBeCloseTo(200, 0);
        expect(s[step].value).toBeCloseTo(200 + 0.1 * 2000, 0);
        expect(s[step + 9].value).toBeCloseTo(200 + (1 - 0.9 ** 10) * 2000, 0);
        expect(s[step + 9].value).toBeLessThan(2_200 * 0.9);
    });

    it("undoes the smoothing exactly: a step made by Arroyo's recurrence comes back as the step", () => {
        const { groups } = served(
            20,
            steady((r) => (r < 5 ? 100 : 1100)),
        );
        for (const series of subtaskSeries(groups, "messages_recv", [4])) {
            const raw = desmoothed(series).map((p) => p.value);
            // The first collection yields no point; then 4 rounds at 100/s, then 1,100/s.
            expect(raw.slice(0, 4).every((v) => Math.abs(v - 100) < 1e-6)).toBe(true);
            expect(raw.slice(4).every((v) => Math.abs(v - 1_100) < 1e-6)).toBe(true);
        }
        const summed = summedRawRate(groups, [4], "messages_recv");
        expect(summed[summed.length - 1].value).toBeCloseTo(2_200, 6);
        // Integrated, the de-smoothed rates give the counters' rise exactly; the smoothed ones fall short.
        const all = subtaskSeries(groups, "messages_recv", [4]).flat();
        const from = Math.max(...subtaskSeries(groups, "messages_recv", [4]).map((s) => s[0].time));
        const to = Math.min(...subtaskSeries(groups, "messages_recv", [4]).map((s) => s[s.length - 1].time));
        const counted = countBetween(groups, [4], "messages_recv", from, to)!;
        const smoothed = subtaskSeries(groups, "messages_recv", [4]).reduce(
            (sum, s) => sum + integrate(s, from, to),
            0,
        );
        const truth = subtaskSeries(groups, "messages_recv", [4]).reduce((sum, s) => {
            let total = 0;
            // Point i is collection round i + 1: 100/s up to round 4, 1,100/s after; each holds since the previous point.
            for (let i = 1; i < s.length; i++)
                total +=
                    (i + 1 < 5 ? 100 : 1_100) *
                    Math.max(0, (Math.min(s[i].time, to) - Math.max(s[i - 1].time, from)) / 1000);
            return sum + total;
        }, 0);
        expect(all.length).toBeGreaterThan(30);
        expect(counted).toBeCloseTo(truth, 3);
        expect(smoothed / truth).toBeLessThan(0.8);
    });

    it("takes the window's rate over whole collection intervals, unbiased when the load stops inside the last one", () => {
        // 100/s per source subtask until 1 s into round 9's interval, nothing after: the window ends there.
        const { groups } = served(12, (round, node) => {
            const c = newCounters();
            const total = round === 0 ? 0 : Math.min(round, 9) * 200 - (round >= 9 ? 100 : 0);
            if (node === 4) c.messages_recv = total;
            else c.messages_sent = total;
            return c;
        });
        const t = (round: number) => 1_700_000_000_000 + round * 2_000;
        const graph4 = {
            nodes: [1, 2, 4].map((id) => ({ node_id: id, operator: "x", description: "", parallelism: 2 })),
            edges: [
                { src_id: 1, dest_id: 4, key_type: "", value_type: "", edge_type: "" },
                { src_id: 2, dest_id: 4, key_type: "", value_type: "", edge_type: "" },
            ],
        };
        const f = arroyoFigures(groups, graph4, { startMs: t(2) + 500, endMs: t(8) + 1_000 }, null);
        // Three source subtasks at 100/s.
        expect(f.figures.sourceRate!).toBeCloseTo(300, 6);
    });

    it("leaves out grid times a subtask cannot cover rather than summing it short", () => {
        const groups: OperatorMetricGroup[] = [
            {
                node_id: 1,
                metric_groups: [
                    {
                        name: "messages_sent",
                        subtasks: [
                            { index: 0, metrics: [0, 2, 4, 6, 8].map((s) => ({ time: (1000 + s) * 1e6, value: 10 })) },
                            { index: 1, metrics: [6, 8].map((s) => ({ time: (1000 + s) * 1e6 + 500, value: 10 })) },
                        ],
                    },
                ],
            },
        ];
        expect(summedRate(groups, [1], "messages_sent")).toEqual([
            { time: 1_006_000.5, value: 20 },
            { time: 1_008_000.5, value: 20 },
        ]);
    });

    it("takes the worst backpressure of any subtask, computed as 1 - (rem + 1) / (size + 1)", () => {
        const { groups } = served(3, (round, node, subtask) => ({
            ...newCounters(),
            tx_queue_size: 99,
            tx_queue_rem: node === 1 && subtask === 1 && round === 2 ? 49 : 99,
        }));
        expect(maxSeries(groups, "backpressure").map((p) => p.value)).toEqual([0, 0, 0.5]);
    });

    it("averages inside a window and integrates rates into counts over a span", () => {
        const s = [0, 2, 4, 6].map((t) => ({ time: 1_000_000 + t * 1000, value: 100 }));
        expect(meanIn(s, 1_000_000, 1_010_000)).toBe(100);
        expect(meanIn(s, 2_000_000, 3_000_000)).toBeUndefined();
        expect(integrate(s, 1_000_000, 1_006_000)).toBe(600);
        expect(integrate(s, 1_001_000, 1_005_000)).toBe(400);
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
        expect(parseStatsLine('{"Name":"x","CPUPerc":"250.5%","MemUsage":"100MiB / 2GiB"}')).toEqual({
            name: "x",
            cpuCores: 2.505,
            memoryBytes: 100 * 1024 ** 2,
        });
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

    it("attributes Flink's containers on the local target's shared engine: each TaskManager to its worker, the rest to the controller", () => {
        const shared = "unix:///var/run/docker.sock";
        const local = {
            stack: "local",
            hosts: [
                {
                    name: "controller",
                    address: "localhost",
                    roles: ["kafka", "minio", "flink-jobmanager", "flink-sql-gateway"],
                    dockerHost: shared,
                },
                {
                    name: "worker1",
                    address: "localhost",
                    roles: ["flink-taskmanager"],
                    dockerHost: shared,
                    taskSlots: 2,
                },
                {
                    name: "worker2",
                    address: "localhost",
                    roles: ["flink-taskmanager"],
                    dockerHost: shared,
                    taskSlots: 2,
                },
            ],
        } as ClusterOutputs;
        expect(hostOfContainer(local, "arroyo-pi-local-flink-taskmanager-worker1", shared)).toBe("worker1");
        expect(hostOfContainer(local, "arroyo-pi-local-flink-taskmanager-worker2", shared)).toBe("worker2");
        for (const c of ["jobmanager", "sql-gateway"])
            expect(hostOfContainer(local, `arroyo-pi-local-flink-${c}`, shared)).toBe("controller");
        expect(hostOfContainer(local, "arroyo-pi-local-minio", shared)).toBe("controller");
    });

    it("attributes every container of a Pi's own engine to that Pi, whatever the engine's names (pi-cluster outputs)", () => {
        const pis = {
            stack: "pi-cluster",
            hosts: [
                {
                    name: "b1pc10",
                    address: "192.0.2.70",
                    roles: ["kafka", "minio", "flink-jobmanager", "flink-sql-gateway"],
                    dockerHost: "ssh://picocluster@192.0.2.70",
                },
                {
                    name: "b1pc11",
                    address: "192.0.2.71",
                    roles: ["flink-taskmanager"],
                    dockerHost: "ssh://picocluster@192.0.2.71",
                    taskSlots: 1,
                },
            ],
        } as ClusterOutputs;
        expect(hostOfContainer(pis, "arroyo-pi-pi-cluster-flink-jobmanager", "ssh://picocluster@192.0.2.70")).toBe(
            "b1pc10",
        );
        expect(
            hostOfContainer(pis, "arroyo-pi-pi-cluster-flink-taskmanager-b1pc11", "ssh://picocluster@192.0.2.71"),
        ).toBe("b1pc11");
        // Without the engine, by name: still never a host that does not exist.
        expect(hostOfContainer(pis, "arroyo-pi-pi-cluster-flink-sql-gateway")).toBe("b1pc10");
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

describe("de-smoothing a series with a restart in it", () => {
    // What Arroyo serves (job_metrics.rs RateMetric::add): s(0) = r(0), s(i) = 0.9 s(i-1) + 0.1 r(i),
    // and a scheduling starts new series whose first point is raw again (states/scheduling.rs ~625-629).
    const smooth = (raws: number[]) =>
        raws.reduce<number[]>((s, r, i) => [...s, i === 0 ? r : 0.9 * s[i - 1] + 0.1 * r], []);
    const run1 = [100, 100, 120, 100, 100];
    const run2 = [500, 480, 520, 500];
    const t0 = 1_700_000_000_000_000; // µs, as Arroyo serves times
    const points = (vals: number[], from: number) =>
        vals.map((value, i) => ({ time: t0 + (from + i) * 2_000_000, value }));
    const snapshot = (runId: number, metrics: { time: number; value: number }[]) => ({
        runId,
        groups: [
            { node_id: 1, metric_groups: [{ name: "messages_sent" as const, subtasks: [{ index: 0, metrics }] }] },
        ],
    });
    // Run 1 fetched twice (the second a superset), run 2 twice: as the engine's snapshots are taken.
    const snaps = [
        snapshot(1, points(smooth(run1).slice(0, 3), 0)),
        snapshot(1, points(smooth(run1), 0)),
        snapshot(2, points(smooth(run2).slice(0, 2), 6)),
        snapshot(2, points(smooth(run2), 6)),
    ];

    it("takes each run's first point raw: Arroyo's rates come back exactly, no spike at the restart", () => {
        const [series] = subtaskSeries(mergeSnapshots(snaps), "messages_sent", [1]);
        const raw = desmoothed(series).map((p) => p.value);
        expect(raw).toHaveLength(run1.length + run2.length);
        raw.forEach((v, i) => expect(v).toBeCloseTo([...run1, ...run2][i], 6));
    });

    it("without the runs known it would invert the new run's first point against the old run's last", () => {
        const [series] = subtaskSeries(mergeSnapshots(snaps.map((s) => s.groups)), "messages_sent", [1]);
        const atRestart = desmoothed(series)[run1.length].value;
        expect(atRestart).toBeGreaterThan(4_000); // (500 - 0.9 x ~102) / 0.1: the spike the per-run inversion removes
    });
});
