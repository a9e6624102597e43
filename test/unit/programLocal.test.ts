// The local stack's program on Pulumi's mocks: it has no preflight over SSH, but it reads its own
// retained MinIO volume (through an injected reader: nothing on this machine is touched) and
// adopts the buckets found there, as the ssh target does with the controller's facts.
import { parseClusterConfig } from "../../config/schema";
import { rawConfig, setProgramConfig } from "../helpers/stackConfig";

setProgramConfig(rawConfig("local").values);

const { installMocks, declareCluster, registrations } =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require("../helpers/mockProgram") as typeof import("../helpers/mockProgram");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { clusterProgram } = require("../../stacks/program") as typeof import("../../stacks/program");

beforeAll(() => installMocks("local"));

describe("the local stack's retained buckets, on mocks", () => {
    it("asks this machine's engine for the stack's MinIO volume before declaring anything, and never the SSH preflight", async () => {
        registrations.length = 0;
        const asked: { volume: string; dockerHost?: string; at: number }[] = [];
        const preflight = jest.fn();
        await clusterProgram({
            preflight,
            localBuckets: async (volume, dockerHost) => {
                asked.push({ volume, dockerHost, at: Date.now() });
                await new Promise((r) => setTimeout(r, 100));
                return null;
            },
        });
        expect(asked).toEqual([
            { volume: "arroyo-pi-local-minio-data", dockerHost: "unix:///var/run/docker.sock", at: expect.any(Number) },
        ]);
        expect(preflight).not.toHaveBeenCalled();
        // Registrations come after the volume was read (they chase resolved outputs, so wait for the first).
        await new Promise<void>((resolve) => {
            const t = setInterval(() => registrations.length > 0 && (clearInterval(t), resolve()), 20);
        });
        expect(Math.min(...registrations.map((r) => r.at))).toBeGreaterThanOrEqual(asked[0].at + 100);
    });

    it("adopts the buckets the volume holds and creates the others, with the same inputs", async () => {
        const config = parseClusterConfig(rawConfig("local"));
        const buckets = (rs: Awaited<ReturnType<typeof declareCluster>>["resources"]) =>
            rs
                .filter((r) => r.type === "minio:index/s3Bucket:S3Bucket")
                .map((b) => [b.inputs.bucket, b.importId ?? null, JSON.stringify(b.inputs)]);
        const fresh = buckets((await declareCluster(config)).resources);
        const retained = buckets((await declareCluster(config, undefined, ["nexmark-results"])).resources);
        expect(fresh.map(([b, i]) => [b, i])).toEqual([
            ["arroyo", null],
            ["nexmark-results", null],
        ]);
        expect(retained.map(([b, i]) => [b, i])).toEqual([
            ["arroyo", null],
            ["nexmark-results", "nexmark-results"],
        ]);
        expect(retained.map(([, , inputs]) => inputs)).toEqual(fresh.map(([, , inputs]) => inputs));
    });
});
