// A query run's figures, computed from its samples and nothing else: no I/O, so every figure a
// report shows can be recomputed from results.json and tested on recorded samples. What is
// measured on Kafka comes first (engine independent); Arroyo's own metrics are read beside it.
import { CheckpointTime, commitSamples, ProgressPoint, WindowProgress, windowProgress } from "./kafka/progress";
import { HostSample } from "./metrics/hosts";
import { CheckpointFigures, HostFigures, JobSample, KafkaFigures, LoadFigures, Validity } from "./report/types";

/**
 * Arroyo's watermark (crates/arroyo-worker/src/arrow/watermark_generator.rs ~160-197): each source
 * subtask sends its batch's smallest `datetime - 4 s` (the tables' WATERMARK clause) once the
 * batch's largest event time moved more than 1 s past the last it sent at; an operator takes the
 * least of its inputs'; tumbling and sliding windows drop a row only when its bin started before
 * the watermark's bin, sessions when it is older than the watermark. So a load uniformly behind
 * its schedule makes no late rows (every row is as old as its neighbours); producers falling
 * behind one another do, since their events share partitions: a row older than the newest rows
 * of its partition by more than about the watermark's 4 s less the 1 s period can meet a watermark
 * sent from a batch without it.
 */
export const WATERMARK_DELAY_MS = 4_000;
export const WATERMARK_PERIOD_MS = 1_000;

/** Fewer commits than this in the window, and the lag trend says nothing (a line through two points). */
export const MIN_COMMITS = 3;

/**
 * How far the load was behind its schedule at each acknowledgement: the events due by then
 * (event n is due at t0 + n / rate) minus those acknowledged, in ms of load. On schedule this is
 * the broker's acknowledgement latency.
 */
export function scheduleDelays(
    produced: { time: number; acked: number }[],
    startEpochMs: number,
    eventsPerSecond: number,
    totalEvents: number,
): { time: number; delayMs: number }[] {
    return produced.map((p) => {
        const due = Math.min(totalEvents, ((p.time - startEpochMs) * eventsPerSecond) / 1000);
        return { time: p.time, delayMs: Math.max(0, ((due - p.acked) * 1000) / eventsPerSecond) };
    });
}

export interface LoadInput {
    produced: { time: number; acked: number }[];
    startEpochMs: number;
    eventsPerSecond: number;
    totalEvents: number;
    /** The producer's own worst delay of a batch behind schedule, whole run (ProduceReport). */
    maxScheduleDelayMs: number;
    /** Each producer thread's worst delay behind schedule (ProduceReport); absent with one thread or from older results. */
    threadMaxScheduleDelaysMs?: number[];
    windowed: boolean;
}

/**
 * What the load did in the window: the worst delay behind schedule, and the worst *stall*: that
 * delay less the window's median delay. A steady delay (the broker's acknowledgement latency)
 * only shifts the input; a stall holds events back and then releases them as a burst, which the
 * engine reads one checkpoint later and which can by itself raise the lag at the window's end.
 */
export function loadFigures(load: LoadInput, window: { startMs: number; endMs: number }): LoadFigures {
    const delays = scheduleDelays(load.produced, load.startEpochMs, load.eventsPerSecond, load.totalEvents).filter(
        (d) => d.time >= window.startMs && d.time <= window.endMs,
    );
    const sorted = delays.map((d) => d.delayMs).sort((x, y) => x - y);
    const median = sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
    const worst = delays.reduce<{ time: number; delayMs: number } | null>(
        (w, d) => (!w || d.delayMs > w.delayMs ? d : w),
        null,
    );
    // The spread between the producer threads, not how late the load was as a whole. It is the
    // spread of each thread's worst delay over the run, not at one instant: two threads late at
    // different moments read as none.
    const threads = load.threadMaxScheduleDelaysMs ?? [];
    const spread = threads.length > 1 ? Math.max(...threads) - Math.min(...threads) : 0;
    const late =
        load.windowed && spread >= WATERMARK_DELAY_MS - WATERMARK_PERIOD_MS
            ? `the producer threads fell up to ${(spread / 1000).toFixed(1)} s behind one another, which puts rows that much older than their neighbours into the same partitions, within reach of the watermark's ${WATERMARK_DELAY_MS / 1000} s (sent at most once per ${WATERMARK_PERIOD_MS / 1000} s of event time): the windows may have dropped rows as late (Arroyo drops them without a count), so the output and its latency may be undercounted`
            : null;
    return {
        maxScheduleDelayInWindowMs: worst ? Math.round(worst.delayMs) : null,
        medianScheduleDelayInWindowMs: median === null ? null : Math.round(median),
        maxStallMs: worst && median !== null ? Math.round(worst.delayMs - median) : null,
        maxStallAtSeconds: worst ? (worst.time - window.startMs) / 1000 : null,
        lateRowsRisk: late,
    };
}

