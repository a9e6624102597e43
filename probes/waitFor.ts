import * as http from "http";
import { Kafka, logLevel } from "kafkajs";

export interface WaitOptions {
    timeoutMs: number;
    intervalMs?: number;
    /** Injected in tests; defaults to the wall clock. */
    now?: () => number;
    sleep?: (ms: number) => Promise<void>;
}

/** Retries `attempt` until it resolves or the deadline passes; the error names the last failure. */
export async function waitFor<T>(what: string, attempt: () => Promise<T>, opts: WaitOptions): Promise<T> {
    const now = opts.now ?? Date.now;
    const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const deadline = now() + opts.timeoutMs;
    let tries = 0;
    for (;;) {
        tries++;
        try {
            return await attempt();
        } catch (err) {
            if (now() >= deadline) {
                throw new Error(
                    `${what} did not become ready within ${Math.round(opts.timeoutMs / 1000)} s (${tries} tries); last error: ${(err as Error).message}`,
                    { cause: err },
                );
            }
        }
        await sleep(opts.intervalMs ?? 1000);
    }
}

/**
 * One HTTP readiness check: a 2xx answer within `requestTimeoutMs`. Through node:http with a
 * ref'd timer, not fetch: on Node 20 a fetch to a port Docker publishes before the process behind
 * it listens can hang without settling, and AbortSignal.timeout's timer is unref'd, so the
 * process could exit 0 having checked nothing (DESIGN §5). Here the timer keeps the process alive
 * and destroys the request, so every call settles: an answer, an error, or the time-out.
 */
export function httpAnswers(url: string, requestTimeoutMs = 5000): Promise<number> {
    return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
            req.destroy(new Error(`${url} gave no answer within ${Math.round(requestTimeoutMs / 1000)} s`));
        }, requestTimeoutMs);
        const settle = (fn: () => void) => {
            clearTimeout(timer);
            fn();
        };
        const req = http.get(url, (res) => {
            const status = res.statusCode ?? 0;
            res.resume();
            res.on("end", () =>
                settle(() =>
                    status >= 200 && status < 300
                        ? resolve(status)
                        : reject(new Error(`${url} answered HTTP ${status}`)),
                ),
            );
            res.on("error", (err) => settle(() => reject(err)));
        });
        req.on("error", (err) => settle(() => reject(err)));
    });
}

/** One Kafka readiness check: the broker answers metadata and has an active controller. */
export async function kafkaAnswers(bootstrapServers: string, requestTimeoutMs = 5000): Promise<string> {
    const kafka = new Kafka({
        clientId: "arroyo-pi-probe",
        brokers: bootstrapServers.split(","),
        connectionTimeout: requestTimeoutMs,
        requestTimeout: requestTimeoutMs,
        retry: { retries: 0 },
        logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length === 0 || cluster.controller === null) {
            throw new Error(`${bootstrapServers} has no active controller yet`);
        }
        return cluster.clusterId;
    } finally {
        await admin.disconnect().catch(() => undefined);
    }
}
