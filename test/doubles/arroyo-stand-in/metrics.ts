// How the test double keeps and serves operator metrics: a copy of Arroyo v0.15.0's behaviour,
// written from reading its source (facts, not code):
// - crates/arroyo-controller/src/job_controller/job_metrics.rs: the controller collects every
//   COLLECTION_RATE = 2 s, keeps COLLECTION_TIME = 5 min (150 points), turns each counter into a
//   rate with an EWMA (EWMA_ALPHA = 0.1; the first rate is taken raw, the very first counter
//   reading yields no point), stamps every subtask's point with its own SystemTime::now() (one
//   update call per subtask, in turn), computes backpressure as 1 - (rem + 1) / (size + 1) from
//   the tx_queue gauges without smoothing, and serves subtasks whose series is empty filtered out.
// - crates/arroyo-controller/src/job_controller/mod.rs (update_metrics): one collection round
//   reads the workers' Prometheus counters, then updates each (operator, subtask) in turn.
// - crates/arroyo-metrics/src/lib.rs and crates/arroyo-operator/src/context.rs: the counters are
//   cumulative per (node_id, subtask_idx); the four rate metrics are bytes_recv, bytes_sent,
//   messages_recv, messages_sent. The double serves the two message rates and backpressure only:
//   Arroyo's byte counts are Arrow batch sizes, which the double cannot reproduce, and a made-up
//   figure would be worse than none.
import { MetricName, OperatorMetricGroup } from "../../../benchmark/engines/arroyo/types";

export const COLLECTION_RATE_MS = 2_000;
const NUM_BUCKETS = (5 * 60 * 1000) / COLLECTION_RATE_MS;
const EWMA_ALPHA = 0.1;
const RATE_METRICS = ["messages_recv", "messages_sent"] as const;
// crates/arroyo-rpc/default.toml: worker.queue-size = 8192, the capacity the tx_queue gauges report.
export const QUEUE_SIZE = 8192;

/** What a worker's Prometheus endpoint holds for one subtask: cumulative counters and the queue gauges. */
export interface SubtaskCounters {
    messages_recv: number;
    messages_sent: number;
    tx_queue_size: number;
    tx_queue_rem: number;
}

export const newCounters = (): SubtaskCounters => ({
    messages_recv: 0,
    messages_sent: 0,
    tx_queue_size: QUEUE_SIZE,
    tx_queue_rem: QUEUE_SIZE,
});

class Ring<T> {
    readonly values: T[] = [];
    push(v: T): void {
        this.values.push(v);
        if (this.values.length > NUM_BUCKETS) this.values.shift();
    }
}

/** job_metrics.rs RateMetric: a counter turned into an EWMA-smoothed rate. */
class RateMetric {
    readonly values = new Ring<[number, number]>();
    private prev?: [number, number];

    add(timeMs: number, value: number): void {
        const prev = this.prev;
        this.prev = [timeMs, value];
        if (!prev) return;
        const deltaT = (timeMs - prev[0]) / 1000;
        if (deltaT <= 0) return;
        // A counter that went backwards counts as no progress (checked_sub ... unwrap_or_default).
        const r = Math.max(0, value - prev[1]) / deltaT;
        const last = this.values.values[this.values.values.length - 1];
        this.values.push(last ? [timeMs, (1 - EWMA_ALPHA) * last[1] + EWMA_ALPHA * r] : [timeMs, r]);
    }
}

interface TaskMetrics {
    rates: Map<MetricName, RateMetric>;
    backpressure: Ring<[number, number]>;
}

/** One job run's metrics, as the controller holds them (a new one per scheduling, scheduling.rs). */
export class JobMetrics {
    private readonly tasks = new Map<string, { nodeId: number; subtask: number; metrics: TaskMetrics }>();

    // Sub-millisecond wall time, so subtasks updated in one round get distinct stamps as in Arroyo.
    constructor(
        operators: { nodeId: number; parallelism: number }[],
        private readonly now: () => number = () => performance.timeOrigin + performance.now(),
    ) {
        for (const op of operators) {
            for (let i = 0; i < op.parallelism; i++) {
                this.tasks.set(`${op.nodeId}/${i}`, {
                    nodeId: op.nodeId,
                    subtask: i,
                    metrics: {
                        rates: new Map(RATE_METRICS.map((m) => [m as MetricName, new RateMetric()])),
                        backpressure: new Ring(),
                    },
                });
            }
        }
    }

    /** One collection round: every subtask updated in turn, each with its own timestamp. */
    collect(read: (nodeId: number, subtask: number) => SubtaskCounters): void {
        for (const task of this.tasks.values()) {
            const now = this.now();
            const c = read(task.nodeId, task.subtask);
            for (const name of RATE_METRICS) task.metrics.rates.get(name)!.add(now, c[name]);
            task.metrics.backpressure.push([now, 1 - (c.tx_queue_rem + 1) / (c.tx_queue_size + 1)]);
        }
    }

    /** get_groups: per operator, per metric, the subtasks with a non-empty series; times in µs. */
    groups(): OperatorMetricGroup[] {
        const byNode = new Map<
            number,
            Map<MetricName, { index: number; metrics: { time: number; value: number }[] }[]>
        >();
        for (const task of this.tasks.values()) {
            const op = byNode.get(task.nodeId) ?? new Map();
            byNode.set(task.nodeId, op);
            const series: [MetricName, [number, number][]][] = [
                ...[...task.metrics.rates].map(([n, r]) => [n, r.values.values] as [MetricName, [number, number][]]),
                ["backpressure", task.metrics.backpressure.values],
            ];
            for (const [name, points] of series) {
                const list = op.get(name) ?? [];
                list.push({
                    index: task.subtask,
                    metrics: points.map(([t, v]) => ({ time: Math.round(t * 1000), value: v })),
                });
                op.set(name, list);
            }
        }
        return [...byNode].map(([nodeId, metrics]) => ({
            node_id: nodeId,
            metric_groups: [...metrics].map(([name, subtasks]) => ({
                name,
                subtasks: subtasks.filter((s) => s.metrics.length > 0),
            })),
        }));
    }
}