/** Cadence and duration of the checkpoints whose start lies in the window (without the engine's list: the samples that first saw a commit). */
export function checkpointFigures(
    checkpoints: CheckpointTime[],
    progress: ProgressPoint[],
    window: { startMs: number; endMs: number },
    intervalSeconds: number,
): CheckpointFigures {
    const listed = checkpoints.length > 0;
    const starts = (listed ? checkpoints.map((c) => c.startMs) : commitSamples(progress).map((c) => c.time))
        .filter((t) => t >= window.startMs && t <= window.endMs)
        .sort((a, b) => a - b);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    const durations = checkpoints
        .filter((c) => c.startMs >= window.startMs && c.startMs <= window.endMs && c.finishMs !== null)
        .map((c) => (c.finishMs as number) - c.startMs)
        .sort((a, b) => a - b);
    return {
        intervalSeconds,
        inWindow: starts.length,
        cadenceSeconds: gaps.length ? gaps.reduce((s, g) => s + g, 0) / gaps.length / 1000 : null,
        maxGapSeconds: gaps.length ? Math.max(...gaps) / 1000 : null,
        // The upper median of an even count.
        durationMsP50: durations.length ? durations[Math.floor(durations.length / 2)] : null,
        durationMsMax: durations.length ? durations[durations.length - 1] : null,
        source: listed ? "checkpoint list" : "commits seen",
    };
}

/**
 * The verdict on the lag trend. Not sustainable only when the engine, not the load, made it so: a
 * failing trend is inconclusive when the load's worst stall in the window held back at least as
 * many events as the lag grew beyond the limit over the window (the burst after the stall could
 * account for all of it); and so is a window with fewer than MIN_COMMITS commits while the job
 * did commit (no commit at all is a stalled job, judged on every sample).
 */
export function judgeLag(
    w: Pick<WindowProgress, "inputRate" | "lagTrend" | "commits">,
    lagThreshold: number,
    load: LoadFigures,
    windowSeconds: number,
): Pick<KafkaFigures, "lagTrendLimit" | "sustainable" | "verdict" | "verdictReason" | "inconclusiveBecause"> {
    const limit = w.inputRate === null ? null : lagThreshold * w.inputRate;
    if (w.lagTrend === null || limit === null)
        return {
            lagTrendLimit: limit,
            sustainable: null,
            verdict: "inconclusive",
            inconclusiveBecause: "too few samples",
            verdictReason: "too few progress samples in the window",
        };
    if (w.commits > 0 && w.commits < MIN_COMMITS) {
        return {
            lagTrendLimit: limit,
            sustainable: null,
            verdict: "inconclusive",
            inconclusiveBecause: "too few commits",
            verdictReason: `the window held ${w.commits} checkpoint commit(s); at least ${MIN_COMMITS} are needed to judge (lengthen the window or shorten the checkpoint interval)`,
        };
    }
    if (w.lagTrend <= limit)
        return {
            lagTrendLimit: limit,
            sustainable: true,
            verdict: "sustainable",
            inconclusiveBecause: null,
            verdictReason: `lag trend ${Math.round(w.lagTrend)} events/s, limit ${Math.round(limit)}`,
        };
    const excess = (w.lagTrend - limit) * windowSeconds;
    const held = ((load.maxStallMs ?? 0) * (w.inputRate ?? 0)) / 1000;
    if (load.maxStallMs !== null && held >= excess) {
        return {
            lagTrendLimit: limit,
            sustainable: null,
            verdict: "inconclusive",
            inconclusiveBecause: "load behind schedule",
            verdictReason:
                `inconclusive: load behind schedule by ${(load.maxStallMs / 1000).toFixed(1)} s more than usual at ${(load.maxStallAtSeconds ?? 0).toFixed(0)} s into the window, ` +
                `holding back ~${Math.round(held)} events, as many as the lag grew beyond the limit (${Math.round(excess)}); lag trend ${Math.round(w.lagTrend)} events/s against ${Math.round(limit)}`,
        };
    }
    return {
        lagTrendLimit: limit,
        sustainable: false,
        verdict: "not sustainable",
        inconclusiveBecause: null,
        verdictReason: `lag grows ${Math.round(w.lagTrend)} events/s (limit ${Math.round(limit)})`,
    };
}

