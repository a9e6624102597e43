import { Clock, Pacer, RateWindows } from "../../benchmark/producer/pacing";
import { expectedPartitionCounts, partitionOf, rangesForWorker, BLOCK_EVENTS } from "../../benchmark/producer/plan";
import { kindOf } from "../../benchmark/nexmark/model";

/** A clock that only moves when something sleeps, plus a cost per send to model a slow broker. */
class FakeClock implements Clock {
    t = 1_000_000;
    now = () => this.t;
    sleep = async (ms: number) => void (this.t += ms);
}

async function paced(
    rate: number,
    total: number,
    batch: number,
    clock: FakeClock,
    sendCostMs = 0,
): Promise<RateWindows> {
    const pacer = new Pacer(rate, clock);
    pacer.start();
    const windows = new RateWindows(10_000, clock.now());
    for (let sent = 0; sent < total; sent += batch) {
        const size = Math.min(batch, total - sent);
        await pacer.waitUntilDue(sent + size - 1);
        clock.t += sendCostMs;
        windows.add(clock.now(), size);
    }
    return windows;
}

describe("pacing on a fake clock", () => {
    it("holds the target within 2% over every 10-second window", async () => {
        const clock = new FakeClock();
        const rates = (await paced(50_000, 50_000 * 60, 1_000, clock)).rates(clock.now());
        expect(rates).toHaveLength(5);
        for (const r of rates) expect(Math.abs(r - 50_000) / 50_000).toBeLessThanOrEqual(0.02);
    });

    it("does not drift: a minute of sends ends a minute after the start", async () => {
        const clock = new FakeClock();
        const start = clock.now();
        await paced(10_000, 600_000, 200, clock, 3);
        expect(clock.now() - start).toBeGreaterThanOrEqual(59_980);
        expect(clock.now() - start).toBeLessThanOrEqual(60_010);
    });

    it("runs behind and reports the lower rate when sending cannot keep up", async () => {
        const clock = new FakeClock();
        // 1000-event batches cost 50 ms: at most 20k events/s against a 50k target.
        const rates = (await paced(50_000, 1_000_000, 1_000, clock, 50)).rates(clock.now());
        expect(rates.length).toBeGreaterThan(3);
        for (const r of rates) expect(Math.abs(r - 20_000) / 20_000).toBeLessThan(0.01);
    });

    it("reports how late an event is", async () => {
        const clock = new FakeClock();
        const pacer = new Pacer(1_000, clock);
        pacer.start();
        clock.t += 500;
        expect(pacer.lagMs(100)).toBe(400);
        expect(pacer.lagMs(600)).toBe(0);
    });
});

describe("dealing events to threads", () => {
    it("gives every event to exactly one thread, in whole 50-event cycles", () => {
        const total = 3 * BLOCK_EVENTS + 777;
        const owner = new Array<number>(total).fill(-1);
        for (let w = 0; w < 3; w++) {
            for (const r of rangesForWorker(w, 3, 0, total)) {
                for (let n = r.first; n < r.first + r.count; n++) {
                    expect(owner[n]).toBe(-1);
                    owner[n] = w;
                }
                if (r.first + r.count < total) expect(r.count % 50).toBe(0);
            }
        }
        expect(owner.every((o) => o >= 0)).toBe(true);
    });

    it("predicts each partition's share exactly", () => {
        for (const [first, total, partitions] of [
            [0, 10_001, 3],
            [123, 4_567, 9],
            [0, 49, 4],
        ]) {
            const brute = {
                person: new Array(partitions).fill(0),
                auction: new Array(partitions).fill(0),
                bid: new Array(partitions).fill(0),
            };
            for (let n = first; n < first + total; n++) brute[kindOf(n)][partitionOf(n, partitions)]++;
            expect(expectedPartitionCounts(first, total, partitions)).toEqual(brute);
        }
    });
});
