// Entry point of the Arroyo REST TEST DOUBLE, for containers of test stacks: `cluster` serves the
// API and takes node registrations, `node` registers with a cluster and heartbeats. It reads the
// same ARROYO__* variables the deployment gives Arroyo (DESIGN §4) so a test stack can run it in
// Arroyo's place. It is not Arroyo: it runs no SQL.
import * as http from "http";
import { ArroyoStandIn } from "./server";

const env = (name: string, fallback?: string): string => {
    const v = process.env[name] ?? fallback;
    if (v === undefined) throw new Error(`${name} must be set`);
    return v;
};
const port = (name: string, fallback: number) => {
    const n = Number(env(name, String(fallback)));
    if (!Number.isInteger(n) || n <= 0 || n > 65535) throw new Error(`${name} must be a port number`);
    return n;
};

async function cluster(): Promise<void> {
    // STAND_IN_SUBTASK_RATE_CAP is the double's own knob (records/s per source subtask), not Arroyo's.
    const cap = Number(env("STAND_IN_SUBTASK_RATE_CAP", "0"));
    if (!Number.isFinite(cap) || cap < 0)
        throw new Error("STAND_IN_SUBTASK_RATE_CAP must be a number of records per second, 0 for none");
    const standIn = new ArroyoStandIn({
        requireNodeSlots: env("ARROYO__CONTROLLER__SCHEDULER", "node") === "node",
        subtaskRateCap: cap,
    });
    const apiUrl = await standIn.listen(
        port("ARROYO__API__HTTP_PORT", 5115),
        env("ARROYO__API__BIND_ADDRESS", "0.0.0.0"),
    );
    await standIn.listenForNodes(
        port("ARROYO__CONTROLLER__RPC_PORT", 5116),
        env("ARROYO__CONTROLLER__BIND_ADDRESS", "0.0.0.0"),
    );
    const admin = http.createServer((req, res) => {
        if (req.url === "/status") res.writeHead(200).end("ok");
        else res.writeHead(404).end();
    });
    await new Promise<void>((r) =>
        admin.listen(port("ARROYO__ADMIN__HTTP_PORT", 5114), env("ARROYO__ADMIN__BIND_ADDRESS", "0.0.0.0"), r),
    );
    console.log(`arroyo REST test double (not Arroyo): API on ${apiUrl}`);
}

async function node(): Promise<void> {
    const endpoint = env("ARROYO__CONTROLLER_ENDPOINT").replace(/\/+$/, "");
    const body = JSON.stringify({
        hostname: env("ARROYO__HOSTNAME"),
        task_slots: Number(env("ARROYO__NODE__TASK_SLOTS", "16")),
    });
    const intervalMs = Number(env("STAND_IN_HEARTBEAT_MS", "5000"));
    const beat = async () => {
        try {
            const res = await fetch(`${endpoint}/stand-in/nodes`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body,
                signal: AbortSignal.timeout(5_000),
            });
            if (!res.ok) console.error(`registration refused: HTTP ${res.status} ${await res.text()}`);
        } catch (err) {
            console.error(`cannot reach the controller at ${endpoint}: ${(err as Error).message}`);
        }
    };
    await beat();
    setInterval(() => void beat(), intervalMs);
    console.log(`arroyo REST test double node (not Arroyo): registering with ${endpoint}`);
}

/**
 * For integration tests: the API and its test controls on a free loopback port, in a process of
 * its own, so the double's throughput does not share an event loop with the test's load producer
 * and measurement (a real Arroyo runs on its own hosts). Prints its URL as one JSON line.
 */
async function testServer(): Promise<void> {
    const standIn = new ArroyoStandIn({ control: true });
    const apiUrl = await standIn.listen(0, "127.0.0.1");
    console.log(JSON.stringify({ apiUrl }));
    const stop = () => void standIn.close().finally(() => process.exit(0));
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
    // Never outlive the test that started it.
    process.on("disconnect", stop);
}

const mode = process.argv[2];
const modes: Record<string, () => Promise<void>> = { cluster, node, test: testServer };
(modes[mode ?? ""] ?? (() => Promise.reject(new Error("usage: cli.ts cluster|node|test"))))().catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
