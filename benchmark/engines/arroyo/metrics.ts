// Arroyo's operator metrics, read the way v0.15.0 writes them (facts from its source):
// - A Kafka source has no input queue, so its messages_recv is always 0; what it reads is its
//   messages_sent (crates/arroyo-operator/src/operator.rs counts MessagesReceived only where a
//   batch is taken from an input queue; context.rs ArrowCollector::collect counts MessagesSent).
//   A sink sends nothing on: its intake is its messages_recv. Sources and sinks are never chained
//   into other operators (crates/arroyo-datastream/src/optimizers.rs), so they are nodes of their own.
// - The controller collects every 2.0-2.2 s (or later: a round starts when the previous one and
//   the rest of its loop are done) and serves each subtask's series with its own timestamps (µs),
//   smoothed as s(i) = 0.9 s(i-1) + 0.1 r(i), the first point r(0) raw, where r(i) is the
//   counter's rise over the time since the previous collection
//   (crates/arroyo-controller/src/job_controller/job_metrics.rs, RateMetric::add). A step takes
//   ~21 s to show 63% and ~46 s to show 90%, so a window that opens on a job started with no
//   load reads its smoothed rate far too low. The recurrence is exactly invertible:
//   r(i) = (s(i) - 0.9 s(i-1)) / 0.1, per subtask series, which gives back the rates Arroyo
//   measured (unsmoothed, so noisier, and unbiased); `desmoothed` does that, and figures compare
//   Kafka with those, while the smoothed series stands only for what Arroyo's UI shows.
import { MetricName, OperatorMetricGroup, PipelineGraph } from "./types";

/** job_metrics.rs COLLECTION_RATE. */
export const COLLECTION_RATE_MS = 2_000;
/** job_metrics.rs EWMA_ALPHA. */
export const EWMA_ALPHA = 0.1;

/** Source operators: the graph's nodes that no edge feeds. */
export function sourceNodeIds(graph: PipelineGraph): number[] {
    const fed = new Set(graph.edges.map((e) => e.dest_id));
    return graph.nodes.filter((n) => !fed.has(n.node_id)).map((n) => n.node_id);
}

/** Sink operators: the graph's nodes that feed nothing. */
export function sinkNodeIds(graph: PipelineGraph): number[] {
    const feeding = new Set(graph.edges.map((e) => e.src_id));
    return graph.nodes.filter((n) => !feeding.has(n.node_id)).map((n) => n.node_id);
}

export interface RatePoint {
    /** ms since the epoch */
    time: number;
    value: number;
    /** The first point of a run of the job after its first: its series started anew there, raw. */
    firstOfRun?: boolean;
}

/**
 * One fetch of a job's operator metrics, with the run_id it was taken under: every scheduling
 * starts new series whose first point is raw (crates/arroyo-controller/src/states/scheduling.rs
 * ~625-629), and the API serves the current run's only. `runId` null: not known (one run).
 */
export interface MetricsSnapshot {
    runId: number | null;
    groups: OperatorMetricGroup[];
}

/**
 * Arroyo keeps five minutes of points; snapshots taken along a run are merged by time. Points of
 * a later run than the first continue the subtask's series, their first point marked, so that it
 * is taken raw rather than un-smoothed against the previous run's last value.
 */
export function mergeSnapshots(snapshots: (OperatorMetricGroup[] | MetricsSnapshot)[]): OperatorMetricGroup[] {
    const merged = new Map<string, Map<number, { value: number; run: number | null }>>();
    for (const raw of snapshots) {
        const snap: MetricsSnapshot = Array.isArray(raw) ? { runId: null, groups: raw } : raw;
        for (const g of snap.groups) {
            for (const mg of g.metric_groups) {
                for (const st of mg.subtasks) {
                    const key = `${g.node_id}|${mg.name}|${st.index}`;
                    const series = merged.get(key) ?? new Map<number, { value: number; run: number | null }>();
                    for (const m of st.metrics)
                        if (!series.has(m.time)) series.set(m.time, { value: m.value, run: snap.runId });
                    merged.set(key, series);
                }
            }
        }
    }
    const groups = new Map<number, OperatorMetricGroup>();
    for (const [key, series] of merged) {
        const [node, name, index] = key.split("|");
        const g = groups.get(Number(node)) ?? { node_id: Number(node), metric_groups: [] };
        let mg = g.metric_groups.find((x) => x.name === name);
        if (!mg) {
            mg = { name: name as MetricName, subtasks: [] };
            g.metric_groups.push(mg);
        }
        const points = [...series.entries()].sort((a, b) => a[0] - b[0]);
        mg.subtasks.push({
            index: Number(index),
            metrics: points.map(([time, p], i) => ({
                time,
                value: p.value,
                ...(i > 0 && p.run !== null && points[i - 1][1].run !== null && p.run !== points[i - 1][1].run
                    ? { firstOfRun: true }
                    : {}),
            })),
        });
        groups.set(g.node_id, g);
    }
    return [...groups.values()];
}

