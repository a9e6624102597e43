import { BenchmarkResults, QueryRun } from "./types";
import { ENGINE_KAFKA_TOLERANCE } from "./thresholds";
import { engineImageOf, num } from "./format";
import { engineProfile } from "../engines/profiles";

const bytes = (b: number | null) => (b === null ? "not measured" : `${num(b / 1024 ** 2)} MiB`);

const sustainable = (q: QueryRun) => {
    const k = q.figures.kafka;
    return k.verdict === "sustainable" ? "yes" : k.verdict === "not sustainable" ? "**no**" : "inconclusive";
};

function engineVsKafka(q: QueryRun): string {
    const d = q.figures.engine.differenceFromKafka;
    if (d === null) return "n/a";
    const text = `${d >= 0 ? "+" : ""}${num(d * 100, 1)}%`;
    return Math.abs(d) > ENGINE_KAFKA_TOLERANCE ? `**${text}**` : text;
}

/** What each worker's engine was given, where the results recorded it. */
function budgetText(r: BenchmarkResults): string {
    const b = r.topology.budget;
    if (!b) return "";
    return `${num(b.memoryPerSlotMb)} MB per task slot and ${b.cpusPerWorker === null ? "no CPU limit" : `${num(b.cpusPerWorker, Number.isInteger(b.cpusPerWorker) ? 0 : 2)} CPUs`} per worker, `;
}

/** The engine's image, as the stack outputs name it, and how it was set up. */
function engineImage(r: BenchmarkResults): string {
    const engine = r.topology.engine;
    const profile = engineProfile(engine);
    const image = `${profile.label} image \`${engineImageOf(r) ?? "not exported"}\``;
    return r.topology.engineSettings ? `${image} (${profile.settingsText(r.topology.engineSettings)})` : image;
}

/** A host's temperature and slowest clock in the window, where its kernel reports them. */
function thermalCell(q: QueryRun, host: string): string {
    const t = q.figures.thermal?.hosts.find((h) => h.host === host);
    if (!t || (t.maxTemperatureC === null && t.minCpuMhz === null && t.limitedSeconds === null)) return "";
    const parts = [
        t.maxTemperatureC !== null ? `${num(t.maxTemperatureC)} °C max` : null,
        t.minCpuMhz !== null ? `${num(t.minCpuMhz)} MHz min` : null,
        t.limitedSeconds ? `**throttled ${num(t.limitedSeconds)} s**` : null,
    ].filter(Boolean);
    return parts.length ? `; ${parts.join(", ")}` : "";
}

/** Who sent the load, and through which Kafka client (a fallback to kafkajs says why). */
function loadFrom(l: BenchmarkResults["load"]): string {
    return `Load from ${l.host}, ${l.threads} producer thread(s) on ${l.client}${l.clientFallback ? ` (fallback: ${l.clientFallback})` : ""}`;
}

/** The capacity search's tables: MST per query and parallelism, then every trial. */
function capacityMarkdown(r: BenchmarkResults): string[] {
    const cap = r.capacity ?? [];
    if (cap.length === 0) return [];
    const l = r.load;
    return [
        "## Maximum sustainable throughput",
        "",
        `${loadFrom(l)}; generator ceiling ${l.ceiling === "not measured" ? "not measured" : `${num(l.intoBrokerEventsPerSecond)} events/s into this broker (${l.ceiling})` + (l.aloneEventsPerSecond ? `, ${num(l.aloneEventsPerSecond)} events/s generating alone` : "")}.`,
        "",
        "| query | parallelism | MST ev/s (generator) | MST input ev/s | efficiency | trials | search ended |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
        ...cap.map(
            (c) =>
                `| ${c.query} | ${c.parallelism} | ${num(c.search.mst?.rate)} | ${num(c.search.mst?.inputRate)} | ${c.efficiency === null ? "n/a" : num(c.efficiency, 2)} | ${c.search.trials.length} | ${c.search.note} |`,
        ),
        "",
        ...(cap.some((c) => c.pipelineCeiling)
            ? [
                  "Pipeline ceiling (the query on Arroyo's built-in Nexmark source, searched like the MST: each trial asks the source for the trial's rate and passes when the source kept it, de-smoothed, with the job healthy; no generator process, no Kafka). Not the Kafka-fed workload: that generator runs inside the source subtasks on the workers' CPUs, always makes all three event kinds (1:3:46, so q3 and q8 pay for the bids they drop), decodes no JSON, and Arroyo's planner gives it the default watermark of 1 s, not the Kafka tables' 4 s. A trial whose source fell short while its output queues stayed under 5% full is source-bound: the generator, not the pipeline, was the limit.",
                  "",
                  "| query | parallelism | Kafka-fed MST ev/s | ceiling on Arroyo's Nexmark source ev/s | trials | output rec/s there | bottleneck |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
                  ...cap
                      .filter((c) => c.pipelineCeiling)
                      .map(
                          (c) =>
                              `| ${c.query} | ${c.parallelism} | ${num(c.search.mst?.rate)} | ${num(c.pipelineCeiling!.rate)} | ${c.pipelineCeiling!.search.trials.length} | ${num(c.pipelineCeiling!.outputRate)} | ${c.bottleneck ?? "n/a"} |`,
                      ),
                  "",
              ]
            : []),
        "Trials:",
        "",
        "| query | parallelism | target ev/s | sent ev/s | input ev/s | lag trend ev/s | p99 ms | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ...cap.flatMap((c) =>
            c.search.trials.map(
                (t) =>
                    `| ${c.query} | ${c.parallelism} | ${num(t.rate)} | ${num(t.achievedRate)} | ${num(t.inputRate)} | ${num(t.lagTrend)} | ${num(t.p99Ms)} | ${t.pass ? "pass" : `**fail**: ${t.why}`} |`,
            ),
        ),
        "",
        `Method: a trial runs the query at a fixed rate, ${num(r.configuration.search?.trialWarmupSeconds)} s of warm-up then a ${num(r.configuration.search?.trialWindowSeconds)} s measured window, on a new pipeline with new consumer groups. ` +
            `It passes when the lag trend stays at or below ${num(r.configuration.lagThreshold * 100, 1)}% of its input rate, the generator reached the target within 2% (otherwise the search ends *generator-bound*: the generator, not Arroyo, was the limit), ` +
            `the job stayed valid, and p99 latency met the SLO when one was given${r.configuration.search?.latencySloMs ? ` (${num(r.configuration.search.latencySloMs)} ms)` : ""}. The rate doubles from ${num(r.configuration.search?.startRate)} events/s until a trial fails, then the bracket is bisected to ${num((r.configuration.search?.resolution ?? 0) * 100)}%, at most ${num(r.configuration.search?.maxTrials)} trials. ` +
            "*Efficiency* is MST(p) / (p x MST(1)) on the input rate.",
        "",
    ];
}

