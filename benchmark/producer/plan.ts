import { kindCounts, kindIndex, PROPORTION_DENOMINATOR } from "../nexmark/model";

/**
 * Events are dealt to worker threads in blocks, round-robin. A block is a whole number of
 * 50-event Nexmark cycles, so every worker sends the 1:3:46 mix and no kind drifts ahead.
 */
export const BLOCK_EVENTS = PROPORTION_DENOMINATOR * 20;

export interface EventRange {
    first: number;
    count: number;
}

/** The ranges of event numbers worker `w` of `workers` sends, out of [first, first + total). */
export function rangesForWorker(w: number, workers: number, first: number, total: number): EventRange[] {
    const ranges: EventRange[] = [];
    const end = first + total;
    for (let start = first + w * BLOCK_EVENTS; start < end; start += workers * BLOCK_EVENTS) {
        ranges.push({ first: start, count: Math.min(BLOCK_EVENTS, end - start) });
    }
    return ranges;
}

/** Kafka partition of event `n`: its kind's sequence number round-robin, so partitions fill evenly. */
export function partitionOf(n: number, partitions: number): number {
    return kindIndex(n) % partitions;
}

/** Exactly how many records each partition of each topic gets from [first, first + total). */
export function expectedPartitionCounts(
    first: number,
    total: number,
    partitions: number,
): Record<"person" | "auction" | "bid", number[]> {
    const before = kindCounts(0, first);
    const after = kindCounts(0, first + total);
    const spread = (a: number, b: number) =>
        Array.from({ length: partitions }, (_, p) => countCongruent(a, b, p, partitions));
    return {
        person: spread(before.person, after.person),
        auction: spread(before.auction, after.auction),
        bid: spread(before.bid, after.bid),
    };
}

/** Integers x in [a, b) with x mod m == r. */
function countCongruent(a: number, b: number, r: number, m: number): number {
    const upTo = (x: number) => (x <= r ? 0 : Math.floor((x - r - 1) / m) + 1);
    return upTo(b) - upTo(a);
}
