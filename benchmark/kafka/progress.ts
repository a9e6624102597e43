// Progress measured where it is certain: Kafka offsets. Engine-independent (Theodolite measures
// consumer lag the same way), and it holds on a real Arroyo cluster because Arroyo 0.15.0's Kafka
// source commits what it has read to its consumer group at every checkpoint
// (crates/arroyo-connectors/src/kafka/source/mod.rs, "for progress tracking for metrics").
// Pure: the offsets come from kafka/sampler.ts, which reads them from the broker.

/** One source table of a query: the topic it reads and the consumer group it commits to. */
export interface SourceGroup {
    table: string;
    topic: string;
    groupId: string;
}

export interface TableOffsets {
    table: string;
    /** The next offset to be written, per partition. */
    end: number[];
    /** The group's committed offset per partition; null where the group has none. */
    committed: (number | null)[];
}

export interface ProgressSample {
    /** ms since the epoch */
    time: number;
    tables: TableOffsets[];
    /** The results topic's end offsets. */
    results: number[];
}

/** A sample reduced to counts since the run's start offsets. */
export interface ProgressPoint {
    time: number;
    /** Events on the query's input topics since the start. */
    input: number;
    /** Events the query's sources have read, by their committed offsets. */
    consumed: number;
    /** input - consumed. */
    lag: number;
    /** Records on the results topic. */
    output: number;
}

/**
 * What an engine's committed offset means: the last record it read (Arroyo: kafka/source/mod.rs
 * commits `Offset::Offset(*offset)` and keeps `offset + 1` in its own state), or the next one to
 * read, as Kafka clients usually commit (Flink's KafkaSourceReader commits the split's next offset
 * when a checkpoint completes).
 */
export type CommitCounting = "last-read" | "next-to-read";

/**
 * Events read from a partition, from the group's committed offset `c` and the run's start `s`
 * (the next offset to read when the job started). Next-to-read: c - s. Last-read: c - s + 1 above
 * the start; a commit at `s` is read as none (it cannot be told from one record read: at most one
 * event per partition too few).
 */
export function consumedFromCommit(
    start: number,
    committed: number | null,
    counting: CommitCounting = "last-read",
): number {
    if (committed === null) return 0;
    if (counting === "next-to-read") return Math.max(0, committed - start);
    return committed > start ? committed - start + 1 : 0;
}

export function toPoint(
    sample: ProgressSample,
    start: Map<string, number[]>,
    resultsStart: number[] = [],
    counting: CommitCounting = "last-read",
): ProgressPoint {
    let input = 0;
    let consumed = 0;
    for (const t of sample.tables) {
        const s = start.get(t.table) ?? [];
        t.end.forEach((e, p) => (input += e - (s[p] ?? 0)));
        t.committed.forEach((c, p) => (consumed += consumedFromCommit(s[p] ?? 0, c, counting)));
    }
    const output = sample.results.reduce((sum, e, p) => sum + e - (resultsStart[p] ?? 0), 0);
    return { time: sample.time, input, consumed, lag: input - consumed, output };
}

/**
 * Least-squares slope of y over time, per second; null with fewer than two instants. Σ(t − t̄)·y
 * over Σ(t − t̄)²: the textbook Σ(t − t̄)(y − ȳ) less ȳ·Σ(t − t̄), which is 0.
 */
export function slopePerSecond(points: { time: number; y: number }[]): number | null {
    const mt = points.reduce((s, p) => s + p.time, 0) / points.length;
    let num = 0;
    let den = 0;
    for (const p of points) {
        num += (p.time - mt) * p.y;
        den += (p.time - mt) ** 2;
    }
    return den === 0 ? null : (num / den) * 1000;
}

/** When a checkpoint started and finished, ms since the epoch (from the engine's checkpoint list). */
export interface CheckpointTime {
    epoch: number;
    /** As the engine lists it: about where the sources' offsets of this checkpoint were taken. */
    startMs: number;
    finishMs: number | null;
    /**
     * When Kafka shows this checkpoint's commit and no later one's, which differs by engine: from
     * commitFromMs (the sources have committed by then; null: never, a failed checkpoint, or not
     * yet) until commitUntilMs (a later checkpoint may commit from then on; null: from the next
     * listed checkpoint's commitFromMs).
     */
    commitFromMs: number | null;
    commitUntilMs: number | null;
}

/** One observation of progress at a commit: the lag at the instant the sources committed. */
export interface CommitPoint {
    time: number;
    input: number;
    consumed: number;
    lag: number;
    /** The checkpoint whose commit this is, when the engine listed it. */
    epoch?: number;
}

export interface WindowProgress {
    /** Input events/s on the query's topics (end offsets), over the same span as consumedRate when commits were seen. */
    inputRate: number | null;
    /** Events/s the sources read, between the first and last commit in the window. */
    consumedRate: number | null;
    /** Events read between those two commits, and when they were made. */
    consumed: { events: number; fromMs: number; toMs: number } | null;
    /** Slope of the lag over the window, events/s: > 0 means the query falls behind. */
    lagTrend: number | null;
    /**
     * Which points the trend was fitted on: "checkpoints" (the lag at each checkpoint's start,
     * where the sources commit, input interpolated there), "commits" (the samples where a new
     * commit was first seen: no checkpoint list), or "samples" (no commit in the window at all).
     */
    lagTrendBasis: "checkpoints" | "commits" | "samples";
    /** The points the trend was fitted on (commits, or every sample when there were none). */
    commitPoints: CommitPoint[];
    /** Commits inside the window. */
    commits: number;
    outputRate: number | null;
    outputRecords: number;
}

