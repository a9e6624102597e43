// The maximum sustainable throughput (MST) of one query at one parallelism: the highest input
// rate at which the query keeps up, searched the way capacity is searched elsewhere (Theodolite's
// lag-trend SLO, OpenMessaging Benchmark's rate search): double from a start rate until a trial
// fails, then bisect between the last pass and the first fail.
import { QueryRun } from "../report/types";
import { SearchEnd, SearchResult, Trial } from "./types";

export type { SearchEnd, SearchResult, Trial };

export interface TrialRules {
    /** A trial fails when the lag trend exceeds this fraction of its input rate. */
    lagThreshold: number;
    /** The producer must reach the target within this fraction, or the generator is the limit. */
    producerTolerance: number;
    /** p99 latency limit, ms (queries with a latency column only). */
    latencySloMs?: number;
}

/** Judges one trial's run by the rules: sustained, producer on target, valid, within the latency SLO. */
export function judgeTrial(run: QueryRun, rules: TrialRules, seconds = 0): Trial {
    const k = run.figures.kafka;
    const p99 = run.figures.latencyMs?.p99 ?? null;
    // What the generator sent at (until its last event left), not the acknowledged rate, whose tail
    // is the broker's latency: on a short trial that alone can be 2%.
    const sent = run.produce.sentRate;
    const span = k.consumedInWindow ? { fromMs: k.consumedInWindow.fromMs, toMs: k.consumedInWindow.toMs } : null;
    const base = {
        rate: run.produce.targetRate,
        inputRate: k.inputRate,
        consumedRate: k.consumedRate,
        lagTrend: k.lagTrend,
        achievedRate: sent,
        p99Ms: p99,
        seconds,
        pipelineName: run.pipelineName,
        consumedSpan: span,
        checkpointMsP50: run.figures.checkpoints.durationMsP50,
    };
    const short = 1 - sent / run.produce.targetRate;
    if (short > rules.producerTolerance) {
        return {
            ...base,
            pass: false,
            generatorBound: true,
            why: `generator-bound: it sent ${Math.round(sent)} of ${run.produce.targetRate} events/s (${(short * 100).toFixed(1)}% short)`,
        };
    }
    if (!run.validity.valid)
        return { ...base, pass: false, generatorBound: false, why: `invalid: ${run.validity.reasons.join("; ")}` };
    if (k.verdict === "inconclusive") {
        // A load that fell behind its schedule mid-trial measured the generator, not Arroyo.
        const loadBound = k.inconclusiveBecause === "load behind schedule";
        return {
            ...base,
            pass: false,
            generatorBound: loadBound,
            why: loadBound ? `generator-bound: ${k.verdictReason}` : `inconclusive: ${k.verdictReason}`,
        };
    }
    if (k.verdict === "not sustainable") return { ...base, pass: false, generatorBound: false, why: k.verdictReason };
    if (rules.latencySloMs !== undefined && p99 !== null && p99 > rules.latencySloMs) {
        return {
            ...base,
            pass: false,
            generatorBound: false,
            why: `p99 latency ${p99} ms over the ${rules.latencySloMs} ms SLO`,
        };
    }
    return { ...base, pass: true, generatorBound: false, why: "sustained" };
}

export interface SearchOptions {
    startRate: number;
    /** Stop bisecting when (fail - pass) / pass is at most this. */
    resolution: number;
    maxTrials: number;
    /** The generator's measured ceiling into this broker: no trial is run above it. */
    generatorCeiling?: number;
    /** Runs one trial at `rate` (a fresh pipeline and fresh consumer groups) and judges it. */
    trial: (rate: number) => Promise<Trial>;
    onTrial?: (t: Trial, bracket: { pass: number | null; fail: number | null }) => void;
    /** Checked before each trial: true stops the search (Ctrl-C). */
    aborted?: () => boolean;
}

/** Doubling from startRate until a trial fails, then bisection to the resolution. */
export async function findMax(opts: SearchOptions): Promise<SearchResult> {
    const trials: Trial[] = [];
    let pass: Trial | undefined;
    let fail: number | undefined;
    const end = (e: SearchEnd, note: string): SearchResult => ({
        mst: pass ? { rate: pass.rate, inputRate: pass.inputRate } : null,
        end: e,
        note,
        trials,
    });
    let rate = opts.startRate;
    for (;;) {
        if (opts.aborted?.()) return end("aborted", `stopped by the user after ${trials.length} trials`);
        if (trials.length >= opts.maxTrials)
            return end(
                "max-trials",
                `stopped after ${opts.maxTrials} trials (--max-trials) with the bracket ${pass?.rate ?? 0}-${fail ?? "?"} events/s`,
            );
        if (opts.generatorCeiling !== undefined && rate > opts.generatorCeiling) {
            return end(
                "generator-bound",
                `generator-bound: the next trial (${Math.round(rate)} events/s) is above the generator's measured ceiling of ${Math.round(opts.generatorCeiling)} events/s into this broker, so the cluster's MST is at least ${pass ? Math.round(pass.rate) : "?"} events/s and was not found`,
            );
        }
        const t = await opts.trial(Math.round(rate));
        trials.push(t);
        if (t.generatorBound) {
            return end(
                "generator-bound",
                `generator-bound at ${Math.round(t.rate)} events/s: ${t.why}; the cluster's MST is at least ${pass ? Math.round(pass.rate) : "?"} events/s and was not found`,
            );
        }
        if (t.pass && (!pass || t.rate > pass.rate)) pass = t;
        if (!t.pass) fail = fail === undefined ? t.rate : Math.min(fail, t.rate);
        opts.onTrial?.(t, { pass: pass?.rate ?? null, fail: fail ?? null });
        if (fail === undefined) {
            rate = t.rate * 2;
        } else if (!pass) {
            // Not even the start rate held: halve until one does.
            if (t.rate <= 1) return end("none-sustained", `no trial was sustained, down to ${t.rate} events/s`);
            rate = t.rate / 2;
        } else {
            if ((fail - pass.rate) / pass.rate <= opts.resolution) {
                return end(
                    "resolved",
                    `MST ${Math.round(pass.rate)} events/s: sustained there, not at ${Math.round(fail)} (within ${(opts.resolution * 100).toFixed(0)}%)`,
                );
            }
            rate = (pass.rate + fail) / 2;
        }
    }
}
