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