/** One table, one row per query, with the definitions a reader needs to trust the numbers. */
export function summaryMarkdown(r: BenchmarkResults): string {
    if (r.mode === "find-max") {
        return [
            `# Nexmark on ${engineProfile(r.topology.engine).label}: ${r.configuration.stack}, maximum sustainable throughput`,
            "",
            `${r.startedAt} to ${r.finishedAt}. ${engineImage(r)}, ${r.topology.totalSlots} task slots, ${budgetText(r)}${r.topology.partitions} partitions per topic, checkpoints every ${num(r.configuration.checkpointIntervalSeconds, 1)} s.`,
            "",
            ...capacityMarkdown(r),
        ].join("\n");
    }
    const c = r.configuration;
    const profile = engineProfile(r.topology.engine);
    const label = profile.label;
    const defs = profile.definitions;
    const invalid = r.queries.filter((q) => !q.validity.valid);
    const inconclusive = r.queries.filter((q) => q.figures.kafka.verdict === "inconclusive");
    const late = r.queries.filter((q) => q.figures.load.lateRowsRisk);
    const throttled = r.queries.filter((q) => q.figures.thermal?.limited);
    const verified = r.queries.flatMap((q) => (q.verification ? [{ q, v: q.verification }] : []));
    const lines = [
        `# Nexmark on ${label}: ${c.stack}`,
        "",
        `${r.startedAt} to ${r.finishedAt}. ${engineImage(r)}, Kafka \`${r.versions.images.kafka}\`; ` +
            `${r.topology.hosts.filter((h) => h.taskSlots !== undefined).length} worker hosts, ${r.topology.totalSlots} task slots, ${budgetText(r)}${r.topology.partitions} partitions per topic. ` +
            `Load: ${num(c.totalEvents)} events per query at a target of ${num(c.eventsPerSecond)} events/s (${num(c.warmupEvents)} warm-up), seed ${c.seed}, parallelism ${c.parallelism}, ` +
            `checkpoints every ${num(c.checkpointIntervalSeconds, 1)} s, Kafka sampled every ${num(c.sampleIntervalSeconds, 1)} s. ${loadFrom(r.load)}.`,
        "",
        `| query | valid | input ev/s | consumed ev/s | lag trend ev/s | sustainable | lag at end | output rec/s | ${label} source ev/s | ${label} vs Kafka | latency p50 / p99 ms | backpressure (${profile.backpressureMeasure}) | checkpoints: cadence s / duration p50 ms | ev/s per ${label} core | max schedule delay ms |`,
        "| --- | :---: | ---: | ---: | ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...r.queries.map((q) => {
            const f = q.figures;
            const latency =
                f.latencyMs && f.latencyMs.count > 0
                    ? `${num(f.latencyMs.p50)} / ${num(f.latencyMs.p99)}${f.latencyFrom === "window-end" ? " (from window end)" : ""}`
                    : "n/a";
            return (
                `| ${q.id} | ${q.validity.valid ? "yes" : "**no**"} | ${num(f.kafka.inputRate)} | ${num(f.kafka.consumedRate)} | ${num(f.kafka.lagTrend)} | ${sustainable(q)} | ${num(f.kafka.lagAtEnd)} | ` +
                `${num(f.kafka.outputRate)} | ${num(f.engine.sourceRate)} | ${engineVsKafka(q)} | ${latency} | ${num(f.engine.backpressureMax, 2)} | ${num(f.checkpoints.cadenceSeconds, 1)} / ${num(f.checkpoints.durationMsP50)} (${f.checkpoints.inWindow} in window) | ${num(f.eventsPerSecondPerCore)} | ${num(q.produce.maxScheduleDelayMs)} |`
            );
        }),
        "",
        ...(invalid.length
            ? [
                  "**Invalid queries** (their figures do not describe one clean run):",
                  "",
                  ...invalid.map((q) => `- ${q.id}: ${q.validity.reasons.join("; ")}`),
                  "",
              ]
            : []),
        ...(inconclusive.length
            ? [
                  "**Inconclusive verdicts** (neither sustainable nor not):",
                  "",
                  ...inconclusive.map((q) => `- ${q.id}: ${q.figures.kafka.verdictReason}`),
                  "",
              ]
            : []),
        ...(throttled.length
            ? [
                  "**Hardware throttled** (a host ran below its clock in the window: its figures measure the throttled hardware):",
                  "",
                  ...throttled.map((q) => `- ${q.id}: ${q.figures.thermal!.note}`),
                  "",
              ]
            : []),
        ...(verified.length
            ? [
                  "**Output verified** (--verify: every record of the results topic against what the query computes from the events sent):",
                  "",
                  ...verified.map(({ q, v }) =>
                      "matched" in v
                          ? `- ${q.id}: ${num(v.matched)} of ${num(v.expected)} expected records matched, ${num(v.missing)} missing, ${num(v.extra)} extra${v.missing || v.extra ? " **(mismatch)**" : ""}`
                          : "recordedFrom" in v
                            ? `- ${q.id}: ${num(v.records)} output records recorded under the fixed base time ${new Date(v.recordedFrom.baseTimeMs).toISOString()}, for npm run compare against another run`
                            : `- ${q.id}: not verified: ${v.notVerified}`,
                  ),
                  "",
              ]
            : []),
        ...(late.length
            ? [
                  "**Late rows possible** (windowed queries whose load fell behind by more than the watermark):",
                  "",
                  ...late.map((q) => `- ${q.id}: ${q.figures.load.lateRowsRisk}`),
                  "",
              ]
            : []),
        ...(r.topology.hosts.length === 0
            ? []
            : [
                  "Per host (mean over the measured window):",
                  "",
                  "| query | " + r.topology.hosts.map((h) => h.name).join(" | ") + " |",
                  "| --- | " + r.topology.hosts.map(() => "---:").join(" | ") + " |",
                  ...r.queries.map(
                      (q) =>
                          `| ${q.id} | ` +
                          q.figures.hosts
                              .map(
                                  (h) =>
                                      `${h.cpuCores === null ? "not measured" : `${num(h.cpuCores, 2)} cores, ${bytes(h.memoryBytesMean)}`}${thermalCell(q, h.host)}`,
                              )
                              .join(" | ") +
                          " |",
                  ),
                  "",
              ]),
        "Definitions. The measured window runs from the first event after the warm-up to the load's scheduled end (or `--duration`). " +
            "*input*: events/s written to the topics the query reads (their end offsets). " +
            `*consumed*: events/s the query's sources read, from the offsets ${label} commits to each source's consumer group at every checkpoint (${profile.commitPoint}), between the first and last commit in the window; *input* is taken over the same span. ` +
            `*lag trend*: slope of (input - consumed) over the window, the lag taken at each checkpoint's start (${label}'s checkpoint list; the sources commit the offsets they held there, and the input is interpolated to that instant); *sustainable* means it stays at or below ${num(c.lagThreshold * 100, 1)}% of the input rate. ` +
            `A verdict is *inconclusive* when the window held fewer than 3 commits, or when the trend fails while the load was further behind its schedule than the threshold absorbs (threshold x window): the load, not the engine, decided it. ` +
            "*lag at end*: events not yet read when the run ended, after the drain. *output*: records/s written to the results topic (its end offsets). " +
            `*${label} source*: ${defs.source}; ` +
            `*${label} vs Kafka*: that count over the same span as *consumed*, against Kafka's; beyond ±${num(ENGINE_KAFKA_TOLERANCE * 100)}% it is in bold. ` +
            `*backpressure*: ${defs.backpressure}. ` +
            `*checkpoints*: mean start-to-start time in the window (${defs.checkpoints}) and median duration, from ${label}'s checkpoint list. ` +
            `*latency*: for the output of events inside the window, read time minus the event's time (= its scheduled send time) where the output carries it (a sample: one results partition), or read time minus the end of the window that emitted the record (its Kafka timestamp, ${defs.windowEnd}) for window outputs (every partition). ` +
            "*max schedule delay*: how far the generator ever ran behind its schedule. " +
            "*valid*: no restart, recovery or failure of the job from the window's start to the end of the run.",
        "",
    ];
    return lines.join("\n");
}
