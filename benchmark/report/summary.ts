import { BenchmarkResults, QueryRun } from "./types";
import { ARROYO_KAFKA_TOLERANCE } from "./thresholds";

const num = (x: number | null | undefined, digits = 0) =>
    x === null || x === undefined || !Number.isFinite(x) ? "n/a" : x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

const bytes = (b: number) => `${num(b / 1024 ** 2)} MiB`;

const sustainable = (q: QueryRun) => (q.figures.kafka.sustainable === null ? "n/a" : q.figures.kafka.sustainable ? "yes" : "**no**");

function arroyoVsKafka(q: QueryRun): string {
    const d = q.figures.arroyo.differenceFromKafka;
    if (d === null) return "n/a";
    const text = `${d >= 0 ? "+" : ""}${num(d * 100, 1)}%`;
    return Math.abs(d) > ARROYO_KAFKA_TOLERANCE ? `**${text}**` : text;
}

/** One table, one row per query, with the definitions a reader needs to trust the numbers. */
export function summaryMarkdown(r: BenchmarkResults): string {
    const c = r.configuration;
    const invalid = r.queries.filter((q) => !q.validity.valid);
    const lines = [
        `# Nexmark on Arroyo: ${c.stack}`,
        "",
        `${r.startedAt} to ${r.finishedAt}. Arroyo image \`${r.versions.images.arroyo}\`, Kafka \`${r.versions.images.kafka}\`; ` +
            `${r.topology.hosts.filter((h) => h.roles.includes("arroyo-node")).length} worker hosts, ${r.topology.totalSlots} task slots, ${r.topology.partitions} partitions per topic. ` +
            `Load: ${num(c.totalEvents)} events per query at a target of ${num(c.eventsPerSecond)} events/s (${num(c.warmupEvents)} warm-up), seed ${c.seed}, parallelism ${c.parallelism}, ` +
            `checkpoints every ${num(c.checkpointIntervalSeconds, 1)} s, Kafka sampled every ${num(c.sampleIntervalSeconds, 1)} s.`,
        "",
        "| query | valid | input ev/s | consumed ev/s | lag trend ev/s | sustainable | lag at end | output rec/s | Arroyo source ev/s (smoothed) | Arroyo vs Kafka | latency p50 / p99 ms | backpressure max | ev/s per Arroyo core | max schedule delay ms |",
        "| --- | :---: | ---: | ---: | ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...r.queries.map((q) => {
            const f = q.figures;
            const latency = f.latencyMs && f.latencyMs.count > 0 ? `${num(f.latencyMs.p50)} / ${num(f.latencyMs.p99)}` : "n/a";
            return (
                `| ${q.id} | ${q.validity.valid ? "yes" : "**no**"} | ${num(f.kafka.inputRate)} | ${num(f.kafka.consumedRate)} | ${num(f.kafka.lagTrend)} | ${sustainable(q)} | ${num(f.kafka.lagAtEnd)} | ` +
                `${num(f.kafka.outputRate)} | ${num(f.arroyo.sourceRate)} | ${arroyoVsKafka(q)} | ${latency} | ${num(f.arroyo.backpressureMax, 2)} | ${num(f.eventsPerSecondPerCore)} | ${num(q.produce.maxScheduleDelayMs)} |`
            );
        }),
        "",
        ...(invalid.length ? ["**Invalid queries** (their figures do not describe one clean run):", "", ...invalid.map((q) => `- ${q.id}: ${q.validity.reasons.join("; ")}`), ""] : []),
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
        "Definitions. The measured window runs from the first event after the warm-up to the load's scheduled end (or `--duration`). " +
            "*input*: events/s written to the topics the query reads (their end offsets). " +
            "*consumed*: events/s the query's sources read, from the offsets Arroyo commits to each source's consumer group at every checkpoint, between the first and last commit seen in the window. " +
            `*lag trend*: slope of (input - consumed) over the window at those commits; *sustainable* means it stays at or below ${num(c.lagThreshold * 100, 1)}% of the input rate. ` +
            "*lag at end*: events not yet read when the run ended, after the drain. *output*: records/s written to the results topic (its end offsets). " +
            "*Arroyo source*: the sum of the source operators' `messages_sent`, as Arroyo serves it (an EWMA over 2 s collections: a change takes ~20 s to show); " +
            `*Arroyo vs Kafka*: its integral over the same span as *consumed*, against Kafka's count; beyond ±${num(ARROYO_KAFKA_TOLERANCE * 100)}% it is in bold. ` +
            "*latency*: read time minus the event's time (= its scheduled send time) for a sample of the output of events inside the window, only for queries whose output carries the input's time. " +
            "*max schedule delay*: how far the generator ever ran behind its schedule. " +
            "*valid*: no restart, recovery or failure of the job from the window's start to the end of the run.",
        "",
    ];
    return lines.join("\n");
}
