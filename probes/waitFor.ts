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
                throw new Error(`${what} did not become ready within ${Math.round(opts.timeoutMs / 1000)} s (${tries} tries); last error: ${(err as Error).message}`);
            }
        }
        await sleep(opts.intervalMs ?? 1000);
    }
}

/** One HTTP readiness check: a 2xx answer. */
export async function httpAnswers(url: string, requestTimeoutMs = 5000): Promise<number> {
    const res = await fetch(url, { signal: AbortSignal.timeout(requestTimeoutMs) });
    await res.arrayBuffer();
    if (res.status < 200 || res.status >= 300) throw new Error(`${url} answered HTTP ${res.status}`);
    return res.status;
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
