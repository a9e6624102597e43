// The test double's window timing against Arroyo v0.15.0's rules, on recorded event series. Each
// expectation is worked out from the rules as Arroyo's source states them, not from the double:
// watermark_generator.rs (a source subtask sends its batch's min(datetime) - 4 s, only when the
// batch's max is more than 1 s past the one it last sent at), context.rs WatermarkHolder (an
// operator's watermark is the least of its inputs' last ones, none until all have sent), and
// tumbling_aggregating_window.rs (a row is dropped only when its bin started before the
// watermark's bin; a bin closes once the watermark's bin is past it).
import { WindowTiming } from "../doubles/arroyo-stand-in/engine";

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0); // a multiple of 10 s
const row = (ms: number) =>
    Buffer.from(JSON.stringify({ auction: 1, price: 1, datetime: new Date(T0 + ms).toISOString() }));
const tumble10s = { kind: "tumble" as const, slideMs: 10_000, widthMs: 10_000 };

describe("the double's windows close and drop as Arroyo 0.15's do", () => {
    it("has no watermark until every input has sent one, and then the least of their last ones", () => {
        const w = new WindowTiming(tumble10s, 2);
        expect(w.take(0, [row(12_000), row(13_000)])).toEqual([]);
        // Input 0 sent 12 s - 4 s = 8 s; input 1 has sent nothing: no watermark, nothing closes.
        expect(w.watermark).toBeUndefined();
        w.take(1, [row(15_000)]);
        expect(w.watermark).toBe(T0 + 8_000); // min(8 s, 11 s)
    });

    it("sends a source subtask's watermark only when its batches moved more than 1 s, with the batch's own minimum", () => {
        const w = new WindowTiming(tumble10s, 1);
        w.take(0, [row(20_000)]); // first batch: max 20 s > epoch + 1 s: sends 16 s
        expect(w.watermark).toBe(T0 + 16_000);
        w.take(0, [row(20_500), row(21_000)]); // max 21 s is not more than 1 s past 20 s: nothing sent
        expect(w.watermark).toBe(T0 + 16_000);
        w.take(0, [row(19_000), row(21_100)]); // max 21.1 s > 21 s: sends this batch's min - 4 s = 15 s, lower than before
        expect(w.watermark).toBe(T0 + 15_000);
    });

    it("closes a 10 s window once the watermark's bin is past it, stamped with its end", () => {
        const w = new WindowTiming(tumble10s, 1);
        expect(w.take(0, [row(1_000), row(9_000)])).toEqual([]); // watermark 1 s - 4 s
        expect(w.take(0, [row(13_000)])).toEqual([]); // watermark 9 s: bin [0, 10) still open
        const closed = w.take(0, [row(14_500)]); // watermark 10.5 s: bin [0, 10) closes
        expect(closed.map((c) => [c.end - T0, c.values.length])).toEqual([[10_000, 2]]);
    });

    it("keeps a row behind the watermark whose bin is still open, and drops one whose bin closed", () => {
        const w = new WindowTiming(tumble10s, 1);
        w.take(0, [row(17_000)]); // watermark 13 s: the open bin is [10, 20)
        w.take(0, [row(11_000)]); // 11 s < 13 s, but its bin [10, 20) is the watermark's: kept (the old double dropped it)
        expect(w.dropped).toBe(0);
        w.take(0, [row(9_000)]); // bin [0, 10) started before the watermark's bin: dropped
        expect(w.dropped).toBe(1);
        const closed = w.take(0, [row(25_000)]); // watermark 21 s: [10, 20) closes with 17 s and 11 s
        expect(closed.map((c) => [c.end - T0, c.values.length])).toEqual([[20_000, 2]]);
    });

    it("drops session rows by the watermark itself", () => {
        const w = new WindowTiming({ kind: "session", gapMs: 10_000 }, 1);
        w.take(0, [row(17_000)]); // watermark 13 s
        w.take(0, [row(12_999)]);
        w.take(0, [row(13_000)]);
        expect(w.dropped).toBe(1);
    });
});

describe("the double's windows on Arroyo's Nexmark source", () => {
    it("trail event time by the planner's default 1 s, not the Kafka tables' 4 s", () => {
        const w = new WindowTiming(tumble10s, 1, 1_000);
        const closed = w.take(0, [row(5_000), row(11_500)]); // watermark 5 s - 1 s = 4 s
        expect(w.watermark).toBe(T0 + 4_000);
        expect(closed).toEqual([]);
        expect(w.take(0, [row(12_000), row(13_000)]).map((c) => c.end - T0)).toEqual([10_000]); // watermark 11 s
    });
});
