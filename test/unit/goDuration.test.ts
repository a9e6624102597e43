import { goDuration, isCanonicalGoDuration, parseGoDuration } from "../../lib/goDuration";

// What Go's time.Duration.String() printed for these durations (go1.26, time.Duration(ms * 1e6)).
const GO_PRINTS: [number, string][] = [
    [0, "0s"],
    [1e-6, "1ns"],
    [0.0015, "1.5µs"],
    [0.5, "500µs"],
    [1, "1ms"],
    [250, "250ms"],
    [999, "999ms"],
    [1000, "1s"],
    [1500, "1.5s"],
    [5000, "5s"],
    [15000, "15s"],
    [59999, "59.999s"],
    [60000, "1m0s"],
    [61000, "1m1s"],
    [90000, "1m30s"],
    [3.6e6, "1h0m0s"],
    [3.661e6, "1h1m1s"],
    [8.64e7, "24h0m0s"],
    [123456.789, "2m3.456789s"],
];

describe("Go's duration form, as the docker provider stores it", () => {
    it.each(GO_PRINTS)("%p ms prints as %p", (ms, text) => {
        expect(goDuration(ms)).toBe(text);
        expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
        expect(isCanonicalGoDuration(text)).toBe(true);
    });

    it("tells the provider's form from other spellings of the same duration", () => {
        expect(isCanonicalGoDuration("60s")).toBe(false);
        expect(isCanonicalGoDuration("90s")).toBe(false);
        expect(isCanonicalGoDuration("1000ms")).toBe(false);
        expect(isCanonicalGoDuration("soon")).toBe(false);
        expect(parseGoDuration("60s")).toBe(60_000);
    });

    it("refuses negative and non-finite durations", () => {
        expect(() => goDuration(-1)).toThrow("a duration must be a finite number of milliseconds >= 0 (got -1)");
        expect(() => parseGoDuration("5 minutes")).toThrow("'5 minutes' is not a Go duration");
    });
});
