// npm run study's plan and report, free of I/O: which points run in which order, what a resumed
// study must share with the one it continues, its progress line, and the figures of its report.
import { rawConfig } from "../helpers/stackConfig";
import {
    deploymentProblems,
    deployments,
    parseStudyLists,
    progressLine,
    remaining,
    specDifferences,
    StudySpec,
} from "../../benchmark/study/plan";
import { pointOf, scalingChartSpec, studyMarkdown, studyReport } from "../../benchmark/study/report";
import { BenchmarkResults } from "../../benchmark/report/types";
import { CapacityResult, Trial } from "../../benchmark/capacity/types";

const spec: StudySpec = {
    stack: "local",
    engines: ["flink", "arroyo"],
    workers: [2, 1],
    queries: ["q1", "q5"],
    searchArgs: ["--start-rate", "2000"],
};

describe("the study's plan", () => {
    it("deploys each engine over its worker counts, fewest first, with every query on each", () => {
        expect(deployments(spec)).toEqual([
            { engine: "flink", workers: 1, queries: ["q1", "q5"] },
            { engine: "flink", workers: 2, queries: ["q1", "q5"] },
            { engine: "arroyo", workers: 1, queries: ["q1", "q5"] },
            { engine: "arroyo", workers: 2, queries: ["q1", "q5"] },
        ]);
    });

    it("resumes at the first unfinished point and never runs a finished one again", () => {
        const finished = new Set(["flink-w1-q1", "flink-w1-q5", "flink-w2-q1"]);
        expect(remaining(spec, finished)).toEqual([
            { engine: "flink", workers: 2, queries: ["q5"] },
            { engine: "arroyo", workers: 1, queries: ["q1", "q5"] },
            { engine: "arroyo", workers: 2, queries: ["q1", "q5"] },
        ]);
        const all = new Set(deployments(spec).flatMap((d) => d.queries.map((q) => `${d.engine}-w${d.workers}-${q}`)));
        expect(all.size).toBe(8);
        expect(remaining(spec, all)).toEqual([]);
    });

    it("reads the lists, and refuses a bad one naming its flag", () => {
        expect(parseStudyLists({ engines: "arroyo, flink", workers: "1,3,9", queries: "q1,q5" })).toEqual({
            engines: ["arroyo", "flink"],
            workers: [1, 3, 9],
            queries: ["q1", "q5"],
        });
        expect(() => parseStudyLists({ engines: "spark", workers: "1", queries: "q1" })).toThrow(
            "--engines spark: give one or more of arroyo, flink",
        );
        expect(() => parseStudyLists({ engines: "flink", workers: "1,0", queries: "q1" })).toThrow("--workers 1,0");
        expect(() => parseStudyLists({ engines: "flink", workers: "1.5", queries: "q1" })).toThrow("--workers 1.5");
        expect(() => parseStudyLists({ engines: "flink", workers: "1", queries: "" })).toThrow("--queries");
        expect(() => parseStudyLists({ engines: "flink", workers: "1,1", queries: "q1" })).toThrow(
            "--workers names 1 twice",
        );
    });

    it("finds, before anything runs, every deployment the stack's config would refuse", () => {
        const local = rawConfig("local");
        // The local stack: two workers of two 512 MB slots; Flink's TaskManager needs 1,024 MB.
        expect(
            deploymentProblems(local, deployments({ ...spec, engines: ["arroyo", "flink"], workers: [1, 2] })),
        ).toEqual([]);
        const problems = deploymentProblems(local, deployments({ ...spec, engines: ["flink"], workers: [1, 3] }));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^flink on 3 workers: --workers 3: stack 'local' lists 2 workers/);
        const small = rawConfig("local", { cluster: { taskSlotsPerWorker: 1, memoryPerSlotMb: 512 } });
        expect(deploymentProblems(small, deployments({ ...spec, engines: ["arroyo", "flink"], workers: [1] }))).toEqual(
            [
                expect.stringMatching(
                    /^flink on 1 worker: arroyo-pi:engine is flink, and the TaskManager of worker1 would get 512 MB/,
                ),
            ],
        );
    });

    it("names every parameter a folder's study differs in, with both values", () => {
        expect(specDifferences(spec, { ...spec })).toEqual([]);
        expect(specDifferences(spec, { ...spec, workers: [1, 2, 3], searchArgs: [] })).toEqual([
            "workers: the study has 2,1, this command 1,2,3",
            "searchArgs: the study has --start-rate,2000, this command (none)",
        ]);
    });

    it("says points done, the time left at the pace so far, and the point in flight", () => {
        expect(progressLine({ done: 0, total: 8, secondsPerPoint: [], inFlight: "flink on 1 worker: deploying" })).toBe(
            "study: 0/8 points, ETA after the first point, now flink on 1 worker: deploying",
        );
        expect(progressLine({ done: 2, total: 8, secondsPerPoint: [300, 420], inFlight: null })).toBe(
            "study: 2/8 points, ETA 36 min",
        );
        expect(progressLine({ done: 1, total: 50, secondsPerPoint: [600], inFlight: null })).toBe(
            "study: 1/50 points, ETA 8 h 10 min",
        );
        expect(progressLine({ done: 8, total: 8, secondsPerPoint: [1], inFlight: null })).toBe(
            "study: 8/8 points, done",
        );
    });
});

