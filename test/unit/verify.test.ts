import {
    compareOutputs,
    expectedOutput,
    recordKey,
    STATELESS,
    compareRecordedOutputs,
    recordedOutput,
} from "../../benchmark/verify";
import { NexmarkGenerator } from "../../benchmark/nexmark/generator";
import { listQueries } from "../../benchmark/queries";
import { baseTime } from "../../benchmark/cliOptions";

const load = { seed: 3, baseTimeMs: Date.UTC(2026, 10, 30, 12), eventsPerSecond: 1000, totalEvents: 5_000 };

describe("--verify against the generator", () => {
    it("covers the stateless queries, and they are stateless in both engines' files", () => {
        expect(Object.keys(STATELESS).sort()).toEqual(["q0", "q1", "q14", "q2", "q21", "q22"]);
        for (const engine of ["arroyo", "flink"] as const) {
            for (const q of listQueries(engine).filter((x) => STATELESS[x.id])) {
                expect(q.body).not.toMatch(/GROUP BY|JOIN|OVER|debezium/i);
            }
        }
    });

    it("keys a record the same whichever engine printed it: times as instants, doubles to 12 digits", () => {
        const cols = ["auction", "price", "datetime"];
        expect(recordKey(cols, { auction: 1, price: 9.080000000000002, datetime: "2026-11-30T12:00:00.490Z" })).toBe(
            recordKey(cols, { auction: 1, price: 9.08, datetime: "2026-11-30T12:00:00.49Z" }),
        );
        expect(recordKey(cols, { auction: 1, price: 9.08, datetime: "2026-11-30T12:00:00.490" })).toBe(
            recordKey(cols, { price: 9.08, auction: 1, datetime: "2026-11-30T12:00:00.490Z" }),
        );
        expect(recordKey(cols, { auction: 1, price: 9.08 })).not.toBe(recordKey(cols, { auction: 2, price: 9.08 }));
    });

    it("expects of q1 every bid, its price in euros, and of q2 only the bids on every 123rd auction", () => {
        const q1 = listQueries("flink").find((q) => q.id === "q1")!;
        const expected = expectedOutput("q1", q1.columns, load);
        const bids = [...expected.values()].reduce((s, n) => s + n, 0);
        expect(bids).toBe(4_600);
        const g = new NexmarkGenerator(load);
        const b = g.bid(10); // events 4-49 of every 50 are bids
        expect(
            expected.get(
                recordKey(q1.columns, { ...b, price: 0.908 * b.price, datetime: new Date(b.datetime).toISOString() }),
            ),
        ).toBeGreaterThanOrEqual(1);
        // q2 is exactly the bids whose auction is a multiple of 123, each with its price and time.
        const q2 = expectedOutput("q2", ["auction", "price", "datetime"], load);
        const gen = new NexmarkGenerator(load);
        const onEvery123rd = new Map<string, number>();
        for (let n = 0; n < load.totalEvents; n++) {
            if (n % 50 < 4) continue;
            const bid = gen.bid(n);
            if (bid.auction % 123 !== 0) continue;
            const k = recordKey(["auction", "price", "datetime"], {
                auction: bid.auction,
                price: bid.price,
                datetime: new Date(bid.datetime).toISOString(),
            });
            onEvery123rd.set(k, (onEvery123rd.get(k) ?? 0) + 1);
        }
        expect(onEvery123rd.size).toBeGreaterThan(0);
        expect(q2).toEqual(onEvery123rd);
        for (const k of q2.keys()) expect((JSON.parse(k) as number[])[0] % 123).toBe(0);
        expect(() => expectedOutput("q5", ["auction", "num"], load)).toThrow(/q5 is not stateless/);
    });

    it("reports matched, missing and extra records as multisets: a replayed record is extra", () => {
        const expected = new Map([
            ["a", 2],
            ["b", 1],
        ]);
        expect(compareOutputs(expected, ["a", "b", "a"])).toMatchObject({
            expected: 3,
            read: 3,
            matched: 3,
            missing: 0,
            extra: 0,
        });
        expect(compareOutputs(expected, ["a", "a", "a", "c"])).toMatchObject({
            matched: 2,
            missing: 1,
            extra: 2,
            missingExamples: ["b"],
            extraExamples: ["a", "c"],
        });
    });
});

describe("stateful outputs recorded under a fixed base time, compared between runs", () => {
    const load = { baseTimeMs: Date.UTC(2026, 0, 1), seed: 7, eventsPerSecond: 1_000, totalEvents: 30_000 };
    const columns = ["auction", "num"];
    const run = (rows: Record<string, unknown>[], from = load) => recordedOutput(columns, rows, from);

    it("records each output as a key with its count, sorted, and compares b against a as multisets", () => {
        const a = run([
            { auction: 2, num: 3 },
            { auction: 1, num: 3 },
            { auction: 2, num: 3 },
        ]);
        expect(a.records).toBe(3);
        expect(a.keys).toEqual([
            ["[1,3]", 1],
            ["[2,3]", 2],
        ]);
        expect(
            compareRecordedOutputs(
                a,
                run([
                    { auction: 2, num: 3 },
                    { auction: 1, num: 3 },
                    { auction: 2, num: 3 },
                ]),
            ),
        ).toMatchObject({
            expected: 3,
            read: 3,
            matched: 3,
            missing: 0,
            extra: 0,
        });
        // One of a's twice-written rows missing in b, and a row a never wrote.
        expect(
            compareRecordedOutputs(
                a,
                run([
                    { auction: 2, num: 3 },
                    { auction: 1, num: 3 },
                    { auction: 5, num: 1 },
                ]),
            ),
        ).toMatchObject({
            matched: 2,
            missing: 1,
            extra: 1,
            missingExamples: ["[2,3]"],
            extraExamples: ["[5,1]"],
        });
    });

    it("refuses outputs of different loads, naming each difference with both values", () => {
        const a = run([{ auction: 1, num: 1 }]);
        expect(
            compareRecordedOutputs(a, run([{ auction: 1, num: 1 }], { ...load, baseTimeMs: load.baseTimeMs + 1_000 })),
        ).toEqual({
            notCompared: `the loads differ, so the events and windows do: baseTimeMs ${load.baseTimeMs} vs ${load.baseTimeMs + 1_000}`,
        });
        expect(compareRecordedOutputs(a, run([{ auction: 1, num: 1 }], { ...load, seed: 8, totalEvents: 1 }))).toEqual({
            notCompared: "the loads differ, so the events and windows do: seed 7 vs 8, totalEvents 30000 vs 1",
        });
    });

    it("takes --base-time as an instant or epoch ms on a whole second, and names the flag otherwise", () => {
        expect(baseTime("2026-01-01T00:00:00Z")).toBe(Date.UTC(2026, 0, 1));
        expect(baseTime("1767225600000")).toBe(Date.UTC(2026, 0, 1));
        expect(() => baseTime("2026-01-01T00:00:00.500Z")).toThrow(
            "--base-time 2026-01-01T00:00:00.500Z is not on a whole second: windows would fall differently on the engines' bins; use e.g. 2026-01-01T00:00:00.000Z",
        );
        expect(() => baseTime("yesterday")).toThrow("--base-time takes an instant such as 2026-01-01T00:00:00Z");
        expect(() => baseTime("2026-01-01")).toThrow("--base-time takes an instant");
    });
});
