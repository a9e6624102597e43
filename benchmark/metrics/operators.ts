import { MetricName, OperatorMetricGroup, PipelineGraph } from "../arroyo/types";

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
}

/**
 * Arroyo reports each metric as a per-subtask time series of rates (messages/s). This sums the
 * subtasks of the given operators at each sample time.
 */
export function summedSeries(groups: OperatorMetricGroup[], nodeIds: number[], name: MetricName): RatePoint[] {
    const byTime = new Map<number, number>();
    for (const g of groups) {
        if (!nodeIds.includes(g.node_id)) continue;
        for (const mg of g.metric_groups) {
            if (mg.name !== name) continue;
            for (const st of mg.subtasks) {
                for (const m of st.metrics) byTime.set(m.time, (byTime.get(m.time) ?? 0) + m.value);
            }
        }
    }
    // Arroyo's times are microseconds since the epoch.
    return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ time: t / 1000, value: v }));
}

/** The highest value any subtask of any operator reported at each sample (backpressure is 0..1). */
export function maxSeries(groups: OperatorMetricGroup[], name: MetricName): RatePoint[] {
    const byTime = new Map<number, number>();
    for (const g of groups) {
        for (const mg of g.metric_groups) {
            if (mg.name !== name) continue;
            for (const st of mg.subtasks) for (const m of st.metrics) byTime.set(m.time, Math.max(byTime.get(m.time) ?? 0, m.value));
        }
    }
    return [...byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ time: t / 1000, value: v }));
}

/** Mean of the points inside [startMs, endMs], or undefined when none fall inside. */
export function meanIn(points: RatePoint[], startMs: number, endMs: number): number | undefined {
    const inside = points.filter((p) => p.time >= startMs && p.time <= endMs);
    if (inside.length === 0) return undefined;
    return inside.reduce((s, p) => s + p.value, 0) / inside.length;
}

/** Integral of a rate series up to `untilMs` (rate x time between samples): messages so far. */
export function integrate(points: RatePoint[], untilMs: number): number {
    let total = 0;
    for (let i = 1; i < points.length && points[i].time <= untilMs; i++) {
        total += (points[i].value * (points[i].time - points[i - 1].time)) / 1000;
    }
    return total;
}
