import * as http from "http";
import * as net from "net";
import * as path from "path";
import { execFile } from "child_process";
import { AddressInfo } from "net";
import { httpAnswers, waitFor } from "../../probes/waitFor";

describe("waitFor", () => {
    it("retries until the attempt succeeds", async () => {
        let calls = 0;
        const result = await waitFor(
            "thing",
            async () => {
                if (++calls < 3) throw new Error("not yet");
                return "up";
            },
            { timeoutMs: 10_000, sleep: async () => undefined },
        );
        expect(result).toBe("up");
        expect(calls).toBe(3);
    });

    it("fails after the deadline, naming the service and the last error", async () => {
        let t = 0;
        const attempt = waitFor(
            "Kafka at 127.0.0.1:9092",
            async () => {
                throw new Error("ECONNREFUSED");
            },
            { timeoutMs: 5_000, now: () => t, sleep: async (ms) => void (t += ms) },
        );
        await expect(attempt).rejects.toThrow(
            "Kafka at 127.0.0.1:9092 did not become ready within 5 s (6 tries); last error: ECONNREFUSED",
        );
    });
});

describe("httpAnswers", () => {
    let server: http.Server;
    let base: string;
    let status = 503;

    beforeAll(async () => {
        server = http.createServer((_req, res) => res.writeHead(status).end());
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it("refuses a non-2xx answer and accepts a 2xx one", async () => {
        status = 503;
        await expect(httpAnswers(`${base}/minio/health/live`)).rejects.toThrow(
            `${base}/minio/health/live answered HTTP 503`,
        );
        status = 200;
        await expect(httpAnswers(`${base}/minio/health/live`)).resolves.toBe(200);
    });
});

/**
 * What Docker's port publishing looks like before the service behind it listens: the port accepts
 * the connection and then says nothing. A probe must fail there until the service answers.
 */
describe("a port that accepts and hangs", () => {
    let server: net.Server;
    let port: number;
    const held: net.Socket[] = [];

    beforeAll(async () => {
        server = net.createServer((socket) => void held.push(socket));
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        port = (server.address() as AddressInfo).port;
    });
    afterAll(async () => {
        for (const s of held) s.destroy();
        await new Promise<void>((r) => server.close(() => r()));
    });

    it("fails one check within its time-out instead of hanging", async () => {
        const started = Date.now();
        await expect(httpAnswers(`http://127.0.0.1:${port}/status`, 300)).rejects.toThrow(
            `http://127.0.0.1:${port}/status gave no answer within 0 s`,
        );
        expect(held.length).toBeGreaterThan(0);
        expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    });

    it("the probe CLI exits non-zero naming the service when its deadline passes", async () => {
        const url = `http://127.0.0.1:${port}/overview`;
        const r = await runProbe(["http", url, "--timeout", "2"]);
        expect(r.code).toBe(1);
        expect(r.stdout).not.toMatch(/ready/);
        expect(r.stderr).toMatch(
            new RegExp(
                `${url.replace(/[/.]/g, "\\$&")} did not become ready within 2 s \\(\\d+ tries\\); last error: .*gave no answer`,
            ),
        );
    }, 60_000);
});

describe("the probe CLI against a service that starts late", () => {
    it("keeps failing while the port hangs and passes once the service answers", async () => {
        // The port first accepts and holds (Docker's proxy before the process listens), then answers.
        let answering = false;
        const held: net.Socket[] = [];
        const server = http.createServer((_req, res) => res.writeHead(200).end("ok"));
        server.on("connection", (s) => {
            if (!answering) {
                held.push(s);
                s.pause();
                // Until the service is up, the connection is accepted and never answered.
                s.removeAllListeners("data");
            }
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ping`;
        try {
            const probe = runProbe(["http", url, "--timeout", "60"]);
            // The probe has hung on at least one connection before the service starts answering.
            await new Promise<void>((resolve) => {
                const t = setInterval(() => held.length > 0 && (clearInterval(t), resolve()), 20);
            });
            answering = true;
            const r = await probe;
            expect(r.code).toBe(0);
            expect(r.stdout).toContain(`${url} ready (HTTP 200)`);
        } finally {
            for (const s of held) s.destroy();
            await new Promise<void>((r) => server.close(() => r()));
        }
    }, 90_000);
});

function runProbe(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            "node",
            ["-r", "ts-node/register/transpile-only", path.join(__dirname, "..", "..", "probes", "cli.ts"), ...args],
            (err, stdout, stderr) =>
                resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr }),
        );
    });
}
