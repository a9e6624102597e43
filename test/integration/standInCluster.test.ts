import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { freePort } from "../../toolchain/net";
import { ArroyoClient } from "../../benchmark/engines/arroyo/client";
import { waitFor, httpAnswers } from "../../probes/waitFor";

// The test double's cluster and node modes as separate processes, configured like Arroyo.
const CLI = path.resolve(__dirname, "../doubles/arroyo-stand-in/cli.ts");
const children: ChildProcess[] = [];

function start(mode: "cluster" | "node", env: Record<string, string>): ChildProcess {
    const child = spawn("node", ["-r", "ts-node/register/transpile-only", CLI, mode], {
        env: { ...process.env, ...env },
        stdio: "ignore",
    });
    children.push(child);
    return child;
}

afterAll(() => children.forEach((c) => c.kill()));

const query = `CREATE TABLE bid (a BIGINT) WITH (connector = 'kafka', type = 'source', format = 'json', bootstrap_servers = '127.0.0.1:1', topic = 'b');
CREATE TABLE results (a BIGINT) WITH (connector = 'kafka', type = 'sink', format = 'json', bootstrap_servers = '127.0.0.1:1', topic = 'r');
INSERT INTO results SELECT a FROM bid;`;

describe("the REST test double's cluster and node modes", () => {
    it("nodes register with their slots, and a job is scheduled only when the slots suffice", async () => {
        const [api, rpc, admin] = [await freePort(), await freePort(), await freePort()];
        start("cluster", {
            ARROYO__API__HTTP_PORT: String(api),
            ARROYO__CONTROLLER__RPC_PORT: String(rpc),
            ARROYO__ADMIN__HTTP_PORT: String(admin),
            ARROYO__API__BIND_ADDRESS: "127.0.0.1",
            ARROYO__CONTROLLER__BIND_ADDRESS: "127.0.0.1",
            ARROYO__ADMIN__BIND_ADDRESS: "127.0.0.1",
            ARROYO__CONTROLLER__SCHEDULER: "node",
        });
        const client = new ArroyoClient({ baseUrl: `http://127.0.0.1:${api}/api/v1`, pollIntervalMs: 100 });
        await waitFor("the test double's API", () => client.ping(), { timeoutMs: 30_000, intervalMs: 200 });
        expect(await httpAnswers(`http://127.0.0.1:${admin}/status`)).toBe(200);

        const nodeEnv = (name: string, slots: number) => ({
            ARROYO__CONTROLLER_ENDPOINT: `http://127.0.0.1:${rpc}`,
            ARROYO__HOSTNAME: name,
            ARROYO__NODE__TASK_SLOTS: String(slots),
            STAND_IN_HEARTBEAT_MS: "200",
        });
        start("node", nodeEnv("worker1", 2));

        const nodes = async () =>
            (
                (await (await fetch(`http://127.0.0.1:${api}/api/v1/stand-in/nodes`)).json()) as {
                    data: { hostname: string; taskSlots: number }[];
                }
            ).data;
        await waitFor(
            "worker1's registration",
            async () => {
                if ((await nodes()).length !== 1) throw new Error("not registered yet");
            },
            { timeoutMs: 30_000, intervalMs: 200 },
        );

        // Parallelism 3 needs 3 slots; one node offers 2, so the job waits in Scheduling.
        const p = await client.createPipeline({ name: "needs-3", query, parallelism: 3 });
        await expect(client.waitForJobState(p, ["Running"], 1_500)).rejects.toThrow(/last state: Scheduling/);

        start("node", nodeEnv("worker2", 2));
        await waitFor(
            "worker2's registration",
            async () => {
                if ((await nodes()).length !== 2) throw new Error("not registered yet");
            },
            { timeoutMs: 30_000, intervalMs: 200 },
        );
        expect((await nodes()).map((n) => [n.hostname, n.taskSlots]).sort()).toEqual([
            ["worker1", 2],
            ["worker2", 2],
        ]);
        // The job then leaves Scheduling: its Kafka tables point nowhere, so it fails to start.
        const job = await client.waitForJobState(p, ["Running", "Failed"], 30_000);
        expect(job.state).toBe("Failed");
        expect(job.failure_message).toMatch(/^failed to start job: /);
    }, 90_000);
});
