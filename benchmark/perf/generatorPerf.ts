// npm run perf:generator: how fast the load generator is, against Kafka's own producer, and what
// it costs. Three rounds on one local broker; in each, our producer (on the client the benchmark
// would choose, and on kafkajs) and Kafka's ProducerPerformance each send EVENTS records into fresh
// topics of the same partition count, in an order that alternates between rounds. Reported per
// measurement: events/s, CPU seconds per million events of the sender (its processes) and of the
// broker, each as min / median / max over the rounds, and the medians' ratios to the reference.
import { execFile } from "child_process";
import * as fs from "fs";
import { promisify } from "util";
import { Kafka, logLevel } from "kafkajs";
import { NexmarkGenerator } from "../nexmark/generator";
import { produceNexmark } from "../producer";
import { clientRecord, LoadClient, resolveLoadClient } from "../producer/loadClient";
import { createTopicsAndWait } from "../kafka/admin";
import { kafkaClasspath, startKafkaBroker } from "../../toolchain/kafkaBroker";
import { formatSpread, printTable, spread } from "./table";

const EVENTS = Number(process.env.PERF_EVENTS ?? 1_000_000);
const ROUNDS = Number(process.env.PERF_ROUNDS ?? 3);
const PARTITIONS = 3;
const TARGETS = { producerVsKafka: 0.8 };
const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** CPU seconds of a process from /proc: its own, and that of its children it has waited for. */
function cpuOf(pid: number | "self"): { own: number; children: number } {
    const fields = fs
        .readFileSync(`/proc/${pid}/stat`, "utf8")
        .replace(/^.*\) /, "")
        .split(" ");
    // After the command name: state is field 3, so utime (14) is index 11, stime 12, cutime 13, cstime 14.
    const n = (i: number) => Number(fields[i]) / TICKS_PER_SECOND;
    return { own: n(11) + n(12), children: n(13) + n(14) };
}

interface Measured {
    eventsPerSecond: number;
    senderCpuPer1M: number;
    brokerCpuPer1M: number;
}

function averageRecordBytes(): number {
    const g = new NexmarkGenerator({ seed: 1, baseTimeMs: Date.now(), eventsPerSecond: 1_000_000 });
    let bytes = 0;
    for (let n = 0; n < 100_000; n++) bytes += g.record(n).json.length;
    return bytes / 100_000;
}

async function producerPerformance(
    bootstrap: string,
    topic: string,
    records: number,
    recordSize: number,
): Promise<number> {
    const { stdout } = await promisify(execFile)(
        "java",
        [
            "-Xmx512m",
            "-cp",
            kafkaClasspath(),
            "org.apache.kafka.tools.ProducerPerformance",
            "--topic",
            topic,
            "--num-records",
            String(records),
            "--record-size",
            String(recordSize),
            "--throughput",
            "-1",
            "--producer-props",
            `bootstrap.servers=${bootstrap}`,
            "acks=1",
        ],
        { maxBuffer: 16 * 1024 * 1024 },
    );
    const last = stdout.trim().split("\n").pop() ?? "";
    const m = /records sent, ([\d.]+) records\/sec/.exec(last);
    if (!m) throw new Error(`cannot read ProducerPerformance's result from: ${last}`);
    return Number(m[1]);
}

