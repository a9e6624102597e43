import * as vega from "vega";
import * as vl from "vega-lite";
import { BenchmarkResults } from "./results";

async function toSvg(spec: vl.TopLevelSpec): Promise<string> {
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
    try {
        return await view.toSVG();
    } finally {
        view.finalize();
    }
}

/** Charts as SVG, rendered by Vega in Node (no browser): throughput per query, rates over time. */
export async function renderCharts(r: BenchmarkResults): Promise<Record<string, string>> {
    const throughput = r.queries.flatMap((q) => [
        { query: q.id, measure: "produced", rate: q.figures.producedRate },
        { query: q.id, measure: "input", rate: q.figures.inputRate },
        { query: q.id, measure: "processed", rate: q.figures.processedRate ?? 0 },
        { query: q.id, measure: "output", rate: q.figures.outputRate },
    ]);
    const overTime = r.queries.flatMap((q) => {
        const t0 = q.produce.startEpochMs;
        // Acks arrive in bursts; one-second buckets read better than per-ack rates.
        const bucket = new Map<number, number>();
        for (let i = 1; i < q.samples.produced.length; i++) {
            const s = Math.floor((q.samples.produced[i].time - t0) / 1000);
            bucket.set(s, (bucket.get(s) ?? 0) + q.samples.produced[i].acked - q.samples.produced[i - 1].acked);
        }
        return [
            ...[...bucket.entries()].map(([s, n]) => ({ query: q.id, series: "produced", seconds: s, rate: n })),
            ...q.samples.processed.map((p) => ({ query: q.id, series: "processed", seconds: (p.time - t0) / 1000, rate: p.value })),
            ...q.samples.sinkSent.map((p) => ({ query: q.id, series: "output", seconds: (p.time - t0) / 1000, rate: p.value })),
        ];
    });
    return {
        "throughput.svg": await toSvg({
            $schema: "https://vega.github.io/schema/vega-lite/v5.json",
            title: `Throughput per query (${r.configuration.stack}, parallelism ${r.configuration.parallelism})`,
            data: { values: throughput },
            mark: "bar",
            encoding: {
                x: { field: "query", type: "nominal", title: "query" },
                xOffset: { field: "measure" },
                y: { field: "rate", type: "quantitative", title: "events or records per second" },
                color: { field: "measure", type: "nominal" },
            },
            width: 480,
            height: 280,
        }),
        "rates-over-time.svg": await toSvg({
            $schema: "https://vega.github.io/schema/vega-lite/v5.json",
            title: "Rates over time",
            data: { values: overTime },
            mark: { type: "line", point: false },
            encoding: {
                x: { field: "seconds", type: "quantitative", title: "seconds since the load started" },
                y: { field: "rate", type: "quantitative", title: "per second" },
                color: { field: "series", type: "nominal" },
                row: { field: "query", type: "nominal" },
            },
            width: 480,
            height: 160,
        }),
    };
}
