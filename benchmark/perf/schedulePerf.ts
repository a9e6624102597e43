// npm run perf:schedule: whether the load reaches Kafka when it is due, on a loaded machine. A late
// load shows in the benchmark as input above the target (the backlog drains into the measured
// window) and as latency that is the producer's, not Arroyo's. Per round and load client: a fresh
// broker (a cold one answers slowest), fresh topics, RATE events/s for SECONDS, while busy
// processes (one per core unless PERF_BUSY says otherwise) compete for the CPU as Arroyo would on
// the local stack. Kafka's end offsets are read every 100 ms; the lag at a reading is how long the
// oldest event not yet in Kafka has been due. kafkajs is the reference, measured in the same run.
import { ChildProcess, spawn } from "child_process";
import * as os from "os";
import { Kafka, logLevel } from "kafkajs";
import { createTopicsAndWait, endOffsets } from "../kafka/admin";
import { produceNexmark, RATE_TOLERANCE } from "../producer";
import { Kind } from "../producer/job";
import { LoadClient, resolveLoadClient } from "../producer/loadClient";
import { startKafkaBroker } from "../../toolchain/kafkaBroker";
import { formatSpread, printTable, spread } from "./table";

const RATE = Number(process.env.PERF_RATE ?? 4_000);
const SECONDS = Number(process.env.PERF_SECONDS ?? 14);
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 3);
const BUSY = Number(process.env.PERF_BUSY ?? os.availableParallelism());
/** As the integration test of a fixed-rate run: the window opens after the load's first seconds. */
const WARMUP_SECONDS = 4;
const SAMPLE_MS = 100;

interface Punctuality {
    /** Worst lag in the load's first second, ms. */
    firstSecondMs: number;
    /** Worst lag after it, ms. */
    afterMs: number;
    /** Events/s that reached Kafka from WARMUP_SECONDS to the end of the load, over the target. */
    windowRatio: number;
}

async function measure(client: LoadClient, round: number): Promise<Punctuality> {
    const broker = await startKafkaBroker({ heapMb: 512 });
    const admin = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
        const topics: Record<Kind, string> = {
            person: `s${round}-person`,
            auction: `s${round}-auction`,
            bid: `s${round}-bid`,
        };
        await createTopicsAndWait(
            admin,
            Object.values(topics).map((topic) => ({ topic, numPartitions: 2 })),
        );
        const total = RATE * SECONDS;
        let startMs = 0;
        let loadDone = false;
        const readings: { atMs: number; events: number }[] = [];
        const reader = (async () => {
            while (!loadDone) {
                if (startMs > 0) {
                    const ends = await Promise.all(Object.values(topics).map((t) => endOffsets(admin, t)));
                    // Stamped when the answer is in: a reading is never credited before it was made.
                    readings.push({ atMs: Date.now(), events: ends.flat().reduce((a, b) => a + b, 0) });
                }
                await new Promise((r) => setTimeout(r, SAMPLE_MS));
            }
        })();
        try {
            await produceNexmark({
                bootstrapServers: broker.bootstrapServers,
                topics,
                totalEvents: total,
                eventsPerSecond: RATE,
                threads: 1,
                client,
                onStart: (s) => (startMs = s),
            });
        } finally {
            loadDone = true;
            await reader;
        }
        // Event n is due at start + n / rate; with n events in Kafka, event n is the oldest missing.
        const lagOf = (r: { atMs: number; events: number }) =>
            r.events >= total ? 0 : Math.max(0, r.atMs - (startMs + (r.events * 1000) / RATE));
        const first = readings.filter((r) => r.atMs < startMs + 1_000);
        const after = readings.filter((r) => r.atMs >= startMs + 1_000);
        const window = readings.filter(
            (r) => r.atMs >= startMs + WARMUP_SECONDS * 1_000 && r.atMs <= startMs + SECONDS * 1_000,
        );
        if (window.length < 2)
            throw new Error(
                `too few offset readings in the window (${window.length}): is the machine too busy to read offsets every ${SAMPLE_MS} ms?`,
            );
        const [w0, w1] = [window[0], window[window.length - 1]];
        return {
            firstSecondMs: Math.max(0, ...first.map(lagOf)),
            afterMs: Math.max(0, ...after.map(lagOf)),
            windowRatio: ((w1.events - w0.events) * 1000) / (w1.atMs - w0.atMs) / RATE,
        };
    } finally {
        await admin.disconnect();
        await broker.stop();
    }
}

