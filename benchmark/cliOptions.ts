import { InvalidArgumentError } from "commander";
import type { EngineName } from "../config/defaults";
import type { LoadClientChoice } from "./producer/loadClient";

/** Commander parsers with messages that name the flag and what it takes. */
export function positiveInt(flag: string) {
    return (value: string): number => {
        const n = Number(value.replace(/_/g, ""));
        if (!Number.isInteger(n) || n <= 0)
            throw new InvalidArgumentError(`${flag} takes a positive whole number, not '${value}'`);
        return n;
    };
}

export function nonNegativeInt(flag: string) {
    return (value: string): number => {
        const n = Number(value.replace(/_/g, ""));
        if (!Number.isInteger(n) || n < 0)
            throw new InvalidArgumentError(`${flag} takes a whole number of 0 or more, not '${value}'`);
        return n;
    };
}

export function positiveNumber(flag: string) {
    return (value: string): number => {
        const n = Number(value);
        if (!Number.isFinite(n) || n <= 0)
            throw new InvalidArgumentError(`${flag} takes a positive number, not '${value}'`);
        return n;
    };
}

export function queryList(value: string): string[] {
    const ids = value
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
    if (ids.length === 0) throw new InvalidArgumentError("--queries takes a comma-separated list such as q0,q1,q2");
    const bad = ids.filter((id) => !/^q\d+$/.test(id));
    if (bad.length) throw new InvalidArgumentError(`--queries: '${bad.join("', '")}' is not a query id (q0, q1, ...)`);
    return ids;
}

export function fraction(flag: string) {
    return (value: string): number => {
        const n = Number(value);
        if (!Number.isFinite(n) || n <= 0 || n >= 1)
            throw new InvalidArgumentError(`${flag} takes a fraction between 0 and 1 such as 0.01, not '${value}'`);
        return n;
    };
}

/** --base-time: an RFC 3339 instant (2026-01-01T00:00:00Z) or ms since the epoch, on a whole second. */
export function baseTime(value: string): number {
    const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (!Number.isFinite(ms) || !/^\d+$|^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value))
        throw new InvalidArgumentError(
            `--base-time takes an instant such as 2026-01-01T00:00:00Z or ms since the epoch, not '${value}'`,
        );
    if (ms % 1000 !== 0)
        throw new InvalidArgumentError(
            `--base-time ${value} is not on a whole second: windows would fall differently on the engines' bins; use e.g. ${new Date(ms - (ms % 1000)).toISOString()}`,
        );
    return ms;
}

/** --parallelism: one number, a comma-separated list, or 'all'. */
export function parallelismList(value: string): number[] | "all" {
    if (value.trim().toLowerCase() === "all") return "all";
    const parts = value
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    const ns = parts.map(Number);
    if (parts.length === 0 || ns.some((n) => !Number.isInteger(n) || n <= 0))
        throw new InvalidArgumentError(
            `--parallelism takes a positive whole number, a list such as 1,2,4, or 'all', not '${value}'`,
        );
    return [...new Set(ns)].sort((a, b) => a - b);
}

export interface BenchArgs {
    stack: string;
    /** The engine to drive; absent: the one the stack runs. */
    engine?: EngineName;
    outputsFile?: string;
    queries: string[];
    eventsPerSecond: number;
    totalEvents: number;
    warmupEvents?: number;
    duration?: number;
    parallelism?: number[] | "all";
    seed: number;
    threads?: number;
    compression: "none" | "gzip";
    loadClient: LoadClientChoice;
    resultsDir: string;
    sampleInterval: number;
    metricsInterval: number;
    checkpointInterval?: number;
    lagThreshold: number;
    allowInvalid: boolean;
    allowThrottled: boolean;
    keepResultsTopics: boolean;
    verify: boolean;
    baseTime?: number;
    hostMetrics: boolean;
    findMax: boolean;
    listQueries: boolean;
    source: "kafka" | "nexmark";
    startRate: number;
    resolution: number;
    maxTrials: number;
    latencySlo?: number;
    trialWarmup: number;
    trialDuration: number;
    generatorCeiling?: number;
    ceilingEvents: number;
}
