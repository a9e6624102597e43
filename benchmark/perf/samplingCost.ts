// npm run perf:sampling: what measuring costs. One Kafka progress sample (end offsets of the
// query's input topics and of its results topic, its groups' committed offsets) is what the
// benchmark takes every --sample-interval while a query runs; this prints its CPU time in this
// process and its wall time, per sample and per minute at the default interval, against the
// budget of 1% of one core, for a one-table query (q0) and a two-table join (q3) on topics of
// nine partitions (the 10-Pi stack's count).
import { Kafka, logLevel } from "kafkajs";
import { OffsetCommitter } from "../kafka/commitOffsets";
import { SourceGroup } from "../kafka/progress";
import { KafkaProgressSampler, seedGroups } from "../kafka/sampler";
import { startKafkaBroker } from "../../toolchain/kafkaBroker";

const SAMPLES = Number(process.env.PERF_SAMPLES ?? 200);
const DEFAULT_INTERVAL_S = 1;
const BUDGET_CORE_FRACTION = 0.01;
const PARTITIONS = 9;

async function measure(sampler: KafkaProgressSampler): Promise<{ cpuMsPerSample: number; wallMsPerSample: number }> {
    for (let i = 0; i < 20; i++) await sampler.sample(); // connections and JIT warm
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < SAMPLES; i++) await sampler.sample();
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    return { cpuMsPerSample: (cpu.user + cpu.system) / 1000 / SAMPLES, wallMsPerSample: wallMs / SAMPLES };
}

async function main(): Promise<void> {
    const topics = { person: "nexmark-person", auction: "nexmark-auction", bid: "nexmark-bid", results: "results" };
    const broker = await startKafkaBroker({
        topics: Object.fromEntries(Object.values(topics).map((t) => [t, PARTITIONS])),
    });
    const kafka = new Kafka({ brokers: [broker.bootstrapServers], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const committer = new OffsetCommitter(kafka);
    try {
        const cases: [string, SourceGroup[]][] = [
            ["q0 (bid)", [{ table: "bid", topic: topics.bid, groupId: "perf-q0-bid" }]],
            [
                "q3 (person, auction)",
                [
                    { table: "person", topic: topics.person, groupId: "perf-q3-person" },
                    { table: "auction", topic: topics.auction, groupId: "perf-q3-auction" },
                ],
            ],
        ];
        console.log(
            `Kafka progress sampling, ${SAMPLES} samples per case, topics of ${PARTITIONS} partitions, default --sample-interval ${DEFAULT_INTERVAL_S} s`,
        );
        console.log(
            "| query | CPU ms per sample | wall ms per sample | CPU s per minute | share of one core | x budget (1%) |",
        );
        console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
        let worst = 0;
        for (const [name, groups] of cases) {
            await seedGroups(admin, committer, groups);
            const r = await measure(new KafkaProgressSampler(admin, groups, topics.results));
            const perMinute = (r.cpuMsPerSample * 60) / DEFAULT_INTERVAL_S / 1000;
            const share = perMinute / 60;
            worst = Math.max(worst, share);
            console.log(
                `| ${name} | ${r.cpuMsPerSample.toFixed(3)} | ${r.wallMsPerSample.toFixed(2)} | ${perMinute.toFixed(3)} | ${(share * 100).toFixed(3)}% | ${(share / BUDGET_CORE_FRACTION).toFixed(2)} |`,
            );
        }
        console.log(
            `worst case: ${(worst * 100).toFixed(3)}% of one core at the default interval: ${worst <= BUDGET_CORE_FRACTION ? "within" : "OVER"} the 1% budget`,
        );
    } finally {
        await committer.disconnect();
        await admin.disconnect();
        await broker.stop();
    }
}

main().catch((err: Error) => {
    console.error(`perf:sampling failed: ${err.message}`);
    process.exit(1);
});
