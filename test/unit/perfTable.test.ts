import { formatSpread, spread } from "../../benchmark/perf/table";

describe("the perf scripts' spread of repeated measurements", () => {
    it("takes the median and range of unsorted measurements without reordering them", () => {
        const xs = [140_272, 98_668, 155_618];
        expect(spread(xs)).toEqual({ min: 98_668, median: 140_272, max: 155_618 });
        expect(xs).toEqual([140_272, 98_668, 155_618]);
    });

    it("takes the upper middle of an even count", () => {
        expect(spread([4, 1, 3, 2]).median).toBe(3);
    });

    it("writes median (min-max) with the caller's number format", () => {
        expect(formatSpread(spread([1.0049, 0.9991, 1.002]), (x) => x.toFixed(3))).toBe("1.002 (0.999-1.005)");
    });
});
