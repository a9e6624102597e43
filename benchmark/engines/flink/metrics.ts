// Flink's own metrics, as its source writes them, turned into figures: pure functions of samples.
//
// Flink serves counters and meters per subtask (the JobManager's MetricFetcher collects them every
// metrics.fetcher.update-interval). Its *PerSecond rates are MeterViews over the last 60 s
// (org.apache.flink.metrics.MeterView(Counter) = 60 s span, updated every 5 s), too slow to say
// what happened inside a window: the figures here difference the counters instead
// (numRecordsOut of the source operators, numRecordsIn of the sink writers) and the accumulated
// idle and back-pressured milliseconds of each vertex (accumulateIdleTimeMs,
// accumulateBackPressuredTimeMs: TimerGauges, which only grow). Busy is what is left of the time:
// Flink's own accumulateBusyTimeMs is computed so (TaskIOMetricGroup.getAccumulatedBusyTime: now
// - task start - idle - back-pressured), with the clock read now and the other two as last
// updated (every 5 s), so it dips at each update and cannot be differenced.
import { EngineFigures } from "../../report/types";
import { slopePerSecond } from "../../kafka/progress";

/** One read of the job's counters, each summed over its subtasks. */
export interface FlinkMetricSample {
    time: number;
    /** Records the source operators emitted (numRecordsOut of each `Source__*` operator), all subtasks. */
    sourceRecordsOut: number | null;
    /** Records the sink writers took in (numRecordsIn of each `*__Writer` operator), all subtasks. */
    sinkRecordsIn: number | null;
    /** Per vertex: its parallelism and the ms its subtasks have been idle and back-pressured in all. */
    vertices: { id: string; parallelism: number; idleMs: number | null; backPressuredMs: number | null }[];
}

type Window = { startMs: number; endMs: number };

/**
 * A counter's rate inside [fromMs, toMs]: the least-squares slope of its samples there. Only
 * samples inside count: a rate is known between samples only, and an interval cut by the span's
 * edge (where the load may start or stop inside it) would be taken as uniform. The slope rather
 * than first-to-last: the JobManager serves what it last fetched from the TaskManagers (at most
 * metrics.fetcher.update-interval old), so each sample's age varies, and fitting all of them
 * averages that out. A sum over subtasks can dip for one sample (the JobManager's store briefly
 * lacking a subtask's value): such a sample is left out. Null with fewer than two samples inside,
 * when they span under half the span, or when over half of them are left out (a restart reset
 * the counter).
 */
export function counterRate(
    samples: { time: number; value: number | null }[],
    fromMs: number,
    toMs: number,
): number | null {
    const inside = samples.filter((s) => s.time >= fromMs && s.time <= toMs && s.value !== null) as {
        time: number;
        value: number;
    }[];
    const kept: { time: number; value: number }[] = [];
    for (const s of inside) if (kept.length === 0 || s.value >= kept[kept.length - 1].value) kept.push(s);
    if (kept.length < 2 || kept.length < inside.length / 2) return null;
    if (kept[kept.length - 1].time - kept[0].time < (toMs - fromMs) / 2) return null;
    return slopePerSecond(kept.map((s) => ({ time: s.time, y: s.value })));
}

/** The share of [fromMs, toMs] a vertex's subtasks spent in a state, from its accumulated ms (0..1). */
function shareOfTime(
    samples: FlinkMetricSample[],
    vertexId: string,
    field: "idleMs" | "backPressuredMs",
    window: Window,
): number | null {
    const points = samples.map((s) => {
        const v = s.vertices.find((x) => x.id === vertexId);
        return { time: s.time, value: v?.[field] ?? null, parallelism: v?.parallelism ?? 1 };
    });
    const rate = counterRate(points, window.startMs, window.endMs);
    const parallelism = points.find((p) => p.value !== null)?.parallelism ?? 1;
    return rate === null ? null : Math.min(1, Math.max(0, rate / 1000 / parallelism));
}

/** Rates between consecutive samples, for the charts. */
function rateSeries(samples: { time: number; value: number | null }[]): { time: number; value: number }[] {
    const out: { time: number; value: number }[] = [];
    for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1];
        const b = samples[i];
        if (a.value === null || b.value === null || b.time <= a.time || b.value < a.value) continue;
        out.push({ time: b.time, value: ((b.value - a.value) * 1000) / (b.time - a.time) });
    }
    return out;
}

export function flinkFigures(
    samples: FlinkMetricSample[],
    window: Window,
    consumed: { events: number; fromMs: number; toMs: number } | null,
) {
    const source = samples.map((s) => ({ time: s.time, value: s.sourceRecordsOut }));
    const sink = samples.map((s) => ({ time: s.time, value: s.sinkRecordsIn }));
    const spanRate = consumed ? counterRate(source, consumed.fromMs, consumed.toMs) : null;
    const flinkConsumed = consumed && spanRate !== null ? (spanRate * (consumed.toMs - consumed.fromMs)) / 1000 : null;
    const vertexIds = [...new Set(samples.flatMap((s) => s.vertices.map((v) => v.id)))];
    const worst = (share: (id: string) => number | null) => {
        const shares = vertexIds.map(share).filter((x): x is number => x !== null);
        return shares.length ? Math.max(...shares) : null;
    };
    const busy = (id: string) => {
        const idle = shareOfTime(samples, id, "idleMs", window);
        const bp = shareOfTime(samples, id, "backPressuredMs", window);
        return idle === null || bp === null ? null : Math.max(0, 1 - idle - bp);
    };
    const backpressureSeries = samples.slice(1).map((s, i) => {
        const prev = samples[i];
        const shares = s.vertices.map((v) => {
            const p = prev.vertices.find((x) => x.id === v.id);
            if (
                v.backPressuredMs === null ||
                p?.backPressuredMs == null ||
                s.time <= prev.time ||
                v.backPressuredMs < p.backPressuredMs
            )
                return null;
            return Math.min(1, (v.backPressuredMs - p.backPressuredMs) / (s.time - prev.time) / v.parallelism);
        });
        const known = shares.filter((x): x is number => x !== null);
        return { time: s.time, value: known.length ? Math.max(...known) : 0 };
    });
    const figures: EngineFigures = {
        engine: "flink",
        sourceRate: counterRate(source, window.startMs, window.endMs),
        sinkRate: counterRate(sink, window.startMs, window.endMs),
        consumedInWindow: flinkConsumed,
        differenceFromKafka:
            flinkConsumed !== null && consumed && consumed.events > 0
                ? (flinkConsumed - consumed.events) / consumed.events
                : null,
        backpressureMax: worst((id) => shareOfTime(samples, id, "backPressuredMs", window)),
        busyMax: worst(busy),
    };
    if (samples.length > 0 && samples.every((s) => s.sourceRecordsOut === null))
        figures.note = "Flink reported no numRecordsOut for a Source operator";
    return {
        figures,
        series: { engineSource: rateSeries(source), engineSink: rateSeries(sink), backpressure: backpressureSeries },
    };
}
