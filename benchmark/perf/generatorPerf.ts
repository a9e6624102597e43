// npm run perf:generator: how fast the load generator is, against Kafka's own producer.
// Prints events/s of (1) generating and serializing alone on one core, (2) our producer into a
// local broker on one thread and on all cores, (3) Kafka's ProducerPerformance with the same
// record count and size on the same broker, and the ratio of (2) to (3).
import { execFile } from "child_process";
import * as os from "os";
import { promisify } from "util";
import { NexmarkGenerator } from "../nexmark/generator";
import { produceNexmark } from "../producer";
import { kafkaClasspath, startKafkaBroker } from "../../toolchain/kafkaBroker";

const EVENTS = Number(process.env.PERF_EVENTS ?? 1_000_000);
const PARTITIONS = 3;
const TARGETS = { serializationPerCore: 500_000, producerVsKafka: 0.5 };

function serializationRate(events: number): { rate: number; avgBytes: number } {
    const g = new NexmarkGenerator({ seed: 1, baseTimeMs: Date.now(), eventsPerSecond: 1_000_000 });
    for (let n = 0; n < 50_000; n++) g.record(n); // warm the JIT
    let bytes = 0;
    const t0 = process.hrtime.bigint();
    for (let n = 0; n < events; n++) bytes += g.record(n).json.length;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return { rate: events / seconds, avgBytes: bytes / events };
}

async function kafkaProducerPerformance(bootstrap: string, topic: string, records: number, recordSize: number): Promise<number> {
    const { stdout } = await promisify(execFile)(
        "java",
        ["-Xmx512m", "-cp", kafkaClasspath(), "org.apache.kafka.tools.ProducerPerformance", "--topic", topic, "--num-records", String(records), "--record-size", String(recordSize), "--throughput", "-1", "--producer-props", `bootstrap.servers=${bootstrap}`, "acks=1"],
        { maxBuffer: 16 * 1024 * 1024 },
    );
    const last = stdout.trim().split("\n").pop() ?? "";
    const m = /records sent, ([\d.]+) records\/sec/.exec(last);
    if (!m) throw new Error(`cannot read ProducerPerformance's result from: ${last}`);
    return Number(m[1]);
}

async function main(): Promise<void> {
    const cores = os.availableParallelism();
    console.log(`perf:generator: ${EVENTS.toLocaleString()} events per measurement, ${cores} cores, Node ${process.version}\n`);

    const ser = serializationRate(EVENTS);
    const rounds = ["one", "all", "ref"];
    const broker = await startKafkaBroker({
        heapMb: 1024,
        topics: Object.fromEntries(rounds.flatMap((r) => ["person", "auction", "bid"].map((k) => [`${r}-${k}`, PARTITIONS]))),
    });
    try {
        const topicsOf = (r: string) => ({ person: `${r}-person`, auction: `${r}-auction`, bid: `${r}-bid` });

        const one = await produceNexmark({ bootstrapServers: broker.bootstrapServers, topics: topicsOf("one"), totalEvents: EVENTS, eventsPerSecond: 1e12, threads: 1 });
        const all = await produceNexmark({ bootstrapServers: broker.bootstrapServers, topics: topicsOf("all"), totalEvents: EVENTS, eventsPerSecond: 1e12, threads: cores });
        const recordSize = Math.round(ser.avgBytes);
        const reference = await kafkaProducerPerformance(broker.bootstrapServers, "ref-bid", EVENTS, recordSize);

        const rows: [string, number, string][] = [
            ["generate + serialize, 1 core (no Kafka)", ser.rate, `target >= ${TARGETS.serializationPerCore.toLocaleString()}/s per core: ${ser.rate >= TARGETS.serializationPerCore ? "met" : "NOT met"}`],
            ["arroyo-pi producer into Kafka, 1 thread", one.achievedRate, `${(one.achievedRate / reference).toFixed(2)} x reference`],
            [`arroyo-pi producer into Kafka, ${cores} threads`, all.achievedRate, `${(all.achievedRate / reference).toFixed(2)} x reference (target >= ${TARGETS.producerVsKafka}: ${all.achievedRate / reference >= TARGETS.producerVsKafka ? "met" : "NOT met"})`],
            [`Kafka ProducerPerformance, ${recordSize} B records (reference)`, reference, "1.00 x reference"],
        ];
        const width = Math.max(...rows.map((r) => r[0].length));
        console.log(`${"measurement".padEnd(width)}  ${"events/s".padStart(12)}  comparison`);
        for (const [name, rate, note] of rows) console.log(`${name.padEnd(width)}  ${Math.round(rate).toLocaleString().padStart(12)}  ${note}`);
        console.log(`\naverage record: ${ser.avgBytes.toFixed(1)} B; every produced event was checked against the topics' end offsets (${one.offsetChecks.every((c) => c.ok) && all.offsetChecks.every((c) => c.ok) ? "exact" : "MISMATCH"})`);
    } finally {
        await broker.stop();
    }
}

main().catch((err: Error) => {
    console.error(`perf:generator failed: ${err.message}`);
    process.exit(1);
});
