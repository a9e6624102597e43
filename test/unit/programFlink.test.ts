// engine: flink on the pi-cluster stack, on Pulumi's mocks (nothing is dialled): Flink's
// JobManager and SQL Gateway on the controller, a TaskManager per worker, no Arroyo container, and
// Kafka and MinIO exactly as with engine: arroyo, so switching engines touches nothing of theirs.
import { parseClusterConfig } from "../../config/schema";
import { FLINK_CONTROLLER_MB, VERSIONS } from "../../config/defaults";
import { Declared, declareCluster, envMap, installMocks, isWireSecret } from "../helpers/mockProgram";
import { problemsOf, rawConfig, TEST_SECRETS } from "../helpers/stackConfig";
import { clusterOutputsSchema } from "../../stacks/outputs";
import { hostDemands } from "../../hosts/demand";

const CONTAINER = "docker:index/container:Container";
const WORKERS = ["b1pc11", "b1pc12", "b1pc13", "b1pc14", "b1pc15", "b1pc16", "b1pc17", "b1pc18", "b1pc19"];
const containers = (resources: Declared[]) => resources.filter((r) => r.type === CONTAINER);
const byName = (resources: Declared[], name: string) => containers(resources).find((c) => c.inputs.name === name)!;
/** FLINK_PROPERTIES as key -> value. */
const flinkProps = (c: Declared): Record<string, string> =>
    Object.fromEntries(
        envMap(c.inputs.envs)
            .FLINK_PROPERTIES.split("\n")
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
    );
/** What a resource is, beyond the ids the engine assigns: for comparing two programs. */
const essence = (r: Declared) =>
    JSON.stringify({
        type: r.type,
        name: r.name,
        inputs: r.inputs,
        dependsOn: r.dependsOn,
        retainOnDelete: r.retainOnDelete,
        provider: r.provider,
    });
const ofKafkaAndMinio = (resources: Declared[]) =>
    resources
        .filter(
            (r) =>
                /^(kafka|minio):/.test(r.type) ||
                /controller-(kafka|minio|topics)/.test(r.name) ||
                r.name === "controller-network",
        )
        .map(essence)
        .sort();

beforeAll(() => installMocks("pi-cluster"));

