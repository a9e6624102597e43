/** Time, injectable so rate control is tested on a fake clock. */
export interface Clock {
    /** Milliseconds since the epoch: threads share this clock, and event times are on it. */
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/**
 * Open-loop pacing: event i of this producer is due at start + i / rate. Waiting for the due
 * time of each batch (rather than sleeping a fixed time after each) never accumulates drift, so
 * the rate holds over any window as long as sending keeps up; when it does not, the producer
 * simply runs behind schedule and the achieved rate is what gets reported.
 */
export class Pacer {
    private startMs: number | undefined;

    constructor(
        private readonly eventsPerSecond: number,
        private readonly clock: Clock = systemClock,
    ) {
        if (!(eventsPerSecond > 0)) throw new Error("the target rate must be positive");
    }

    /** Starts the schedule now, or at `atMs` on the clock (threads share one start). */
    start(atMs?: number): void {
        this.startMs = atMs ?? this.clock.now();
    }

    /** Waits until event number `index` (0-based, on the schedule this pacer keeps) is due. */
    async waitUntilDue(index: number): Promise<void> {
        if (this.startMs === undefined) this.start();
        const due = (this.startMs as number) + (index * 1000) / this.eventsPerSecond;
        const wait = due - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
    }

    /** How far behind schedule event `index` is, ms (0 when on time). */
    lagMs(index: number): number {
        if (this.startMs === undefined) return 0;
        return Math.max(0, this.clock.now() - (this.startMs + (index * 1000) / this.eventsPerSecond));
    }
}

/** Counts per fixed window, for "rate within +-2% over 10-second windows" and for charts. */
export class RateWindows {
    private readonly counts: number[] = [];

    constructor(
        readonly windowMs: number,
        private readonly startMs: number,
    ) {}

    add(atMs: number, events: number): void {
        const w = Math.floor((atMs - this.startMs) / this.windowMs);
        if (w < 0) return;
        while (this.counts.length <= w) this.counts.push(0);
        this.counts[w] += events;
    }

    /** Events per second of every complete window (the last, partial one is left out). */
    rates(endMs: number): number[] {
        const complete = Math.floor((endMs - this.startMs) / this.windowMs);
        return this.counts.slice(0, complete).map((c) => (c * 1000) / this.windowMs);
    }
}
