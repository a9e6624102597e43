/**
 * End-to-end latency: the wall-clock time an output record was read minus the event time of the
 * input it came from. Event times are set from the same clock when the load is generated, so
 * both ends are on one clock. A 1 ms-bucket histogram keeps memory flat at any record count.
 */
export class LatencyHistogram {
    private readonly buckets: Uint32Array;
    private overflow = 0;
    private max = 0;
    count = 0;

    constructor(readonly limitMs = 300_000) {
        this.buckets = new Uint32Array(limitMs + 1);
    }

    record(latencyMs: number): void {
        const ms = Math.max(0, Math.round(latencyMs));
        this.count++;
        this.max = Math.max(this.max, ms);
        if (ms > this.limitMs) this.overflow++;
        else this.buckets[ms]++;
    }

    /** The smallest latency (ms) at or below which `p` of the records fall. */
    percentile(p: number): number | undefined {
        if (this.count === 0) return undefined;
        const rank = Math.ceil(p * this.count);
        let seen = 0;
        for (let ms = 0; ms < this.buckets.length; ms++) {
            seen += this.buckets[ms];
            if (seen >= rank) return ms;
        }
        return this.max;
    }

    summary(): { count: number; p50?: number; p95?: number; p99?: number; max?: number } {
        if (this.count === 0) return { count: 0 };
        return {
            count: this.count,
            p50: this.percentile(0.5),
            p95: this.percentile(0.95),
            p99: this.percentile(0.99),
            max: this.max,
        };
    }
}
