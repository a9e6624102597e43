// Arroyo's own figures, from the metrics its controller serves (metrics.ts), set beside what
// Kafka measured (benchmark/figures.ts). Pure: no I/O.
import { KafkaFigures } from "../../report/types";
import {
    desmoothed,
    integrate,
    maxSeries,
    sinkNodeIds,
    sourceNodeIds,
    subtaskSeries,
    summedRate,
    summedRawRate,
} from "./metrics";
import { OperatorMetricGroup, PipelineGraph } from "./types";

/**
 * Arroyo's figures from its served metrics. Rates are de-smoothed per subtask (metrics.ts) before
 * anything is compared with Kafka; the smoothed source rate is kept as what Arroyo's UI shows.
 * Backpressure is one output queue's fill as last written (crates/arroyo-operator/src/context.rs
 * sets the gauges only when that queue gets a batch), the worst subtask's.
 */
export function arroyoFigures(
    merged: OperatorMetricGroup[],
    graph: PipelineGraph,
    window: { startMs: number; endMs: number },
    consumed: KafkaFigures["consumedInWindow"],
) {
    const sources = sourceNodeIds(graph);
    const sinks = sinkNodeIds(graph);
    // Each subtask's rate over the whole collection intervals inside the window, summed: a rate is
    // known per interval only, and one cut by the window's edge (where the load may start or stop
    // inside it) would be taken as uniform and bias the figure. Null where a subtask has fewer than
    // two collections inside, or they span under half the window.
    const rateOver = (
        nodeIds: number[],
        name: "messages_sent" | "messages_recv",
        fromMs = window.startMs,
        toMs = window.endMs,
    ) => {
        const series = subtaskSeries(merged, name, nodeIds);
        if (series.length === 0) return null;
        let total = 0;
        for (const s of series) {
            const raw = desmoothed(s);
            const inside = raw.filter((p) => p.time >= fromMs && p.time <= toMs);
            if (inside.length < 2 || inside[inside.length - 1].time - inside[0].time < (toMs - fromMs) / 2) return null;
            const first = inside[0].time;
            const last = inside[inside.length - 1].time;
            total += (integrate(raw, first, last) * 1000) / (last - first);
        }
        return total;
    };
    const smoothed = summedRate(merged, sources, "messages_sent");
    const smoothedIn = smoothed.filter((p) => p.time >= window.startMs && p.time <= window.endMs);
    // Arroyo's count over the span of Kafka's consumed figure, as its rate there (whole collection
    // intervals inside the span) times the span: the same measure of the same reading.
    const spanRate = consumed ? rateOver(sources, "messages_sent", consumed.fromMs, consumed.toMs) : null;
    const arroyoConsumed = consumed && spanRate !== null ? (spanRate * (consumed.toMs - consumed.fromMs)) / 1000 : null;
    const backpressure = maxSeries(merged, "backpressure");
    const bpIn = backpressure.filter((p) => p.time >= window.startMs && p.time <= window.endMs);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    return {
        figures: {
            engine: "arroyo" as const,
            sourceRate: rateOver(sources, "messages_sent"),
            sourceRateSmoothed: smoothedIn.length ? mean(smoothedIn.map((p) => p.value)) : null,
            sinkRate: rateOver(sinks, "messages_recv"),
            consumedInWindow: arroyoConsumed,
            differenceFromKafka:
                arroyoConsumed !== null && consumed && consumed.events > 0
                    ? (arroyoConsumed - consumed.events) / consumed.events
                    : null,
            backpressureMax: bpIn.length ? Math.max(...bpIn.map((p) => p.value)) : null,
            backpressureMean: bpIn.length ? mean(bpIn.map((p) => p.value)) : null,
        },
        series: {
            engineSource: summedRawRate(merged, sources, "messages_sent"),
            engineSourceSmoothed: smoothed,
            engineSink: summedRawRate(merged, sinks, "messages_recv"),
            backpressure,
        },
    };
}
