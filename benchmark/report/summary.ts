import { BenchmarkResults } from "./results";

const num = (x: number | null | undefined, digits = 0) =>
    x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const bytes = (b: number) => `${num(b / 1024 ** 2)} MiB`;

/** One table, one row per query, with the definitions a reader needs to trust the numbers. */
export function summaryMarkdown(r: BenchmarkResults): string {
    const c = r.configuration;
    const lines = [
        `# Nexmark on Arroyo: ${c.stack}`,
        "",
        `${r.startedAt} to ${r.finishedAt}. Arroyo image \`${r.versions.images.arroyo}\`, Kafka \`${r.versions.images.kafka}\`; ` +
            `${r.topology.hosts.filter((h) => h.roles.includes("arroyo-node")).length} worker hosts, ${r.topology.totalSlots} task slots, ${r.topology.partitions} partitions per topic. ` +
            `Load: ${num(c.totalEvents)} events per query at a target of ${num(c.eventsPerSecond)} events/s (${num(c.warmupEvents)} warm-up), seed ${c.seed}, parallelism ${c.parallelism}.`,
        "",
        "| query | produced ev/s | input ev/s | processed ev/s | output rec/s | latency p50 / p99 ms | backpressure max | lag at end | Arroyo cores | ev/s per core | target held |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
        ...r.queries.map((q) => {
            const f = q.figures;
            const latency = f.latencyMs && f.latencyMs.count > 0 ? `${num(f.latencyMs.p50)} / ${num(f.latencyMs.p99)}` : "n/a";
            return `| ${q.id} | ${num(f.producedRate)} | ${num(f.inputRate)} | ${num(f.processedRate)} | ${num(f.outputRate)} | ${latency} | ${num(f.backpressureMax, 2)} | ${num(f.lagAtEnd)} | ${num(f.arroyoCores, 2)} | ${num(f.eventsPerSecondPerCore)} | ${q.produce.heldTarget === null ? "n/a" : q.produce.heldTarget ? "yes" : "no"} |`;
        }),
        "",
        ...(r.topology.hosts.length === 0
            ? []
            : [
                  "Per host (mean over the measured window):",
                  "",
                  "| query | " + r.topology.hosts.map((h) => h.name).join(" | ") + " |",
                  "| --- | " + r.topology.hosts.map(() => "---:").join(" | ") + " |",
                  ...r.queries.map((q) => `| ${q.id} | ` + q.figures.hosts.map((h) => `${num(h.cpuCores, 2)} cores, ${bytes(h.memoryBytesMean)}`).join(" | ") + " |"),
                  "",
              ]),
        "Definitions: *produced* is what Kafka acknowledged to the load generator inside the measured window (after warm-up), on all three topics; " +
            "*input* is the part of it on the topics the query reads; " +
            "*processed* is the sum of Arroyo's `messages_recv` over the source operators; *output* is records read from the results topic; " +
            "*latency* is the time an output record was read minus its input's event time (both on the benchmark machine's clock; only for queries whose output carries the input's time); " +
            "*lag at end* is events sent to the query's topics but not yet received by its sources when the load ended, from Arroyo's rate samples; " +
            "*target held* means every complete 10 s window of the load stayed within 2% of the target rate (n/a: the load was shorter than one window).",
        "",
    ];
    return lines.join("\n");
}