const trial = (rate: number, pass: boolean, extra: Partial<Trial> = {}): Trial => ({
    rate,
    inputRate: rate * 0.92,
    consumedRate: rate * 0.92,
    lagTrend: 0,
    achievedRate: rate,
    p99Ms: pass ? 40 + rate / 1000 : null,
    pass,
    why: pass ? "sustained" : "lag grew",
    generatorBound: false,
    seconds: 30,
    checkpointMsP50: rate / 100,
    ...extra,
});

function resultsOf(engine: "arroyo" | "flink", slots: number, image: string, cpusPerWorker: number | null) {
    return {
        finishedAt: "2026-12-07T05:00:00.000Z",
        load: {
            host: "gen",
            threads: 1,
            aloneEventsPerSecond: null,
            intoBrokerEventsPerSecond: 1e6,
            ceiling: "given",
            client: "kafkajs",
        },
        versions: { images: { arroyo: image, flink: image, kafka: "k", minio: "m" }, node: "v22" },
        topology: {
            engine,
            totalSlots: slots,
            budget: { memoryPerSlotMb: 1024, cpusPerWorker },
        },
    } as unknown as BenchmarkResults;
}

const search = (
    query: string,
    parallelism: number,
    trials: Trial[],
    end: CapacityResult["search"]["end"] = "resolved",
): CapacityResult => {
    const best = trials.filter((t) => t.pass).sort((a, b) => b.rate - a.rate)[0];
    return {
        query,
        title: `${query} title`,
        parallelism,
        efficiency: null,
        search: { mst: best ? { rate: best.rate, inputRate: best.inputRate } : null, end, note: "n", trials },
    };
};

