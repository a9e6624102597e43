// The test double held against a real Arroyo v0.15.0 (test/helpers/realArroyo.ts), where its binary
// exists: every Arroyo query file validated by Arroyo's own planner, and a query through the
// benchmark with the same checks the double passes. Skipped with one line without the binary.
import { runBenchmark } from "../../benchmark/run";
import { listQueries, renderQuery, selectQueries } from "../../benchmark/queries";
import { ArroyoEngine } from "../../benchmark/engines/arroyo";
import { ArroyoClient } from "../../benchmark/engines/arroyo/client";
import { RunningBroker, startKafkaBroker } from "../../toolchain/kafkaBroker";
import { doubleOutputs, NEXMARK_TOPICS } from "../helpers/doubleCluster";
import { arroyoBinary, RealArroyo, startRealArroyo } from "../helpers/realArroyo";

const bin = arroyoBinary();
if (!bin)
    console.log(
        "skipped: the real Arroyo suite needs an arroyo v0.15.0 binary (ARROYO_BIN, default ~/.cache/arroyo-pi/bin/arroyo); none can be downloaded here",
    );
const describeWithArroyo = bin ? describe : describe.skip;

describeWithArroyo("the benchmark on a real Arroyo v0.15.0", () => {
    let broker: RunningBroker;
    let arroyo: RealArroyo;

    beforeAll(async () => {
        [broker, arroyo] = await Promise.all([
            startKafkaBroker({ topics: Object.fromEntries(Object.values(NEXMARK_TOPICS).map((t) => [t, 2])) }),
            startRealArroyo(bin!),
        ]);
    }, 300_000);
    afterAll(async () => {
        await arroyo?.stop();
        await broker?.stop();
    });

    /** One query through the benchmark on the real Arroyo: 1,000 ev/s, 30,000 events, parallelism 1, 2 s checkpoints. */
    async function runOnArroyo(query: string, runTag: string) {
        const [q] = await runBenchmark({
            outputs: doubleOutputs(broker.bootstrapServers, arroyo.apiUrl),
            engine: new ArroyoEngine(arroyo.apiUrl),
            queries: selectQueries([query], "arroyo"),
            parallelism: 1,
            checkpointIntervalSeconds: 2,
            seed: 7,
            threads: 1,
            sampleIntervalMs: 500,
            metricsIntervalMs: 1_000,
            hostMetrics: false,
            thermal: false,
            lagThreshold: 0.05,
            eventsPerSecond: 1_000,
            totalEvents: 30_000,
            warmupEvents: 10_000,
            runTag,
            drainMs: 30_000,
        });
        return q;
    }

    it("real Arroyo plans every Arroyo query file", async () => {
        const client = new ArroyoClient({ baseUrl: arroyo.apiUrl });
        const problems: string[] = [];
        const queries = listQueries("arroyo");
        for (const q of queries) {
            const sql = renderQuery(q, {
                bootstrapServers: broker.bootstrapServers,
                resultsTopic: `plan-${q.id}`,
                resultsFilesUrl: "file:///tmp/arroyo-pi-plan",
                updatingTtlSeconds: 600,
                source: { kind: "kafka", topics: NEXMARK_TOPICS, groups: { person: "p", auction: "a", bid: "b" } },
            });
            const errors = (await client.validateQuery(sql)).errors;
            if (errors.length) problems.push(`${q.id}: ${errors.join("; ")}`);
        }
        expect(problems).toEqual([]);
        expect(queries.length).toBe(17);
    }, 300_000);

    it("real Arroyo runs q1 through the benchmark: every event sent consumed by its committed offsets, sustainable", async () => {
        const q = await runOnArroyo("q1", "real");
        const last = q.samples.progress[q.samples.progress.length - 1];
        console.log(
            `real Arroyo q1: valid ${q.validity.valid}, verdict ${q.figures.kafka.verdict} (${q.figures.kafka.verdictReason}), consumed ${last.consumed} of ${last.input}, Arroyo vs Kafka ${JSON.stringify(q.figures.engine)}`,
        );
        expect(q.validity).toEqual({ valid: true, reasons: [] });
        expect(last.consumed).toBe(last.input);
        expect(q.figures.kafka.verdict).toBe("sustainable");
    }, 900_000);

    it("real Arroyo runs q5 (hop windows): consumed = sent, output timed from its windows' end", async () => {
        const q = await runOnArroyo("q5", "realq5");
        const last = q.samples.progress[q.samples.progress.length - 1];
        console.log(
            `real Arroyo q5: valid ${q.validity.valid}, verdict ${q.figures.kafka.verdict}, consumed ${last.consumed} of ${last.input}, output ${q.figures.kafka.outputRate} rec/s, latency ${JSON.stringify(q.figures.latencyMs)} from ${q.figures.latencyFrom}, late-rows risk ${q.figures.load?.lateRowsRisk ?? null}`,
        );
        expect(q.validity.valid).toBe(true);
        expect(last.consumed).toBe(last.input);
        expect(q.figures.latencyFrom).toBe("window-end");
        expect(q.figures.latencyMs!.count).toBeGreaterThan(0);
    }, 900_000);
});
