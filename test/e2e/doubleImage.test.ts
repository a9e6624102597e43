// The Arroyo test double's image (`npm run e2e:images`), built from a Debian base made with
// debootstrap, on a real Docker engine: it must start the way the deployment starts Arroyo's image
// (`cluster` and `node` with the ARROYO__* variables, `--version` for the docker check), so the
// local stack's e2e can run it in Arroyo's place. Everything here runs in containers this test
// creates, on a network of its own; the API is published on loopback only.
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { docker, REPO_ROOT } from "./engine";
import { waitFor } from "../../probes/waitFor";

const run = promisify(execFile);
const NAME = `arroyo-pi-double-image-test-${process.pid}`;

describe("the Arroyo test double's image on a real Docker engine", () => {
    let image: string;
    let apiUrl: string;

    beforeAll(async () => {
        // Idempotent: a second run finds the image by its tag and prints it.
        image = (
            await run(path.join(REPO_ROOT, "toolchain", "run.sh"), ["double-image"], {
                cwd: REPO_ROOT,
                maxBuffer: 16 * 1024 * 1024,
            })
        ).stdout.trim();
        await docker("network", "create", NAME);
    }, 900_000);
    afterAll(async () => {
        await docker("rm", "-f", `${NAME}-controller`, `${NAME}-node`).catch(() => undefined);
        await docker("network", "rm", NAME).catch(() => undefined);
    });

    it("is tagged by the double's sources and answers the deployment's --version probe as a double", async () => {
        expect(image).toMatch(/^arroyo-pi\/arroyo-double:0\.15\.0-[0-9a-f]{12}$/);
        const again = (
            await run(path.join(REPO_ROOT, "toolchain", "run.sh"), ["double-image"], { cwd: REPO_ROOT })
        ).stdout.trim();
        expect(again).toBe(image);
        expect(await docker("run", "--rm", image, "--version")).toBe(
            "arroyo 0.15.0 (arroyo-pi REST test double, not Arroyo)",
        );
    }, 300_000);

    it("runs `cluster` and `node` as the deployment starts them: the API answers, the node registers its slots, a query validates", async () => {
        await docker(
            "run",
            "-d",
            "--name",
            `${NAME}-controller`,
            "--network",
            NAME,
            "-p",
            "127.0.0.1::5115",
            "-e",
            "ARROYO__CONTROLLER__SCHEDULER=node",
            image,
            "cluster",
        );
        apiUrl = `http://${await docker("port", `${NAME}-controller`, "5115/tcp")}/api/v1`;
        const ping = await waitFor(
            "the double's API in its container",
            async () => {
                const res = await fetch(`${apiUrl}/ping`, { signal: AbortSignal.timeout(5_000) });
                if (!res.ok) throw new Error(`HTTP ${res.status}`);
                return res.json();
            },
            { timeoutMs: 120_000, intervalMs: 500 },
        );
        expect(ping).toBe("Pong");

        await docker(
            "run",
            "-d",
            "--name",
            `${NAME}-node`,
            "--network",
            NAME,
            "-e",
            `ARROYO__CONTROLLER_ENDPOINT=http://${NAME}-controller:5116`,
            "-e",
            "ARROYO__HOSTNAME=worker1",
            "-e",
            "ARROYO__NODE__TASK_SLOTS=2",
            "-e",
            "STAND_IN_HEARTBEAT_MS=500",
            image,
            "node",
        );
        const nodes = await waitFor(
            "the node's registration",
            async () => {
                const body = (await (await fetch(`${apiUrl}/stand-in/nodes`)).json()) as {
                    data: { hostname: string; taskSlots: number }[];
                };
                if (body.data.length === 0) throw new Error("no node registered yet");
                return body.data;
            },
            { timeoutMs: 120_000, intervalMs: 500 },
        );
        expect(nodes.map((n) => [n.hostname, n.taskSlots])).toEqual([["worker1", 2]]);

        // The planner's function list is read from the fixture the image carries.
        const validate = async (query: string) =>
            (
                await fetch(`${apiUrl}/pipelines/validate_query`, {
                    method: "POST",
                    headers: { "content-type": "application/json" },
                    body: JSON.stringify({ query }),
                })
            ).json() as Promise<{ errors: string[] }>;
        expect((await validate("SELECT character_length('x')")).errors).toEqual([]);
        expect((await validate("SELECT no_such_function('x')")).errors.join(" ")).toMatch(/no_such_function/);
    }, 300_000);
});
