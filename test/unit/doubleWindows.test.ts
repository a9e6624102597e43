// The test double's window timing against Arroyo v0.15.0's rules, on recorded event series. Each
// expectation is worked out from the rules as Arroyo's source states them, not from the double:
// watermark_generator.rs (a source subtask sends its batch's min(datetime) - 4 s, only when the
// batch's max is more than 1 s past the one it last sent at), context.rs WatermarkHolder (an
// operator's watermark is the least of its inputs' last ones, none until all have sent), and
// tumbling_aggregating_window.rs (a row is dropped only when its bin started before the
// watermark's bin; a bin closes once the watermark's bin is past it), sliding_aggregating_window.rs
// (should_advance/advance: one bin at a time, each emitting [bin_end - width, bin_end) when it
// holds rows) and session_aggregating_window.rs (one session per key; a row joins it before last
// + gap; it closes once last + gap is before the watermark).
import { WindowTiming } from "../doubles/arroyo-stand-in/engine";

const T0 = Date.UTC(2026, 11, 6, 12, 0, 0); // a multiple of 10 s
const row = (ms: number) =>
    Buffer.from(JSON.stringify({ auction: 1, price: 1, datetime: new Date(T0 + ms).toISOString() }));
const tumble10s = { kind: "tumble" as const, slideMs: 10_000, widthMs: 10_000 };
const hop2s10s = { kind: "hop" as const, slideMs: 2_000, widthMs: 10_000 };
const bid = (bidder: number, ms: number) =>
    Buffer.from(JSON.stringify({ bidder, datetime: new Date(T0 + ms).toISOString() }));
const byBidder = (v: Buffer | null) => String((JSON.parse(String(v)) as { bidder: number }).bidder);
/** A closed window as [end - T0, the seconds of its rows' times]. */
const seconds = (closed: { end: number; rows: { value: Buffer | null }[] }[]) =>
    closed.map((c) => [
        c.end - T0,
        c.rows.map((r) => (Date.parse((JSON.parse(String(r.value)) as { datetime: string }).datetime) - T0) / 1000),
    ]);

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
        expect(closed.map((c) => [c.end - T0, c.rows.length])).toEqual([[10_000, 2]]);
    });

    it("keeps a row behind the watermark whose bin is still open, and drops one whose bin closed", () => {
        const w = new WindowTiming(tumble10s, 1);
        w.take(0, [row(17_000)]); // watermark 13 s: the open bin is [10, 20)
        w.take(0, [row(11_000)]); // 11 s < 13 s, but its bin [10, 20) is the watermark's: kept (the old double dropped it)
        expect(w.dropped).toBe(0);
        w.take(0, [row(9_000)]); // bin [0, 10) started before the watermark's bin: dropped
        expect(w.dropped).toBe(1);
        const closed = w.take(0, [row(25_000)]); // watermark 21 s: [10, 20) closes with 17 s and 11 s
        expect(closed.map((c) => [c.end - T0, c.rows.length])).toEqual([[20_000, 2]]);
    });

    it("drops session rows by the watermark itself", () => {
        const w = new WindowTiming({ kind: "session", gapMs: 10_000 }, 1);
        w.take(0, [row(17_000)]); // watermark 13 s
        w.take(0, [row(12_999)]);
        w.take(0, [row(13_000)]);
        expect(w.dropped).toBe(1);
    });
});

describe("the double's sliding and session windows close as Arroyo 0.15's do", () => {
    it("emits every 10 s window sliding by 2 s that holds a row, with all of its bins, once the watermark's bin reaches its end", () => {
        const w = new WindowTiming(hop2s10s, 1);
        expect(w.take(0, [row(1_000), row(5_000)])).toEqual([]); // watermark 1 s - 4 s
        // Watermark 30 s - 4 s = 26 s, bin [26, 28): every window ending at or before 26 s that holds
        // the bin [0, 2) (ends 2..10) or [4, 6) (ends 6..14); the row at 30 s waits in [30, 32).
        expect(seconds(w.take(0, [row(30_000)]))).toEqual([
            [2_000, [1]],
            [4_000, [1]],
            [6_000, [1, 5]],
            [8_000, [1, 5]],
            [10_000, [1, 5]],
            [12_000, [5]],
            [14_000, [5]],
        ]);
        // Watermark 33 s - 4 s = 29 s, bin [28, 30): no window ending at 28 holds a row; nothing again.
        expect(w.take(0, [row(33_000)])).toEqual([]);
        // Watermark 36 s - 4 s = 32 s: the window ending at 32 s holds [30, 32) and [32, ...) is open.
        expect(seconds(w.take(0, [row(36_000)]))).toEqual([[32_000, [30]]]);
        expect(w.dropped).toBe(0);
    });

    it("drops a row whose 2 s bin started before the watermark's bin, and keeps one inside it", () => {
        const w = new WindowTiming(hop2s10s, 1);
        w.take(0, [row(15_000)]); // watermark 11 s, bin [10, 12)
        w.take(0, [row(10_000)]); // bin [10, 12): kept
        w.take(0, [row(9_999)]); // bin [8, 10): dropped
        expect(w.dropped).toBe(1);
    });

    it("keeps one session per key, and closes it only once its last row + gap is before the watermark", () => {
        const w = new WindowTiming({ kind: "session", gapMs: 10_000 }, 1, 4_000, byBidder);
        expect(w.take(0, [bid(1, 0), bid(2, 3_000), bid(1, 5_000)])).toEqual([]); // watermark -4 s
        // Watermark 20 s - 4 s = 16 s: bidder 2's session ends 13 s, bidder 1's {0, 5} ends 15 s; bidder
        // 1's row at 20 s is past 5 s + 10 s, so it opens a second session for bidder 1.
        expect(seconds(w.take(0, [bid(1, 20_000)]))).toEqual([
            [13_000, [3]],
            [15_000, [0, 5]],
        ]);
        w.take(0, [bid(1, 29_000)]); // joins the session at 20 s (29 < 30); watermark 25 s
        expect(w.take(0, [bid(3, 43_000)])).toEqual([]); // watermark 39 s = 29 s + 10 s: not before it, still open
        expect(seconds(w.take(0, [bid(3, 44_100)]))).toEqual([[39_000, [20, 29]]]); // watermark 40.1 s
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
