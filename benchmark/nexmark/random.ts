/**
 * A small, fast PRNG whose stream is a pure function of (seed, event number), so any event can be
 * generated on any worker thread, in any order, and always comes out the same. Each event gets
 * its own stream (mulberry32, seeded through murmur3's finalizer), like the reference generator
 * seeds one Random per event.
 */
export class EventRandom {
    private state = 0;

    /** Re-seeds for event `n` of a run seeded with `seed`. */
    reset(seed: number, n: number): this {
        const lo = n >>> 0;
        const hi = Math.floor(n / 0x1_0000_0000) >>> 0;
        this.state = fmix32(fmix32(seed ^ 0x9e3779b9) ^ fmix32(lo + 0x7f4a7c15) ^ Math.imul(hi, 0x85ebca6b));
        return this;
    }

    /** Uniform 32-bit unsigned integer. */
    nextU32(): number {
        let t = (this.state = (this.state + 0x6d2b79f5) | 0);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return (t ^ (t >>> 14)) >>> 0;
    }

    /** Uniform in [0, 1) with 53 bits. */
    nextDouble(): number {
        return ((this.nextU32() >>> 5) * 67108864 + (this.nextU32() >>> 6)) / 9007199254740992;
    }

    /** Uniform integer in [0, bound), bound up to 2^53. */
    nextInt(bound: number): number {
        if (bound <= 0x1_0000_0000) return Math.floor((this.nextU32() / 0x1_0000_0000) * bound);
        return Math.floor(this.nextDouble() * bound);
    }
}

function fmix32(h: number): number {
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
}