describe("engine: flink on the pi-cluster stack (mocks)", () => {
    // Flink's TaskManager needs 1 GB at least: these sizes fit both engines.
    const flinkConfig = () =>
        parseClusterConfig(
            rawConfig("pi-cluster", {
                engine: "flink",
                cluster: { taskSlotsPerWorker: 1, memoryPerSlotMb: 1024, checkpointIntervalSeconds: 10 },
            }),
        );
    const arroyoConfig = () =>
        parseClusterConfig(
            rawConfig("pi-cluster", {
                cluster: { taskSlotsPerWorker: 1, memoryPerSlotMb: 1024, checkpointIntervalSeconds: 10 },
            }),
        );
    let flink: Awaited<ReturnType<typeof declareCluster>>;
    let arroyo: Awaited<ReturnType<typeof declareCluster>>;

    beforeAll(async () => {
        flink = await declareCluster(flinkConfig());
        arroyo = await declareCluster(arroyoConfig());
    });

    it("runs a JobManager and a SQL Gateway on the controller and one TaskManager per worker, with its slots and memory, and no Arroyo container", () => {
        const names = containers(flink.resources)
            .map((c) => String(c.inputs.name))
            .sort();
        expect(names).toEqual(
            [
                "arroyo-pi-pi-cluster-kafka",
                "arroyo-pi-pi-cluster-minio",
                "arroyo-pi-pi-cluster-flink-jobmanager",
                "arroyo-pi-pi-cluster-flink-sql-gateway",
                ...WORKERS.map((w) => `arroyo-pi-pi-cluster-flink-taskmanager-${w}`),
            ].sort(),
        );
        expect(names.filter((n) => n.includes("arroyo-controller") || n.includes("arroyo-node"))).toEqual([]);
        for (const w of WORKERS) {
            const tm = byName(flink.resources, `arroyo-pi-pi-cluster-flink-taskmanager-${w}`);
            expect(tm.inputs.memory).toBe(1024);
            expect(tm.inputs.memorySwap).toBe(1024);
            expect(tm.inputs.command).toEqual(["taskmanager"]);
            expect(tm.inputs.networkMode).toBe("host");
            const props = flinkProps(tm);
            expect(props).toMatchObject({
                "taskmanager.numberOfTaskSlots": "1",
                "taskmanager.memory.process.size": "1024m",
                "jobmanager.rpc.address": "192.168.2.70",
                "taskmanager.resource-id": w,
            });
            expect(props["taskmanager.host"]).toMatch(/^192\.168\.2\.7\d$/);
        }
        // Each TaskManager, and the gateway, waits for the JobManager's REST API to answer; the JobManager for MinIO.
        const components = (type: string) => flink.resources.filter((r) => r.type === type);
        for (const tm of components("arroyo-pi:index:FlinkTaskManager"))
            expect(tm.dependsOn).toEqual(["controller-flink-jobmanager-ready"]);
        expect(components("arroyo-pi:index:FlinkTaskManager")).toHaveLength(9);
        expect(components("arroyo-pi:index:FlinkSqlGateway").map((g) => g.dependsOn)).toEqual([
            ["controller-flink-jobmanager-ready"],
        ]);
        expect(components("arroyo-pi:index:FlinkJobManager").map((g) => g.dependsOn)).toEqual([["controller-minio"]]);
        const probes = flink.resources
            .filter((r) => /flink.*-ready-probe$/.test(r.name))
            .map((r) => [r.name, String(r.inputs.create)]);
        expect(probes).toEqual([
            [
                "controller-flink-jobmanager-ready-probe",
                expect.stringContaining("probes/cli.ts http 'http://192.168.2.70:8081/overview'"),
            ],
            [
                "controller-flink-sql-gateway-ready-probe",
                expect.stringContaining("probes/cli.ts http 'http://192.168.2.70:8083/v1/info'"),
            ],
        ]);
        const jm = byName(flink.resources, "arroyo-pi-pi-cluster-flink-jobmanager");
        expect(jm.inputs.command).toEqual(["jobmanager"]);
        expect(flinkProps(jm)).toMatchObject({
            "jobmanager.memory.process.size": `${FLINK_CONTROLLER_MB.jobManager}m`,
            "execution.checkpointing.dir": "s3://arroyo/flink/checkpoints",
            "s3.endpoint": "http://192.168.2.70:9000",
            "s3.path.style.access": "true",
            "metrics.fetcher.update-interval": "1000",
        });
        expect(envMap(jm.inputs.envs).ENABLE_BUILT_IN_PLUGINS).toBe(`flink-s3-fs-presto-${VERSIONS.flink}.jar`);
        const gw = byName(flink.resources, "arroyo-pi-pi-cluster-flink-sql-gateway");
        expect(gw.inputs.command).toEqual(["bin/sql-gateway.sh", "start-foreground"]);
        expect(gw.inputs.memory).toBe(FLINK_CONTROLLER_MB.sqlGateway);
        // The Kafka SQL connector, pinned by its hash, in every Flink container.
        for (const c of [jm, gw, byName(flink.resources, "arroyo-pi-pi-cluster-flink-taskmanager-b1pc11")]) {
            expect(c.inputs.uploads).toEqual([
                expect.objectContaining({
                    file: `/opt/flink/lib/flink-sql-connector-kafka-${VERSIONS.flinkKafkaConnector}.jar`,
                    sourceHash: VERSIONS.flinkKafkaConnectorSha256,
                }),
            ]);
        }
        // Every host pulls the Flink image and never Arroyo's; no jemalloc probe where Arroyo does not run.
        const images = flink.resources
            .filter((r) => r.type === "docker:index/remoteImage:RemoteImage")
            .map((r) => r.inputs.name);
        expect(images).not.toContain(`ghcr.io/arroyosystems/arroyo:${VERSIONS.arroyo}`);
        expect(images.filter((i) => i === `flink:${VERSIONS.flink}-java17`)).toHaveLength(10);
    });

    it("leaves Kafka and MinIO exactly as with engine: arroyo (topics, buckets, both engines' MinIO users)", () => {
        const f = ofKafkaAndMinio(flink.resources);
        expect(f.length).toBeGreaterThan(10);
        expect(f).toEqual(ofKafkaAndMinio(arroyo.resources));
    });

    it("gives Flink a MinIO user of its own, limited to its checkpoints' prefix, with its key secret", () => {
        const policy = flink.resources.find((r) => r.name === "controller-minio-flink-policy")!;
        // Spelled out, not compared with flinkPolicy() itself: a policy on arn:aws:s3:::* must fail here.
        expect(JSON.parse(String(policy.inputs.policy))).toEqual({
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: ["arn:aws:s3:::arroyo"] },
                // MinIO takes s3:prefix on s3:ListBucket only; on any other action it refuses the whole policy.
                {
                    Effect: "Allow",
                    Action: ["s3:ListBucket"],
                    Resource: ["arn:aws:s3:::arroyo"],
                    Condition: { StringLike: { "s3:prefix": ["flink", "flink/*"] } },
                },
                {
                    Effect: "Allow",
                    Action: [
                        "s3:GetObject",
                        "s3:PutObject",
                        "s3:DeleteObject",
                        "s3:AbortMultipartUpload",
                        "s3:ListMultipartUploadParts",
                    ],
                    Resource: ["arn:aws:s3:::arroyo/flink/*"],
                },
            ],
        });
        for (const c of containers(flink.resources).filter((x) => String(x.inputs.name).includes("flink"))) {
            expect(isWireSecret(c.inputs.envs)).toBe(true);
            expect(envMap(c.inputs.envs).FLINK_PROPERTIES).toContain("s3.access-key: flink");
        }
    });

    it("exports the engine and Flink's endpoints, which the benchmark's schema reads", () => {
        const out = clusterOutputsSchema.parse(JSON.parse(JSON.stringify(flink.cluster.outputs)));
        expect(out).toMatchObject({
            engine: "flink",
            flinkRestUrl: "http://192.168.2.70:8081",
            flinkSqlGatewayUrl: "http://192.168.2.70:8083",
        });
        expect(out.arroyoApiUrl).toBeUndefined();
        expect(out.hosts[0].roles).toEqual(["kafka", "minio", "flink-jobmanager", "flink-sql-gateway"]);
        expect(out.hosts.slice(1).every((h) => h.roles.join() === "flink-taskmanager")).toBe(true);
        expect(JSON.stringify(flink.cluster.outputs)).not.toContain(TEST_SECRETS.minioRootPassword);
    });

    it("asks the preflight for the JobManager's and the gateway's memory on the controller, and each TaskManager's on its worker", () => {
        const demands = hostDemands(flinkConfig());
        expect(demands[0]).toMatchObject({
            name: "b1pc10",
            memoryMb: 512 + 256 + 256 + FLINK_CONTROLLER_MB.jobManager + FLINK_CONTROLLER_MB.sqlGateway,
        });
        expect(demands.slice(1).map((d) => d.memoryMb)).toEqual(WORKERS.map(() => 1024));
        expect(hostDemands(arroyoConfig())[0].memoryMb).toBe(512 + 256 + 256 + 512);
    });

    it("gives every worker's engine container the same budget whichever engine runs: pi-cluster as shipped fits a 4 GB Pi for both", async () => {
        const budget = (resources: Declared[]) =>
            containers(resources)
                .filter((c) => /(arroyo-node|flink-taskmanager)-b1pc1\d$/.test(String(c.inputs.name)))
                .map((c) => ({
                    worker: String(c.inputs.name).replace(/^.*-(b1pc1\d)$/, "$1"),
                    memory: c.inputs.memory,
                    swap: c.inputs.memorySwap,
                    cpus: c.inputs.cpus,
                }))
                .sort((a, b) => a.worker.localeCompare(b.worker));
        const shipped = (engine: string) => declareCluster(parseClusterConfig(rawConfig("pi-cluster", { engine })));
        const [a, f] = [budget((await shipped("arroyo")).resources), budget((await shipped("flink")).resources)];
        expect(a).toHaveLength(9);
        expect(f).toEqual(a);
        expect(a[0]).toEqual({ worker: "b1pc11", memory: 2048, swap: 2048, cpus: "3" });
        // The controller's sum, as the preflight checks it against a 4 GB Pi's ~3,800 MB less 512 MB of headroom.
        for (const engine of ["arroyo", "flink"] as const)
            expect(
                hostDemands(parseClusterConfig(rawConfig("pi-cluster", { engine })))[0].memoryMb,
            ).toBeLessThanOrEqual(3_800 - 512);
    });

    it("runs every Flink process with RocksDB, incremental checkpoints, bounded restarts, a 15 s heartbeat and no jar upload, and the sessions with the checkpoint interval", () => {
        const jm = flinkProps(byName(flink.resources, "arroyo-pi-pi-cluster-flink-jobmanager"));
        const gw = flinkProps(byName(flink.resources, "arroyo-pi-pi-cluster-flink-sql-gateway"));
        const tm = flinkProps(byName(flink.resources, "arroyo-pi-pi-cluster-flink-taskmanager-b1pc11"));
        for (const props of [jm, gw, tm]) {
            expect(props).toMatchObject({
                "state.backend.type": "rocksdb",
                "execution.checkpointing.incremental": "true",
                "execution.checkpointing.savepoint-dir": "s3://arroyo/flink/savepoints",
                "restart-strategy.type": "fixed-delay",
                "restart-strategy.fixed-delay.attempts": "5",
                "restart-strategy.fixed-delay.delay": "10 s",
                "heartbeat.interval": "3000",
                "heartbeat.timeout": "15000",
                "web.submit.enable": "false",
            });
            // The reporter is off unless asked for; the nexmark profile's settings only with it.
            expect(
                Object.keys(props).filter((k) => /^metrics\.reporter|local-backup|from-local|mini-batch/.test(k)),
            ).toEqual([]);
        }
        // Jobs are built in the gateway's sessions: the interval there, not on the JobManager.
        expect(gw).toMatchObject({
            "execution.checkpointing.interval": "10 s",
            "execution.checkpointing.mode": "EXACTLY_ONCE",
            "env.java.opts.sql-gateway": "-Xms256m -Xmx384m -XX:MaxMetaspaceSize=192m",
        });
        expect(jm["execution.checkpointing.interval"]).toBeUndefined();
        // Flink's savepoints are under its own prefix, which its MinIO user may write.
        expect(jm["execution.checkpointing.savepoint-dir"]).toMatch(/^s3:\/\/arroyo\/flink\//);
        const out = clusterOutputsSchema.parse(JSON.parse(JSON.stringify(flink.cluster.outputs)));
        expect(out.engineSettings).toEqual({ profile: "pi", prometheusReporter: false });
        expect(clusterOutputsSchema.parse(JSON.parse(JSON.stringify(arroyo.cluster.outputs))).engineSettings).toEqual(
            {},
        );
    });

    it("adds nexmark/nexmark's settings with flink.profile nexmark, and the Prometheus reporter when switched on", async () => {
        const { resources, cluster } = await declareCluster(
            parseClusterConfig(
                rawConfig("pi-cluster", { engine: "flink", flink: { profile: "nexmark", prometheusReporter: true } }),
            ),
        );
        const gw = flinkProps(byName(resources, "arroyo-pi-pi-cluster-flink-sql-gateway"));
        const tm = flinkProps(byName(resources, "arroyo-pi-pi-cluster-flink-taskmanager-b1pc12"));
        expect(gw).toMatchObject({
            "table.exec.mini-batch.enabled": "true",
            "table.exec.mini-batch.allow-latency": "2 s",
            "table.exec.mini-batch.size": "50000",
            "table.optimizer.distinct-agg.split.enabled": "true",
        });
        for (const props of [gw, tm])
            expect(props).toMatchObject({
                "execution.checkpointing.local-backup.enabled": "true",
                "execution.state-recovery.from-local": "true",
                "metrics.reporter.prom.factory.class": "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                "metrics.reporter.prom.port": "9249-9251",
            });
        expect(tm["table.exec.mini-batch.enabled"]).toBeUndefined();
        expect(clusterOutputsSchema.parse(JSON.parse(JSON.stringify(cluster.outputs))).engineSettings).toEqual({
            profile: "nexmark",
            prometheusReporter: true,
        });
        expect(problemsOf(rawConfig("pi-cluster", { engine: "flink", flink: { profile: "fast" } }))).toEqual([
            'arroyo-pi:flink.profile is "fast": use one of pi, nexmark',
        ]);
    });

    it("refuses a TaskManager smaller than Flink can start, naming the workers and the fix, before anything is declared", () => {
        const problems = problemsOf(rawConfig("pi-cluster", { engine: "flink", cluster: { memoryPerSlotMb: 768 } }));
        expect(problems).toEqual([
            expect.stringMatching(
                /^arroyo-pi:engine is flink, and the TaskManager of b1pc11, .*b1pc19 would get 768, .* MB .*below the 1024 MB .*raise cluster.memoryPerSlotMb to at least 1024/,
            ),
        ]);
        expect(problemsOf(rawConfig("pi-cluster", { engine: "spark" }))).toEqual([
            expect.stringMatching(/arroyo-pi:engine is "spark": use one of arroyo, flink/),
        ]);
    });
});