async function main(): Promise<void> {
    const fast = resolveLoadClient("auto");
    const kafkajs = resolveLoadClient("kafkajs");
    const ours: [string, LoadClient][] = [
        [`arroyo-pi producer, 1 process, ${fast.description}`, fast],
        ...(fast.kind === "confluent"
            ? [[`arroyo-pi producer, 1 process, ${kafkajs.description}`, kafkajs] as [string, LoadClient]]
            : []),
    ];
    const recordSize = Math.round(averageRecordBytes());
    const REF = `Kafka ProducerPerformance, ${recordSize} B records, acks=1 (reference)`;
    console.log(
        `perf:generator: ${EVENTS.toLocaleString()} events per measurement, ${ROUNDS} rounds, one local broker, ${PARTITIONS} partitions per topic, Node ${process.version}`,
    );
    const fastRecord = clientRecord(fast);
    console.log(
        `--load-client auto would use: ${fastRecord.client}${fastRecord.clientFallback ? ` (fallback: ${fastRecord.clientFallback})` : ""}\n`,
    );

    const broker = await startKafkaBroker({ heapMb: 1024 });
    const admin = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const results = new Map<string, Measured[]>();
    const record = (name: string, m: Measured) => results.set(name, [...(results.get(name) ?? []), m]);
    try {
        for (let round = 0; round < ROUNDS; round++) {
            const runs: { name: string; run: (prefix: string) => Promise<number> }[] = [
                ...ours.map(([name, client]) => ({
                    name,
                    run: async (prefix: string) => {
                        const topics = {
                            person: `${prefix}-person`,
                            auction: `${prefix}-auction`,
                            bid: `${prefix}-bid`,
                        };
                        await createTopicsAndWait(
                            admin,
                            Object.values(topics).map((topic) => ({ topic, numPartitions: PARTITIONS })),
                        );
                        const r = await produceNexmark({
                            bootstrapServers: broker.bootstrapServers,
                            topics,
                            totalEvents: EVENTS,
                            eventsPerSecond: 1e12,
                            threads: 1,
                            client,
                        });
                        if (!r.offsetChecks.every((c) => c.ok))
                            throw new Error(`${name}: the topics do not hold exactly the events sent`);
                        return r.achievedRate;
                    },
                })),
                {
                    name: REF,
                    run: async (prefix: string) => {
                        await createTopicsAndWait(admin, [{ topic: `${prefix}-ref`, numPartitions: PARTITIONS }]);
                        return producerPerformance(broker.bootstrapServers, `${prefix}-ref`, EVENTS, recordSize);
                    },
                },
            ];
            // Alternate the order, so neither side always meets a fresher broker.
            const order = round % 2 === 0 ? runs : [...runs].reverse();
            for (const [i, { name, run }] of order.entries()) {
                const self0 = cpuOf("self");
                const broker0 = cpuOf(broker.pid).own;
                const rate = await run(`r${round}-${i}`);
                const self1 = cpuOf("self");
                const broker1 = cpuOf(broker.pid).own;
                // Ours: this process and its producer processes; the reference: its JVM (a child).
                const sender =
                    name === REF
                        ? self1.children - self0.children
                        : self1.own - self0.own + (self1.children - self0.children);
                record(name, {
                    eventsPerSecond: rate,
                    senderCpuPer1M: (sender * 1e6) / EVENTS,
                    brokerCpuPer1M: ((broker1 - broker0) * 1e6) / EVENTS,
                });
                console.log(`round ${round + 1}: ${name}: ${Math.round(rate).toLocaleString()} events/s`);
            }
        }
    } finally {
        await admin.disconnect();
        await broker.stop();
    }

    const ref = results.get(REF) as Measured[];
    const refRate = spread(ref.map((m) => m.eventsPerSecond)).median;
    const refCpu = spread(ref.map((m) => m.senderCpuPer1M)).median;
    const events = (x: number) => Math.round(x).toLocaleString();
    const cpuSeconds = (x: number) => x.toFixed(2);
    const rows = [...results.entries()].map(([name, ms]) => {
        const rate = spread(ms.map((m) => m.eventsPerSecond));
        const cpu = spread(ms.map((m) => m.senderCpuPer1M));
        const brokerCpu = spread(ms.map((m) => m.brokerCpuPer1M));
        return [
            name,
            formatSpread(rate, events),
            (rate.median / refRate).toFixed(2),
            formatSpread(cpu, cpuSeconds),
            (cpu.median / refCpu).toFixed(2),
            formatSpread(brokerCpu, cpuSeconds),
        ];
    });
    printTable(
        [
            "measurement",
            "events/s median (min-max)",
            "x reference",
            "sender CPU s / 1M",
            "x reference",
            "broker CPU s / 1M",
        ],
        rows,
    );
    const chosen = results.get(ours[0][0]) as Measured[];
    const ratio = spread(chosen.map((m) => m.eventsPerSecond)).median / refRate;
    const cpuRatio = spread(chosen.map((m) => m.senderCpuPer1M)).median / refCpu;
    console.log(
        `\n--load-client auto (${fast.description}): ${ratio.toFixed(2)} x ProducerPerformance's rate (target >= ${TARGETS.producerVsKafka}: ${ratio >= TARGETS.producerVsKafka ? "met" : "NOT met"}), ${cpuRatio.toFixed(2)} x its CPU per event (target <= 1: ${cpuRatio <= 1 ? "met" : "NOT met"})`,
    );
    console.log(
        `average record ${recordSize} B; every run of ours was checked against the topics' end offsets (exact)`,
    );
}

main().catch((err: Error) => {
    console.error(`perf:generator failed: ${err.message}`);
    process.exit(1);
});
