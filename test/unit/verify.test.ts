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
        // Events 0 to totalEvents - 1 only: of the first 10, 4 to 9 are bids; event 10 is one too.
        const firstTen = expectedOutput("q0", ["auction", "bidder", "price", "datetime", "extra"], {
            ...load,
            totalEvents: 10,
        });
        expect([...firstTen.values()].reduce((s, n) => s + n, 0)).toBe(6);
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
        // Sorted whatever order the rows came in.
        const scrambled = run([5, 3, 9, 1, 7, 3, 2].map((auction) => ({ auction, num: 1 })));
        expect(scrambled.keys.map(([k]) => k)).toEqual(["[1,1]", "[2,1]", "[3,1]", "[5,1]", "[7,1]", "[9,1]"]);
        expect(scrambled.keys.find(([k]) => k === "[3,1]")?.[1]).toBe(2);
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

describe("what each stateless query writes for one bid, as its SQL computes it", () => {
    const bid = {
        auction: 1_000,
        bidder: 7,
        price: 2_000_000,
        channel: "Google",
        url: "https://www.nexmark.com/ab/cde/f_g/item.htm?query=1&channel_id=99",
        datetime: Date.UTC(2026, 0, 1, 8, 30),
        extra: "abcccdc",
    };

    it("q0 passes the bid through; q1 converts its price to euros (0.908 per dollar)", () => {
        expect(STATELESS.q0(bid)).toEqual({
            auction: 1_000,
            bidder: 7,
            price: 2_000_000,
            datetime: bid.datetime,
            extra: "abcccdc",
        });
        expect(STATELESS.q1(bid)).toMatchObject({ price: 1_816_000, auction: 1_000, bidder: 7 });
    });

    it("q2 keeps a bid only on auctions that are multiples of 123", () => {
        expect(STATELESS.q2({ ...bid, auction: 246 })).toEqual({
            auction: 246,
            price: 2_000_000,
            datetime: bid.datetime,
        });
        expect(STATELESS.q2({ ...bid, auction: 247 })).toBeNull();
    });

    it("q14 keeps euro prices strictly between 1,000,000 and 50,000,000, by the UTC hour, counting the c's of extra", () => {
        expect(STATELESS.q14(bid)).toEqual({
            auction: 1_000,
            bidder: 7,
            price: 1_816_000,
            bid_time_type: "dayTime",
            datetime: bid.datetime,
            extra: "abcccdc",
            c_counts: 4,
        });
        // 0.908 x price exactly at either bound is excluded; 1,102,000 dollars (1,000,616 euros) and
        // 55,000,000 (49,940,000) are inside, 1,100,000 (998,800) is not.
        expect(STATELESS.q14({ ...bid, price: 1_000_000 / 0.908 })).toBeNull();
        expect(STATELESS.q14({ ...bid, price: 50_000_000 / 0.908 })).toBeNull();
        expect(STATELESS.q14({ ...bid, price: 1_102_000 })).not.toBeNull();
        expect(STATELESS.q14({ ...bid, price: 1_100_000 })).toBeNull();
        expect(STATELESS.q14({ ...bid, price: 55_000_000 })).not.toBeNull();
        const at = (hour: number) =>
            (STATELESS.q14({ ...bid, datetime: Date.UTC(2026, 0, 1, hour, 59) }) as { bid_time_type: string })
                .bid_time_type;
        // 8-18 day, 0-6 and 20-23 night, 7 and 19 other.
        expect([0, 6, 7, 8, 18, 19, 20, 23].map(at)).toEqual([
            "nightTime",
            "nightTime",
            "otherTime",
            "dayTime",
            "dayTime",
            "otherTime",
            "nightTime",
            "nightTime",
        ]);
        expect((STATELESS.q14({ ...bid, extra: "" }) as { c_counts: number }).c_counts).toBe(0);
    });

    it("q21 names a hot channel's id by its name (any case), others' from the url's channel_id, and drops the rest", () => {
        expect(STATELESS.q21(bid)).toEqual({
            auction: 1_000,
            bidder: 7,
            price: 2_000_000,
            channel: "Google",
            channel_id: "1",
            datetime: bid.datetime,
        });
        const id = (channel: string, url: string) =>
            (STATELESS.q21({ ...bid, channel, url }) as { channel_id: string } | null)?.channel_id ?? null;
        expect(["apple", "FACEBOOK", "Baidu"].map((c) => id(c, "https://x/item.htm?query=1"))).toEqual(["0", "2", "3"]);
        expect(id("channel-5", "https://x/item.htm?query=1&channel_id=5709")).toBe("5709");
        expect(id("channel-5", "https://x/item.htm?query=1&channel_id=57&page=2")).toBe("57");
        // No channel_id, an empty one, or one not at the start of a parameter: the bid is dropped.
        const dropped = (url: string) => STATELESS.q21({ ...bid, channel: "channel-5", url });
        expect(dropped("https://x/item.htm?query=1")).toBeNull();
        expect(dropped("https://x/item.htm?query=1&channel_id=")).toBeNull();
        expect(dropped("https://x/item.htm?query=1&my_channel_id=5")).toBeNull();
        // The SQL's regex runs over the whole url, where '^' is its start, not the query string's.
        expect(dropped("https://x/item.htm?channel_id=5")).toBeNull();
        expect(id("channel-5", "channel_id=5")).toBe("5");
    });

    it("q22 splits the url's path into its first three directories, null where there are fewer", () => {
        expect(STATELESS.q22(bid)).toEqual({
            auction: 1_000,
            bidder: 7,
            price: 2_000_000,
            channel: "Google",
            dir1: "ab",
            dir2: "cde",
            dir3: "f_g",
            datetime: bid.datetime,
        });
        expect(STATELESS.q22({ ...bid, url: "https://www.nexmark.com/ab" })).toMatchObject({
            dir1: "ab",
            dir2: null,
            dir3: null,
        });
    });
});

describe("record keys and comparisons at their edges", () => {
    it("reads an offset time as the same instant in UTC, and a missing column as null", () => {
        expect(recordKey(["t"], { t: "2026-01-01T09:00:00+01:00" })).toBe(JSON.stringify([Date.UTC(2026, 0, 1, 8)]));
        expect(recordKey(["t"], { t: "2026-01-01T09:00:00.250-0230" })).toBe(
            JSON.stringify([Date.UTC(2026, 0, 1, 11, 30, 0, 250)]),
        );
        expect(recordKey(["a", "b"], { a: 1 })).toBe("[1,null]");
        // Text that is no timestamp stays text; whole numbers stay exact.
        expect(recordKey(["s", "n"], { s: "2026-01-01 pm", n: 12345678901234 })).toBe(
            '["2026-01-01 pm",12345678901234]',
        );
        expect(recordKey(["x"], { x: 1 / 3 })).toBe("[0.333333333333]");
        // Only a whole value is a time: text around one stays text.
        expect(recordKey(["s"], { s: "at 2026-01-01T09:00:00Z" })).toBe('["at 2026-01-01T09:00:00Z"]');
        expect(recordKey(["s"], { s: "2026-01-01T09:00:00Z!" })).toBe('["2026-01-01T09:00:00Z!"]');
    });

    it("keeps at most three examples of each kind of difference", () => {
        const expected = new Map(["a", "b", "c", "d", "e"].map((k) => [k, 1]));
        const v = compareOutputs(expected, ["v", "w", "x", "y"]);
        expect(v).toEqual({
            expected: 5,
            read: 4,
            matched: 0,
            missing: 5,
            extra: 4,
            missingExamples: ["a", "b", "c"],
            extraExamples: ["v", "w", "x"],
        });
    });
});