export interface KafkaInput {
    progress: ProgressPoint[];
    checkpoints: CheckpointTime[];
    window: { startMs: number; endMs: number };
    lagThreshold: number;
    /** Whether the output goes to the results topic (a files sink leaves it empty). */
    kafkaSink: boolean;
}

export function kafkaFigures(k: KafkaInput, load: LoadFigures): KafkaFigures {
    const w = windowProgress(k.progress, k.window.startMs, k.window.endMs, k.checkpoints);
    const last = k.progress[k.progress.length - 1];
    const windowSeconds = (k.window.endMs - k.window.startMs) / 1000;
    return {
        inputRate: w.inputRate,
        consumedRate: w.consumedRate,
        consumedInWindow: w.consumed,
        lagTrend: w.lagTrend,
        lagTrendBasis: w.lagTrendBasis,
        commitsInWindow: w.commits,
        ...judgeLag(w, k.lagThreshold, load, windowSeconds),
        lagAtEnd: last ? last.lag : null,
        outputRate: k.kafkaSink ? w.outputRate : null,
    };
}

/** Mean CPU and memory per host inside the window; null for a host (or all) with no sample: not measured is not zero. */
export function hostFigures(
    hosts: string[],
    samples: HostSample[],
    window: { startMs: number; endMs: number },
    engineContainers: RegExp,
): { hosts: HostFigures[]; engineCores: number | null } {
    const inside = samples.filter((h) => h.time >= window.startMs && h.time <= window.endMs);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
    const perHost = hosts.map((name) => {
        const mine = inside.filter((s) => s.host === name);
        return {
            host: name,
            cpuCores: mean(mine.map((s) => s.cpuCores)),
            memoryBytesMean: mean(mine.map((s) => s.memoryBytes)),
            memoryBytesMax: mine.length ? Math.max(...mine.map((s) => s.memoryBytes)) : null,
        };
    });
    const engine = new Map<number, number>();
    for (const s of inside)
        for (const c of s.containers)
            if (engineContainers.test(c.container)) engine.set(s.time, (engine.get(s.time) ?? 0) + c.cpuCores);
    return { hosts: perHost, engineCores: mean([...engine.values()]) };
}

/**
 * Restarts, recoveries and failures inside [fromMs, toMs], from the job samples. Arroyo has no
 * Failing state: a failing job is Recovering with a new run_id each time, then Failed with "Job
 * has restarted too many times" (states/running.rs); the cause is the first error it reported.
 */
export function judgeValidity(
    jobs: JobSample[],
    initialRunId: number,
    fromMs: number,
    toMs: number,
    firstError: string | undefined,
    engine: { label: string; attemptCounter: string },
): Validity {
    const reasons: string[] = [];
    const at = (t: number) => `${((t - fromMs) / 1000).toFixed(1)} s into the window`;
    const inside = jobs.filter((j) => j.time >= fromMs && j.time <= toMs);
    const notRunning = inside.find((j) => j.state !== "Running");
    const failed = inside.find((j) => j.state === "Failed");
    if (failed) reasons.push(`job Failed ${at(failed.time)}${failed.failure ? `: ${failed.failure}` : ""}`);
    else if (notRunning) reasons.push(`job was ${notRunning.state ?? "gone"} ${at(notRunning.time)}`);
    // The attempt counter goes up by one per restart (Arroyo's run_id, states/mod.rs; Flink's
    // numRestarts), so the last one counts them, also those between two samples.
    const restarted = inside.filter((j) => j.runId !== null && j.runId !== initialRunId);
    if (restarted.length) {
        const last = Math.max(...restarted.map((j) => j.runId as number));
        const n = last - initialRunId;
        reasons.push(
            `job restarted ${n === 1 ? "once" : `${n} times`} (${engine.attemptCounter} ${initialRunId} -> ${last}), first seen ${at(restarted[0].time)}`,
        );
    }
    if (reasons.length && firstError) reasons.push(`first error ${engine.label} reported: ${firstError}`);
    return { valid: reasons.length === 0, reasons };
}