/** Every subtask series of `name` on `nodeIds` (or every node), times in ms. */
export function subtaskSeries(groups: OperatorMetricGroup[], name: MetricName, nodeIds?: number[]): RatePoint[][] {
    const out: RatePoint[][] = [];
    for (const g of groups) {
        if (nodeIds && !nodeIds.includes(g.node_id)) continue;
        for (const mg of g.metric_groups) {
            if (mg.name !== name) continue;
            for (const st of mg.subtasks)
                if (st.metrics.length)
                    out.push(
                        st.metrics
                            .map((m) => ({
                                time: m.time / 1000,
                                value: m.value,
                                ...(m.firstOfRun ? { firstOfRun: true } : {}),
                            }))
                            .sort((a, b) => a.time - b.time),
                    );
        }
    }
    return out;
}

/**
 * Subtasks on one grid of COLLECTION_RATE steps: at each grid time every subtask contributes its
 * latest point at or before it, if that point is at most two collection rounds old; a grid time
 * some subtask cannot cover is left out rather than summed short.
 */
function onGrid(series: RatePoint[][], combine: (values: number[]) => number): RatePoint[] {
    if (series.length === 0) return [];
    const from = Math.max(...series.map((s) => s[0].time));
    const to = Math.max(...series.map((s) => s[s.length - 1].time));
    const out: RatePoint[] = [];
    const cursor = series.map(() => 0);
    for (let t = from; t <= to + 1e-6; t += COLLECTION_RATE_MS) {
        const values: number[] = [];
        for (let i = 0; i < series.length; i++) {
            const s = series[i];
            while (cursor[i] + 1 < s.length && s[cursor[i] + 1].time <= t) cursor[i]++;
            const p = s[cursor[i]];
            if (p.time <= t && t - p.time <= 2 * COLLECTION_RATE_MS) values.push(p.value);
        }
        if (values.length === series.length) out.push({ time: t, value: combine(values) });
    }
    return out;
}

/**
 * The rates Arroyo measured, from one subtask's smoothed series: the first point is raw (Arroyo
 * takes its first rate unsmoothed), every later one r(i) = (s(i) - 0.9 s(i-1)) / 0.1. Each r(i)
 * is the counter's mean rate since the previous point, so integrating them gives the counter's
 * rise exactly. `firstIsRaw` is false when the series does not start at the job's first
 * collection (Arroyo keeps 5 minutes): its first point then has no predecessor and is dropped. A
 * point marked firstOfRun (a restart's new series) is raw too.
 */
export function desmoothed(series: RatePoint[], firstIsRaw = true): RatePoint[] {
    const out: RatePoint[] = [];
    for (let i = 0; i < series.length; i++) {
        if (i === 0) {
            if (firstIsRaw) out.push({ time: series[0].time, value: series[0].value });
            continue;
        }
        // A new run's series starts with a raw rate: inverting it against the last run's value
        // made a spike, or a 0 clipped from a negative.
        if (series[i].firstOfRun) {
            out.push({ time: series[i].time, value: series[i].value });
            continue;
        }
        // A rate is never negative (job_metrics.rs: a counter that went back counts as 0); rounding
        // in the served f64 leaves tiny negatives at most.
        out.push({
            time: series[i].time,
            value: Math.max(0, (series[i].value - (1 - EWMA_ALPHA) * series[i - 1].value) / EWMA_ALPHA),
        });
    }
    return out;
}

/** What the operators' subtasks counted between two instants: each subtask's de-smoothed series integrated on its own timestamps, summed. */
export function countBetween(
    groups: OperatorMetricGroup[],
    nodeIds: number[],
    name: MetricName,
    fromMs: number,
    toMs: number,
): number | null {
    const series = subtaskSeries(groups, name, nodeIds);
    if (series.length === 0) return null;
    return series.reduce((sum, s) => sum + integrate(desmoothed(s), fromMs, toMs), 0);
}

/** The de-smoothed rate summed over the operators' subtasks, on the collection grid (for charts and window means). */
export function summedRawRate(groups: OperatorMetricGroup[], nodeIds: number[], name: MetricName): RatePoint[] {
    return onGrid(
        subtaskSeries(groups, name, nodeIds).map((s) => desmoothed(s)),
        (v) => v.reduce((a, b) => a + b, 0),
    );
}

/** The operators' rate summed over their subtasks (e.g. sources' messages_sent: events/s read), as Arroyo serves it (smoothed). */
export function summedRate(groups: OperatorMetricGroup[], nodeIds: number[], name: MetricName): RatePoint[] {
    return onGrid(subtaskSeries(groups, name, nodeIds), (v) => v.reduce((a, b) => a + b, 0));
}

/** The highest value of any subtask of any operator at each grid time (backpressure is 0..1). */
export function maxSeries(groups: OperatorMetricGroup[], name: MetricName): RatePoint[] {
    return onGrid(subtaskSeries(groups, name), (v) => Math.max(...v));
}

/** Mean of the points inside [startMs, endMs], or undefined when none fall inside. */
export function meanIn(points: RatePoint[], startMs: number, endMs: number): number | undefined {
    const inside = points.filter((p) => p.time >= startMs && p.time <= endMs);
    if (inside.length === 0) return undefined;
    return inside.reduce((s, p) => s + p.value, 0) / inside.length;
}

/** Integral of a rate series over [fromMs, toMs] (each point's rate held since the previous point): messages. */
export function integrate(points: RatePoint[], fromMs: number, toMs: number): number {
    let total = 0;
    for (let i = 1; i < points.length; i++) {
        const a = Math.max(points[i - 1].time, fromMs);
        const b = Math.min(points[i].time, toMs);
        if (b > a) total += (points[i].value * (b - a)) / 1000;
    }
    return total;
}
