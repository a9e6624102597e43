import * as vega from "vega";
import { engineProfile } from "../engines/profiles";
import * as vl from "vega-lite";
import { BenchmarkResults, QueryRun } from "./types";

export async function toSvg(spec: vl.TopLevelSpec): Promise<string> {
    const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: "none" });
    try {
        return await view.toSVG();
    } finally {
        view.finalize();
    }
}

const label = (q: {
    id: string;
    validity: { valid: boolean };
    figures: { kafka: { verdict: string }; load: { lateRowsRisk: string | null } };
}) =>
    `${q.id}${q.validity.valid ? "" : " (invalid)"}${q.figures.kafka.verdict === "sustainable" ? "" : ` (${q.figures.kafka.verdict})`}${q.figures.load.lateRowsRisk ? " (late rows possible)" : ""}`;

/**
 * Charts as SVG, rendered by Vega in Node (no browser): throughput per query, rates over time,
 * lag over time. Kafka-measured series are plain; Arroyo's own are marked as Arroyo's, de-smoothed
 * (what it measured) or smoothed (what its UI shows). A figure not measured has no bar, not a 0.
 */
export async function renderCharts(r: BenchmarkResults): Promise<Record<string, string>> {
    return r.mode === "find-max" ? capacityCharts(r) : rateCharts(r);
}

/** Every trial (rate against lag trend, pass or fail) and the scaling curve with its ideal line. */
async function capacityCharts(r: BenchmarkResults): Promise<Record<string, string>> {
    const cap = r.capacity ?? [];
    const trials = cap.flatMap((c) =>
        c.search.trials.map((t) => ({
            search: `${c.query} p=${c.parallelism}`,
            rate: t.rate,
            lagTrend: t.lagTrend ?? 0,
            result: t.generatorBound ? "generator-bound" : t.pass ? "pass" : "fail",
        })),
    );
    const scaling = cap.flatMap((c) => {
        const one = cap.find((x) => x.query === c.query && x.parallelism === 1)?.search.mst?.inputRate;
        return [
            ...(c.search.mst?.inputRate
                ? [
                      {
                          query: c.query,
                          parallelism: c.parallelism,
                          series: "MST (input ev/s)",
                          rate: c.search.mst.inputRate,
                      },
                  ]
                : []),
            ...(one
                ? [
                      {
                          query: c.query,
                          parallelism: c.parallelism,
                          series: "ideal: p x MST(1)",
                          rate: one * c.parallelism,
                      },
                  ]
                : []),
        ];
    });
    return {
        "trials.svg": await toSvg({
            $schema: "https://vega.github.io/schema/vega-lite/v5.json",
            title: "Capacity search: every trial's lag trend at its rate (Kafka)",
            data: { values: trials },
            mark: { type: "point", filled: true, size: 80 },
            encoding: {
                x: { field: "rate", type: "quantitative", title: "target events/s" },
                y: { field: "lagTrend", type: "quantitative", title: "lag trend, events/s" },
                color: { field: "result", type: "nominal" },
                shape: { field: "search", type: "nominal" },
            },
            width: 520,
            height: 280,
        }),
        "scaling.svg": await toSvg({
            $schema: "https://vega.github.io/schema/vega-lite/v5.json",
            title: "Maximum sustainable throughput over parallelism",
            data: { values: scaling },
            mark: { type: "line", point: true },
            encoding: {
                x: { field: "parallelism", type: "quantitative", title: "parallelism (task slots)" },
                y: { field: "rate", type: "quantitative", title: "input events/s" },
                color: { field: "series", type: "nominal" },
                strokeDash: { field: "series", type: "nominal" },
                row: { field: "query", type: "nominal" },
            },
            width: 520,
            height: 220,
        }),
    };
}

/** The engine's own source rate, named for how it was read. */
function engineSourceLabel(q: QueryRun): string {
    return engineProfile(q.engine).sourceSeriesLabel;
}

