import { compareOutputs, expectedOutput, recordKey, STATELESS } from "../../benchmark/verify";
import { NexmarkGenerator } from "../../benchmark/nexmark/generator";
import { listQueries } from "../../benchmark/queries";

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
        expect(recordKey(cols, { auction: 1, price: 9.080000000000002, datetime: "2026-11-30T12:00:00.490Z" })).toBe(recordKey(cols, { auction: 1, price: 9.08, datetime: "2026-11-30T12:00:00.49Z" }));
        expect(recordKey(cols, { auction: 1, price: 9.08, datetime: "2026-11-30T12:00:00.490" })).toBe(recordKey(cols, { price: 9.08, auction: 1, datetime: "2026-11-30T12:00:00.490Z" }));
        expect(recordKey(cols, { auction: 1, price: 9.08 })).not.toBe(recordKey(cols, { auction: 2, price: 9.08 }));
    });

    it("expects of q1 every bid, its price in euros, and of q2 only the bids on every 123rd auction", () => {
        const q1 = listQueries("flink").find((q) => q.id === "q1")!;
        const expected = expectedOutput("q1", q1.columns, load);
        const bids = [...expected.values()].reduce((s, n) => s + n, 0);
        expect(bids).toBe(4_600);
        const g = new NexmarkGenerator(load);
        const b = g.bid(10); // events 4-49 of every 50 are bids
        expect(expected.get(recordKey(q1.columns, { ...b, price: 0.908 * b.price, datetime: new Date(b.datetime).toISOString() }))).toBeGreaterThanOrEqual(1);
        const q2 = expectedOutput("q2", ["auction", "price", "datetime"], load);
        const q2count = [...q2.values()].reduce((s, n) => s + n, 0);
        expect(q2count).toBeGreaterThan(0);
        expect(q2count).toBeLessThan(bids / 10);
        expect(() => expectedOutput("q5", ["auction", "num"], load)).toThrow(/q5 is not stateless/);
    });

    it("reports matched, missing and extra records as multisets: a replayed record is extra", () => {
        const expected = new Map([
            ["a", 2],
            ["b", 1],
        ]);
        expect(compareOutputs(expected, ["a", "b", "a"])).toMatchObject({ expected: 3, read: 3, matched: 3, missing: 0, extra: 0 });
        expect(compareOutputs(expected, ["a", "a", "a", "c"])).toMatchObject({ matched: 2, missing: 1, extra: 2, missingExamples: ["b"], extraExamples: ["a", "c"] });
    });
});