/** The samples that first saw a new commit (the group's committed offsets moved since the sample before). */
export function commitSamples(points: ProgressPoint[]): ProgressPoint[] {
    return points.filter((p, i) => i > 0 && p.consumed !== points[i - 1].consumed);
}

/** A value of the samples at an instant, linear between the samples around it (held beyond them). */
export function interpolate(points: ProgressPoint[], t: number, f: (p: ProgressPoint) => number): number {
    if (points.length === 0) return 0;
    // Strictly before: at the first sample's own instant the loop below takes the last sample there.
    if (t < points[0].time) return f(points[0]);
    for (let i = 1; i < points.length; i++) {
        const a = points[i - 1];
        const b = points[i];
        if (t <= b.time) return b.time === a.time ? f(b) : f(a) + ((f(b) - f(a)) * (t - a.time)) / (b.time - a.time);
    }
    return f(points[points.length - 1]);
}

/**
 * Progress at each checkpoint, from the samples and the engine's checkpoint list: checkpoint k's
 * commit is what the group holds at the last sample of its commit span (the sources commit
 * asynchronously, per subtask, so the span's first sample may see only part of it), and its
 * offsets are the sources' position at k's start, where the input is interpolated. The span is the
 * engine's: Arroyo's sources commit at the barrier, before the controller lists the checkpoint's
 * start, and the next barrier comes an interval after its finish; Flink's commit once it completed,
 * which on a busy machine is after the next one started. Timed by the listed starts, a sample
 * between a barrier and its listed start read the next commit as this one's, and the consumed
 * count over a window moved by a checkpoint's events (Flink q1: 9.8 %; real Arroyo q1: 13 %). A
 * checkpoint that never commits, or has no sample in its span, is left out.
 */
export function checkpointPoints(points: ProgressPoint[], checkpoints: CheckpointTime[]): CommitPoint[] {
    const committed = checkpoints
        .filter((c): c is CheckpointTime & { commitFromMs: number } => c.commitFromMs !== null)
        .sort((a, b) => a.commitFromMs - b.commitFromMs);
    const out: CommitPoint[] = [];
    for (let k = 0; k < committed.length; k++) {
        const from = committed[k].commitFromMs;
        const until = committed[k].commitUntilMs ?? committed[k + 1]?.commitFromMs ?? Infinity;
        const seen = points.filter((p) => p.time > from && p.time < until);
        if (seen.length === 0) continue;
        const consumed = seen[seen.length - 1].consumed;
        const at = committed[k].startMs;
        const input = interpolate(points, at, (p) => p.input);
        out.push({ time: at, input, consumed, lag: input - consumed, epoch: committed[k].epoch });
    }
    return out;
}

/**
 * Rates and the lag trend over [startMs, endMs]. Committed offsets move only at checkpoints, so
 * between two commits the lag grows as a saw-tooth of one checkpoint's events; fitting it at every
 * sample would read that saw-tooth as a trend, and so would reading a commit's lag at whichever
 * sample first saw it (the input there has run on by up to one sample interval). With the
 * engine's checkpoint list the lag is taken at each checkpoint's own start; without it, at the
 * samples where a new commit was first seen. The consumed and the input rate are both taken over
 * the span from the first to the last commit, so a drained run never reads as consuming more than
 * its input. When the window holds no commit at all (a stalled job), every sample is used.
 */
export function windowProgress(
    points: ProgressPoint[],
    startMs: number,
    endMs: number,
    checkpoints?: CheckpointTime[],
): WindowProgress {
    const inside = points.filter((p) => p.time >= startMs && p.time <= endMs);
    let commitPoints: CommitPoint[];
    let basis: WindowProgress["lagTrendBasis"];
    if (checkpoints && checkpoints.length > 0) {
        commitPoints = checkpointPoints(points, checkpoints).filter((c) => c.time >= startMs && c.time <= endMs);
        basis = "checkpoints";
    } else {
        commitPoints = commitSamples(points)
            .filter((p) => p.time >= startMs && p.time <= endMs)
            .map((p) => ({ time: p.time, input: p.input, consumed: p.consumed, lag: p.lag }));
        basis = "commits";
    }
    const commits = commitPoints.length;
    if (commits === 0) {
        basis = "samples";
        commitPoints = inside.map((p) => ({ time: p.time, input: p.input, consumed: p.consumed, lag: p.lag }));
    }
    const rate = (xs: ProgressPoint[], f: (p: ProgressPoint) => number) =>
        xs.length >= 2 && xs[xs.length - 1].time > xs[0].time
            ? ((f(xs[xs.length - 1]) - f(xs[0])) * 1000) / (xs[xs.length - 1].time - xs[0].time)
            : null;
    const first = commitPoints[0];
    const last = commitPoints[commitPoints.length - 1];
    const spanned = commitPoints.length >= 2 && last.time > first.time;
    return {
        inputRate: spanned
            ? ((last.input - first.input) * 1000) / (last.time - first.time)
            : rate(inside, (p) => p.input),
        consumedRate: spanned ? ((last.consumed - first.consumed) * 1000) / (last.time - first.time) : null,
        consumed: spanned ? { events: last.consumed - first.consumed, fromMs: first.time, toMs: last.time } : null,
        lagTrend: slopePerSecond(commitPoints.map((p) => ({ time: p.time, y: p.lag }))),
        lagTrendBasis: basis,
        commitPoints,
        commits,
        outputRate: rate(inside, (p) => p.output),
        outputRecords: inside.length >= 2 ? inside[inside.length - 1].output - inside[0].output : 0,
    };
}