describe("the study's points and report", () => {
    const flink1 = pointOf(
        resultsOf("flink", 1, "arroyo-pi/flink:2.2.1", 2),
        search("q1", 1, [trial(1000, true), trial(2000, true), trial(4000, false), trial(3000, false)]),
        { workers: 1, results: "runs/flink-w1/x", id: "flink-w1-q1" },
    );
    const flink2 = pointOf(
        resultsOf("flink", 2, "arroyo-pi/flink:2.2.1", 2),
        search("q1", 2, [
            trial(2000, true),
            trial(4000, true),
            trial(8000, false, { why: "invalid: job restarted once" }),
        ]),
        { workers: 2, results: "runs/flink-w2/x", id: "flink-w2-q1" },
    );
    const double1 = pointOf(
        resultsOf("arroyo", 1, "arroyo-pi/arroyo-double:abc", 2),
        search(
            "q1",
            1,
            [trial(1000, true), trial(2000, false, { generatorBound: true, why: "generator-bound: it sent 1800" })],
            "generator-bound",
        ),
        { workers: 1, results: "runs/arroyo-w1/x", id: "arroyo-w1-q1" },
    );

    it("takes the MST trial's p99 and checkpoint duration, the budget's CPUs and memory, and what spoiled it", () => {
        expect(flink1).toMatchObject({
            engine: "flink",
            engineLabel: "Flink",
            mst: { rate: 2000, inputRate: 1840 },
            p99MsAtMst: 42,
            checkpointMsP50AtMst: 20,
            cpus: 2,
            memoryMb: 1024,
            trials: 4,
            flags: [],
        });
        expect(flink2).toMatchObject({ cpus: 4, memoryMb: 2048, flags: ["restarted"] });
        expect(double1).toMatchObject({ engineLabel: "Arroyo (test double, not Arroyo)", flags: ["generator-bound"] });
    });

    it("has no CPU figure where the workers have no CPU limit", () => {
        const p = pointOf(resultsOf("flink", 1, "f", null), search("q1", 1, [trial(1000, true)]), {
            workers: 1,
            results: "r",
            id: "flink-w1-q1",
        });
        expect(p.cpus).toBeNull();
        expect(studyReport([p]).queries[0].rows[0].perCpu).toBeNull();
    });

    it("computes scaling efficiency against the engine's own 1-worker MST, and per CPU and per GB", () => {
        const r = studyReport([flink2, double1, flink1]);
        const rows = r.queries[0].rows;
        expect(rows.map((x) => x.id)).toEqual(["arroyo-w1-q1", "flink-w1-q1", "flink-w2-q1"]);
        const f2 = rows[2];
        // MST(2) = 4000 x 0.92, MST(1) = 2000 x 0.92: 3680 / (2 x 1840) = 1.
        expect(f2.efficiency).toBeCloseTo(1, 10);
        expect(rows[1].efficiency).toBeCloseTo(1, 10);
        expect(f2.perCpu).toBeCloseTo(3680 / 4, 10);
        expect(f2.perGb).toBeCloseTo(3680 / 2, 10);
        expect(r.double).toBe(true);
        expect(r.budgetNotes).toEqual([]);
    });

    it("says when the points ran on different budgets", () => {
        const other = { ...flink2, budget: { memoryPerSlotMb: 768, cpusPerWorker: 2 } };
        expect(studyReport([flink1, other]).budgetNotes[0]).toMatch(/different budgets per worker .*1024.* vs .*768/);
    });

    it("writes a table row per point, the double named as such, a generator-bound MST as a lower bound", () => {
        const md = studyMarkdown(studyReport([flink1, flink2, double1]), { stack: "local", searchArgs: [] });
        expect(md).toContain("**Arroyo here is this project's test double**");
        expect(md).toContain(
            "| Flink | 2 | 2 | 3,680 (4,000 target) | 1.00 | 920 | 1,840 | 44 | 40 | 3 | resolved: n | restarted |",
        );
        expect(md).toContain("| Arroyo (test double, not Arroyo) | 1 | 1 | at least 920 (1,000 target) |");
        expect(md).toContain("![q1](q1-scaling.svg)");
    });

    it("charts each engine's measured curve and its ideal line", () => {
        const s = scalingChartSpec(studyReport([flink1, flink2]).queries[0]) as { data: { values: unknown[] } };
        expect(s.data.values).toEqual([
            { engine: "Flink", workers: 1, mst: 1840, series: "measured" },
            { engine: "Flink", workers: 2, mst: 3680, series: "measured" },
            { engine: "Flink", workers: 1, mst: 1840, series: "ideal" },
            { engine: "Flink", workers: 2, mst: 3680, series: "ideal" },
        ]);
    });
});