async function rateCharts(r: BenchmarkResults): Promise<Record<string, string>> {
    const throughput = r.queries
        .flatMap((q) => [
            { query: label(q), measure: "input (Kafka)", rate: q.figures.kafka.inputRate },
            { query: label(q), measure: "consumed (Kafka)", rate: q.figures.kafka.consumedRate },
            { query: label(q), measure: "output (Kafka)", rate: q.figures.kafka.outputRate },
            { query: label(q), measure: engineSourceLabel(q), rate: q.figures.engine.sourceRate },
            ...(q.figures.engine.sourceRateSmoothed !== undefined
                ? [
                      {
                          query: label(q),
                          measure: `source (${engineProfile(q.engine).label}'s UI, smoothed)`,
                          rate: q.figures.engine.sourceRateSmoothed,
                      },
                  ]
                : []),
        ])
        .filter((x) => x.rate !== null);
    const overTime = r.queries.flatMap((q) => {
        const t0 = q.produce.startEpochMs;
        const progress = q.samples.progress;
        const perSecond = (f: (p: (typeof progress)[number]) => number) =>
            progress.slice(1).map((p, i) => ({
                seconds: (p.time - t0) / 1000,
                rate: ((f(p) - f(progress[i])) * 1000) / Math.max(1, p.time - progress[i].time),
            }));
        return [
            ...perSecond((p) => p.input).map((x) => ({ query: label(q), series: "input (Kafka)", ...x })),
            ...perSecond((p) => p.output).map((x) => ({ query: label(q), series: "output (Kafka)", ...x })),
            ...q.samples.engineSource.map((p) => ({
                query: label(q),
                series: engineSourceLabel(q),
                seconds: (p.time - t0) / 1000,
                rate: p.value,
            })),
            ...(q.samples.engineSourceSmoothed ?? []).map((p) => ({
                query: label(q),
                series: `source (${engineProfile(q.engine).label}'s UI, smoothed)`,
                seconds: (p.time - t0) / 1000,
                rate: p.value,
            })),
        ];
    });
    const thermal = r.queries.flatMap((q) =>
        (q.samples.thermal ?? []).flatMap((t) => [
            ...(t.temperatureC !== null
                ? [
                      {
                          query: label(q),
                          host: t.host,
                          measure: "temperature, °C",
                          seconds: (t.time - q.produce.startEpochMs) / 1000,
                          value: t.temperatureC,
                      },
                  ]
                : []),
            ...(t.cpuMhz !== null
                ? [
                      {
                          query: label(q),
                          host: t.host,
                          measure: "slowest core's clock, MHz",
                          seconds: (t.time - q.produce.startEpochMs) / 1000,
                          value: t.cpuMhz,
                      },
                  ]
                : []),
        ]),
    );
    const lag = r.queries.flatMap((q) =>
        q.samples.progress.map((p) => ({
            query: label(q),
            seconds: (p.time - q.produce.startEpochMs) / 1000,
            lag: p.lag,
        })),
    );
    const windows = r.queries.map((q) => ({
        query: label(q),
        from: (q.window.startMs - q.produce.startEpochMs) / 1000,
        to: (q.window.endMs - q.produce.startEpochMs) / 1000,
    }));
    const x = { field: "seconds", type: "quantitative" as const, title: "seconds since the load started" };
    return {
        "throughput.svg": await toSvg({
            $schema: "https://vega.github.io/schema/vega-lite/v5.json",
            title: `Throughput per query, measured window (${r.configuration.stack}, parallelism ${r.configuration.parallelism})`,
            data: { values: throughput },
            mark: "bar",
            encoding: {
                x: { field: "query", type: "nominal", title: "query" },
                xOffset: { field: "measure" },
                y: { field: "rate", type: "quantitative", title: "events or records per second" },
                color: { field: "measure", type: "nominal" },
            },
            width: 520,
            height: 280,
        }),
        "rates-over-time.svg": await toSvg({
            $schema: "https://vega.github.io/schema/vega-lite/v5.json",
            title: "Rates over time (the shaded span is the measured window)",
            data: { values: overTime },
            facet: { row: { field: "query", type: "nominal" } },
            spec: {
                layer: [
                    {
                        data: { values: windows },
                        mark: { type: "rect", opacity: 0.1 },
                        encoding: { x: { field: "from", type: "quantitative" }, x2: { field: "to" } },
                    },
                    {
                        mark: { type: "line", point: false },
                        encoding: {
                            x,
                            y: { field: "rate", type: "quantitative", title: "per second" },
                            color: { field: "series", type: "nominal", legend: { labelLimit: 320 } },
                        },
                    },
                ],
                width: 520,
                height: 160,
            },
            resolve: { scale: { x: "independent" } },
        } as vl.TopLevelSpec),
        // Only where some host reported temperature or clock (a Pi does; most VMs do not).
        ...(thermal.length
            ? {
                  "thermal.svg": await toSvg({
                      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
                      title: "Temperature and clock per host (throttled windows are marked in the summary)",
                      data: { values: thermal },
                      facet: { row: { field: "measure", type: "nominal" } },
                      spec: {
                          mark: { type: "line", point: true },
                          encoding: {
                              x,
                              y: { field: "value", type: "quantitative", title: null },
                              color: { field: "host", type: "nominal" },
                              strokeDash: { field: "query", type: "nominal" },
                          },
                          width: 520,
                          height: 160,
                      },
                      resolve: { scale: { y: "independent" } },
                  } as vl.TopLevelSpec),
              }
            : {}),
        "lag-over-time.svg": await toSvg({
            $schema: "https://vega.github.io/schema/vega-lite/v5.json",
            title: "Consumer lag on the query's input topics (Kafka: end offsets minus committed offsets)",
            data: { values: lag },
            mark: { type: "line", point: true },
            encoding: {
                x,
                y: { field: "lag", type: "quantitative", title: "events not yet read" },
                color: { field: "query", type: "nominal" },
            },
            width: 520,
            height: 220,
        }),
    };
}