async function main(): Promise<void> {
    if (!(RATE > 0) || !(SECONDS > WARMUP_SECONDS + 1) || !(ROUNDS >= 1) || !(BUSY >= 0)) {
        throw new Error(
            `PERF_RATE must be > 0, PERF_SECONDS > ${WARMUP_SECONDS + 1}, PERF_ROUNDS >= 1, PERF_BUSY >= 0 (got ${RATE}, ${SECONDS}, ${ROUNDS}, ${BUSY})`,
        );
    }
    const fast = resolveLoadClient("auto");
    const reference = resolveLoadClient("kafkajs");
    const clients = [reference, ...(fast.kind === "confluent" ? [fast] : [])];
    if (fast.kind !== "confluent") console.log(`Confluent's client is not measured: ${fast.fallback}`);
    console.log(
        `perf:schedule: ${RATE.toLocaleString()} events/s for ${SECONDS} s, ${ROUNDS} rounds, a fresh broker per measurement, ${BUSY} busy process(es) on ${os.availableParallelism()} cores, offsets read every ${SAMPLE_MS} ms\n`,
    );

    const busy: ChildProcess[] = Array.from({ length: BUSY }, () =>
        spawn(process.execPath, ["-e", "for (;;) {}"], { stdio: "ignore" }),
    );
    const results = new Map<string, Punctuality[]>();
    try {
        for (let round = 0; round < ROUNDS; round++) {
            // Alternate the order, so neither client always runs first after the busy processes start.
            for (const client of round % 2 === 0 ? clients : [...clients].reverse()) {
                const p = await measure(client, round);
                results.set(client.description, [...(results.get(client.description) ?? []), p]);
                console.log(
                    `round ${round + 1}: ${client.description}: worst lag ${Math.round(p.firstSecondMs)} ms in the first second, ${Math.round(p.afterMs)} ms after; window ${p.windowRatio.toFixed(3)} x target`,
                );
            }
        }
    } finally {
        for (const b of busy) b.kill("SIGKILL");
    }

    const ms = (x: number) => x.toFixed(0);
    const ratio = (x: number) => x.toFixed(3);
    const refAfter = spread((results.get(reference.description) as Punctuality[]).map((p) => p.afterMs)).median;
    const rows = [...results.entries()].map(([name, ps]) => {
        const after = spread(ps.map((p) => p.afterMs));
        return [
            name,
            formatSpread(spread(ps.map((p) => p.firstSecondMs)), ms),
            formatSpread(after, ms),
            (after.median / Math.max(1, refAfter)).toFixed(2),
            formatSpread(spread(ps.map((p) => p.windowRatio)), ratio),
        ];
    });
    printTable(
        [
            "load client",
            "worst lag, first second, ms",
            "worst lag after, ms",
            "x kafkajs (after)",
            `window ${WARMUP_SECONDS}-${SECONDS} s / target`,
        ],
        rows,
    );
    for (const [name, ps] of results) {
        const off = ps.filter((p) => Math.abs(p.windowRatio - 1) > RATE_TOLERANCE).length;
        console.log(
            `${name}: ${off === 0 ? "on schedule" : "NOT on schedule"}: ${ps.length - off} of ${ps.length} windows within ${RATE_TOLERANCE * 100}% of the target`,
        );
    }
}

main().catch((err: Error) => {
    console.error(`perf:schedule failed: ${err.message}`);
    process.exit(1);
});
