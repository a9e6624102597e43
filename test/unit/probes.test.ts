import * as http from "http";
import { AddressInfo } from "net";
import { httpAnswers, waitFor } from "../../probes/waitFor";

describe("waitFor", () => {
    it("retries until the attempt succeeds", async () => {
        let calls = 0;
        const result = await waitFor("thing", async () => {
            if (++calls < 3) throw new Error("not yet");
            return "up";
        }, { timeoutMs: 10_000, sleep: async () => undefined });
        expect(result).toBe("up");
        expect(calls).toBe(3);
    });

    it("fails after the deadline, naming the service and the last error", async () => {
        let t = 0;
        const attempt = waitFor("Kafka at 127.0.0.1:9092", async () => {
            throw new Error("ECONNREFUSED");
        }, { timeoutMs: 5_000, now: () => t, sleep: async (ms) => void (t += ms) });
        await expect(attempt).rejects.toThrow("Kafka at 127.0.0.1:9092 did not become ready within 5 s (6 tries); last error: ECONNREFUSED");
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
        await expect(httpAnswers(`${base}/minio/health/live`)).rejects.toThrow(`${base}/minio/health/live answered HTTP 503`);
        status = 200;
        await expect(httpAnswers(`${base}/minio/health/live`)).resolves.toBe(200);
    });
});
