import * as pulumi from "@pulumi/pulumi";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseClusterConfig } from "../../config/schema";
import { Declared, declareCluster, envMap, installMocks, isWireSecret, plain } from "../helpers/mockProgram";
import { rawConfig, TEST_SECRETS } from "../helpers/stackConfig";
import { clusterOutputsSchema } from "../../stacks/outputs";
import { HostFacts } from "../../hosts/facts";
import { isCanonicalGoDuration } from "../../lib/goDuration";

const CONTAINER = "docker:index/container:Container";
const TOPIC = "kafka:index/topic:Topic";

const ofType = (resources: Declared[], type: string) => resources.filter((r) => r.type === type);

/**
 * The docker provider stores durations as Go prints them and env as given: any other form
 * shows as a change on every preview (a phantom diff), so the graph must carry these forms.
 */
function expectProviderForms(resources: Declared[]): void {
    const containers = ofType(resources, CONTAINER);
    const durations = containers.flatMap((c) => {
        const hc = c.inputs.healthcheck as Record<string, unknown> | undefined;
        return hc
            ? (["interval", "timeout", "startPeriod", "startInterval"] as const)
                  .filter((k) => hc[k] !== undefined)
                  .map((k) => `${c.name}.healthcheck.${k}=${String(hc[k])}`)
            : [];
    });
    expect(durations.length).toBeGreaterThanOrEqual(6);
    expect(durations.filter((d) => !isCanonicalGoDuration(d.slice(d.indexOf("=") + 1)))).toEqual([]);
    for (const c of containers) {
        const keys = plain<string[]>(c.inputs.envs ?? []).map((e) => e.slice(0, e.indexOf("=")));
        expect(keys).toEqual([...keys].sort());
    }
}
const named = (resources: Declared[], name: string) => {
    const r = resources.find((x) => x.name === name);
    if (!r) throw new Error(`no resource named ${name}; have ${resources.map((x) => x.name).join(", ")}`);
    return r;
};

beforeAll(() => installMocks("pi-cluster"));

describe("pi-cluster on mocks", () => {
    let resources: Declared[];
    let cluster: Awaited<ReturnType<typeof declareCluster>>["cluster"];

    beforeAll(async () => {
        ({ cluster, resources } = await declareCluster(parseClusterConfig(rawConfig("pi-cluster"))));
    });

    it("passes durations and env lists in the form the providers store them", () => expectProviderForms(resources));

    it("has one controller role on 192.168.2.70 and nine worker roles", () => {
        expect(ofType(resources, "arroyo-pi:index:ControllerRole").map((r) => r.name)).toEqual(["controller"]);
        expect(ofType(resources, "arroyo-pi:index:WorkerRole").map((r) => r.name)).toEqual(
            ["b1pc11", "b1pc12", "b1pc13", "b1pc14", "b1pc15", "b1pc16", "b1pc17", "b1pc18", "b1pc19"].map(
                (n) => `worker-${n}`,
            ),
        );
        const engines = ofType(resources, "pulumi:providers:docker").map((r) => [r.name, r.inputs.host]);
        expect(engines).toContainEqual(["controller-host-engine", "ssh://picocluster@192.168.2.70:22"]);
        expect(engines.filter(([, host]) => host === "ssh://picocluster@192.168.2.70:22")).toHaveLength(1);
        for (let i = 1; i <= 9; i++) {
            expect(engines).toContainEqual([`worker-b1pc1${i}-host-engine`, `ssh://picocluster@192.168.2.7${i}:22`]);
        }
    });

    it("puts Kafka, MinIO and the controller on the controller Pi and one node on each worker Pi", () => {
        const containers = ofType(resources, CONTAINER);
        const onEngine = (engine: string) =>
            containers
                .filter((c) => c.provider === engine)
                .map((c) => c.inputs.name)
                .sort();
        expect(onEngine("controller-host-engine")).toEqual([
            "arroyo-pi-pi-cluster-arroyo-controller",
            "arroyo-pi-pi-cluster-kafka",
            "arroyo-pi-pi-cluster-minio",
        ]);
        expect(onEngine("worker-b1pc15-host-engine")).toEqual(["arroyo-pi-pi-cluster-arroyo-node-b1pc15"]);
    });

    it("installs Docker on every Pi over SSH before using its engine", () => {
        const installs = ofType(resources, "command:remote:Command").filter((c) => c.name.endsWith("-install-docker"));
        expect(installs).toHaveLength(10);
        for (const engine of ofType(resources, "pulumi:providers:docker")) {
            const host = engine.name.replace(/-engine$/, "");
            expect(engine.dependsOn).toEqual([`${host}-install-docker`]);
        }
        const install = named(resources, "worker-b1pc11-host-install-docker").inputs as {
            connection: Record<string, unknown>;
            create: string;
        };
        expect(isWireSecret(install.connection)).toBe(true);
        expect(plain(install.connection)).toMatchObject({ host: "192.168.2.71", port: 22, user: "picocluster" });
        expect(install.create).toContain("if command -v docker >/dev/null 2>&1; then");
        expect(install.create).toContain("curl -fsSL https://get.docker.com | sh");
    });

    it("checks on every Pi, once Docker runs, what only Docker can tell, before any container starts there", () => {
        const checks = ofType(resources, "command:remote:Command").filter((c) => c.name.endsWith("-docker-check"));
        expect(checks.map((c) => c.name).sort()).toEqual(
            [
                "controller-host-docker-check",
                ...Array.from({ length: 9 }, (_, i) => `worker-b1pc${11 + i}-host-docker-check`),
            ].sort(),
        );
        const check = named(resources, "worker-b1pc11-host-docker-check");
        expect(check.dependsOn).toEqual([
            "worker-b1pc11-host-install-docker",
            "worker-b1pc11-host-image-arroyosystems-arroyo-0-15-0",
        ]);
        expect(check.inputs.triggers).toEqual(["ghcr.io/arroyosystems/arroyo:0.15.0", false, "cpu-limit"]);
        const script = check.inputs.create as string;
        expect(script).toContain("docker info --format '{{.MemoryLimit}}'");
        expect(script).toContain("docker run --rm 'ghcr.io/arroyosystems/arroyo:0.15.0' --version");
        expect(script).toContain("b1pc11: memory cgroup off (docker info MemoryLimit=$ml)");
        expect(script).toContain(
            "b1pc11: the Arroyo image aborts at start on this kernel's $(getconf PAGESIZE)-byte pages",
        );
        expect(execFileSync("sh", ["-n"], { input: script }).toString()).toBe("");
        // The workers get a CPU limit (cluster.cpusPerWorker): their Docker must enforce one; the controller's containers get none.
        expect(script).toContain("docker info --format '{{.CPUCfsQuota}}'");
        expect(named(resources, "controller-host-docker-check").inputs.create).not.toContain("CPUCfsQuota");
        // Run against a Docker that enforces memory limits and no CPU limit: refused, naming the host and the fix.
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-docker-"));
        fs.writeFileSync(
            path.join(bin, "docker"),
            '#!/bin/sh\ncase "$*" in *MemoryLimit*) echo true;; *CPUCfsQuota*) echo false;; *) echo "arroyo 0.15.0";; esac\n',
            { mode: 0o755 },
        );
        const ran = spawnSync("sh", ["-c", script], {
            env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
            encoding: "utf8",
        });
        fs.rmSync(bin, { recursive: true, force: true });
        expect({ status: ran.status, stderr: ran.stderr }).toEqual({
            status: 1,
            stderr: expect.stringMatching(
                /^b1pc11: Docker cannot limit a container's CPUs \(docker info CpuCfsQuota=false: .*cluster\.cpusPerWorker/,
            ),
        });
        // Every container waits for its host's check (ordering only: a new check replaces no container).
        for (const c of ofType(resources, CONTAINER))
            expect(c.dependsOn).toEqual([`${c.provider!.replace(/-engine$/, "")}-docker-check`]);
    });

    it("gives the topics one partition per worker slot", () => {
        const topics = ofType(resources, TOPIC).map((t) => [
            t.inputs.name,
            t.inputs.partitions,
            t.inputs.replicationFactor,
        ]);
        expect(topics).toEqual([
            ["nexmark-person", 9, 1],
            ["nexmark-auction", 9, 1],
            ["nexmark-bid", 9, 1],
        ]);
        const admin = ofType(resources, "pulumi:providers:kafka")[0];
        expect(admin.inputs).toMatchObject({
            bootstrapServers: JSON.stringify(["192.168.2.70:9092"]),
            tlsEnabled: "false",
        });
    });

    it("points every node at the controller and has it advertise its own address", () => {
        const nodes = ofType(resources, CONTAINER).filter((c) => String(c.inputs.name).includes("arroyo-node-"));
        expect(nodes).toHaveLength(9);
        for (const node of nodes) {
            const env = envMap(node.inputs.envs);
            const worker = String(node.inputs.name).replace("arroyo-pi-pi-cluster-arroyo-node-", "");
            const address = `192.168.2.7${worker.slice(-1)}`;
            expect(env.ARROYO__CONTROLLER_ENDPOINT).toBe("http://192.168.2.70:5116");
            expect(env.ARROYO__HOSTNAME).toBe(address);
            expect(env.ARROYO__NODE__TASK_SLOTS).toBe("1");
            expect(env.ARROYO__CHECKPOINT_URL).toBe("s3::http://192.168.2.70:9000/arroyo/checkpoints");
            expect(env.AWS_ACCESS_KEY_ID).toBe("arroyo");
            expect(node.inputs.networkMode).toBe("host");
            expect(node.inputs.command).toEqual(["node"]);
        }
    });

    it("runs the controller as `cluster` with the node scheduler, sqlite on its volume and MinIO storage", () => {
        const controller = ofType(resources, CONTAINER).find(
            (c) => c.inputs.name === "arroyo-pi-pi-cluster-arroyo-controller",
        )!;
        const env = envMap(controller.inputs.envs);
        expect(controller.inputs.command).toEqual(["cluster"]);
        expect(env).toMatchObject({
            ARROYO__CONTROLLER__SCHEDULER: "node",
            ARROYO__DATABASE__SQLITE__PATH: "/var/lib/arroyo/arroyo.sqlite",
            ARROYO__DEFAULT_CHECKPOINT_INTERVAL: "10s",
            ARROYO__COMPILER__ARTIFACT_URL: "s3::http://192.168.2.70:9000/arroyo/artifacts",
            AWS_ACCESS_KEY_ID: "arroyo",
            AWS_SECRET_ACCESS_KEY: "generated-by-minio",
            AWS_REGION: "us-east-1",
        });
        expect(controller.inputs.volumes).toEqual([
            { volumeName: "arroyo-pi-pi-cluster-arroyo-controller-data", containerPath: "/var/lib/arroyo" },
        ]);
    });

    it("advertises Kafka on the controller's address and sizes its heap for a Pi", () => {
        const kafka = ofType(resources, CONTAINER).find((c) => c.inputs.name === "arroyo-pi-pi-cluster-kafka")!;
        const env = envMap(kafka.inputs.envs);
        expect(env.KAFKA_PROCESS_ROLES).toBe("broker,controller");
        expect(env.KAFKA_ADVERTISED_LISTENERS).toBe(
            "BROKER://localhost:19092,CLIENT://192.168.2.70:9092,CLUSTER://192.168.2.70:9094",
        );
        expect(env.KAFKA_HEAP_OPTS).toBe("-Xms512m -Xmx512m");
        expect(env).not.toHaveProperty("KAFKA_ZOOKEEPER_CONNECT");
        expect(kafka.inputs.healthcheck).toBeDefined();
    });

    it("limits each node to the stack's budget per worker: slots x memory per slot without swap, and its CPUs", () => {
        const nodes = ofType(resources, CONTAINER).filter((c) => String(c.inputs.name).includes("arroyo-node-"));
        expect(nodes).toHaveLength(9);
        for (const node of nodes)
            expect([node.inputs.memory, node.inputs.memorySwap, node.inputs.cpus]).toEqual([2048, 2048, "3"]);
    });

    it("keeps credentials secret in container env and out of the stack outputs", async () => {
        expect(await pulumi.isSecret(cluster.controllerRole.objectStore.container.envs)).toBe(true);
        // Every container as the engine received it: all but Kafka's carry a secret environment (the controller's and the nodes' MinIO keys).
        const declaredEnvs = ofType(resources, CONTAINER).map((c) => [c.inputs.name, isWireSecret(c.inputs.envs)]);
        expect(declaredEnvs.filter(([, secret]) => !secret).map(([name]) => name)).toEqual([
            "arroyo-pi-pi-cluster-kafka",
        ]);
        expect(await pulumi.isSecret(cluster.controllerRole.kafka.container.envs)).toBe(false);
        const outputs = JSON.stringify(cluster.outputs);
        for (const secret of [...Object.values(TEST_SECRETS), "generated-by-minio"])
            expect(outputs).not.toContain(secret);
        expect(Object.values(cluster.outputs).some((v) => pulumi.Output.isInstance(v))).toBe(false);
    });

    it("keeps the ssh key secret where it is handed to the install step", async () => {
        const install = cluster.workerRoles[0].host.dockerInstall!;
        expect(await pulumi.isSecret(install.connection)).toBe(true);
    });

    it("creates topics only once the broker answers, and nodes only once the controller does", () => {
        for (const topic of ofType(resources, TOPIC)) expect(topic.dependsOn).toEqual(["controller-kafka-ready"]);
        for (const node of ofType(resources, "arroyo-pi:index:ArroyoNode"))
            expect(node.dependsOn).toEqual(["controller-arroyo-ready"]);
        for (const r of [
            ...ofType(resources, "minio:index/s3Bucket:S3Bucket"),
            ...ofType(resources, "minio:index/iamUser:IamUser"),
        ]) {
            expect(r.dependsOn).toEqual(["controller-minio-ready"]);
        }
        expect(named(resources, "controller-arroyo").dependsOn).toEqual(["controller-minio"]);
    });

    it("probes each service from the deployer, again whenever its container is replaced", () => {
        const probes = ofType(resources, "command:local:Command").map((p) => [p.name, p.inputs.create]);
        expect(probes).toEqual(
            expect.arrayContaining([
                ["controller-kafka-ready-probe", expect.stringContaining("probes/cli.ts kafka '192.168.2.70:9092'")],
                [
                    "controller-minio-ready-probe",
                    expect.stringContaining("probes/cli.ts http 'http://192.168.2.70:9000/minio/health/live'"),
                ],
                [
                    "controller-arroyo-ready-probe",
                    expect.stringContaining("probes/cli.ts http 'http://192.168.2.70:5115/api/v1/ping'"),
                ],
            ]),
        );
        expect(named(resources, "controller-kafka-ready-probe").inputs.triggers).toEqual([
            "controller-kafka-container-id",
        ]);
    });

    it("gives Arroyo a MinIO user limited to its own bucket, and on the results bucket exactly what q10's filesystem sink calls, recovery included", () => {
        const policy = JSON.parse(named(resources, "controller-minio-arroyo-policy").inputs.policy as string) as {
            Statement: { Effect: string; Action: string[]; Resource: string[] }[];
        };
        const resourcesAllowed = policy.Statement.flatMap((s) => s.Resource);
        expect([...new Set(resourcesAllowed)].sort()).toEqual([
            "arn:aws:s3:::arroyo",
            "arn:aws:s3:::arroyo/*",
            "arn:aws:s3:::nexmark-results",
            "arn:aws:s3:::nexmark-results/*",
        ]);
        // Allow-only statements, resources matched as IAM does ('*' within an ARN).
        expect(policy.Statement.every((s) => s.Effect === "Allow")).toBe(true);
        const matches = (pattern: string, arn: string) =>
            new RegExp(
                `^${pattern
                    .split("*")
                    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
                    .join(".*")}$`,
            ).test(arn);
        const allows = (action: string, arn: string) =>
            policy.Statement.some((s) => s.Action.includes(action) && s.Resource.some((r) => matches(r, arn)));
        for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"])
            expect(allows(action, "arn:aws:s3:::arroyo/checkpoints/job/x")).toBe(true);
        expect(allows("s3:ListBucket", "arn:aws:s3:::arroyo")).toBe(true);
        // q10's filesystem sink writes multipart uploads and, committing again after a restore, reads a
        // file back when its completion fails (filesystem/sink/mod.rs, get_if_present): exactly those.
        const granted = (arn: string) =>
            [
                ...new Set(
                    policy.Statement.filter((s) => s.Resource.some((r) => matches(r, arn))).flatMap((s) => s.Action),
                ),
            ].sort();
        expect(granted("arn:aws:s3:::nexmark-results/run/q10/part-0")).toEqual([
            "s3:AbortMultipartUpload",
            "s3:GetObject",
            "s3:ListMultipartUploadParts",
            "s3:PutObject",
        ]);
        expect(granted("arn:aws:s3:::nexmark-results")).toEqual([
            "s3:GetBucketLocation",
            "s3:ListBucketMultipartUploads",
        ]);
        expect(allows("s3:DeleteObject", "arn:aws:s3:::nexmark-results/run/q10/part-0")).toBe(false);
        expect(allows("s3:ListBucket", "arn:aws:s3:::nexmark-results")).toBe(false);
        expect(allows("s3:PutObject", "arn:aws:s3:::other/x")).toBe(false);
        expect(allows("s3:CreateBucket", "arn:aws:s3:::anything")).toBe(false);
        expect(named(resources, "controller-minio-arroyo-policy-attachment").inputs).toEqual({
            userName: "arroyo",
            policyName: "arroyo-checkpoints",
        });
        expect(ofType(resources, "minio:index/s3Bucket:S3Bucket").map((b) => b.inputs.bucket)).toEqual([
            "arroyo",
            "nexmark-results",
        ]);
    });

    it("keeps volumes and buckets on destroy when retainData is set", () => {
        for (const v of ofType(resources, "docker:index/volume:Volume")) expect(v.retainOnDelete).toBe(true);
        for (const b of ofType(resources, "minio:index/s3Bucket:S3Bucket")) {
            expect(b.retainOnDelete).toBe(true);
            expect(b.inputs.forceDestroy).toBe(false);
        }
        for (const c of ofType(resources, CONTAINER)) expect(c.retainOnDelete).toBe(false);
        for (const t of ofType(resources, TOPIC)) expect(t.retainOnDelete).toBe(false);
    });

    it("exports what the benchmark reads", () => {
        expect(cluster.outputs).toMatchObject({
            arroyoApiUrl: "http://192.168.2.70:5115/api/v1",
            kafkaBootstrapServers: "192.168.2.70:9092",
            kafkaClusterBootstrapServers: "192.168.2.70:9094",
            minioEndpoint: "http://192.168.2.70:9000",
            minioClusterEndpoint: "http://192.168.2.70:9000",
            buckets: { checkpoints: "arroyo", results: "nexmark-results", extra: [] },
            topics: { person: "nexmark-person", auction: "nexmark-auction", bid: "nexmark-bid" },
            totalSlots: 9,
            partitions: 9,
        });
        expect(cluster.outputs.hosts[0]).toEqual({
            name: "b1pc10",
            address: "192.168.2.70",
            roles: ["kafka", "minio", "arroyo-controller"],
            dockerHost: "ssh://picocluster@192.168.2.70:22",
        });
        expect(cluster.outputs.hosts[9]).toEqual({
            name: "b1pc19",
            address: "192.168.2.79",
            roles: ["arroyo-node"],
            dockerHost: "ssh://picocluster@192.168.2.79:22",
            taskSlots: 1,
        });
        expect(clusterOutputsSchema.parse(cluster.outputs)).toEqual(cluster.outputs);
        expect(cluster.outputs.hosts).toHaveLength(10);
    });
});

describe("a topology change on mocks", () => {
    const fingerprint = (rs: Declared[]) => new Map(rs.map((r) => [`${r.type}::${r.name}`, JSON.stringify(r.inputs)]));

    it("adding a tenth worker changes only that worker's resources and the partition counts", async () => {
        const nine = fingerprint((await declareCluster(parseClusterConfig(rawConfig("pi-cluster")))).resources);
        const workers = [
            ...JSON.parse(rawConfig("pi-cluster").values.workers),
            { name: "b1pc20", address: "192.168.2.80" },
        ];
        const tenResources = (await declareCluster(parseClusterConfig(rawConfig("pi-cluster", { workers })))).resources;
        const ten = fingerprint(tenResources);

        const added = [...ten.keys()].filter((k) => !nine.has(k));
        const removed = [...nine.keys()].filter((k) => !ten.has(k));
        const changed = [...ten.keys()].filter((k) => nine.has(k) && nine.get(k) !== ten.get(k));

        expect(removed).toEqual([]);
        expect(added.every((k) => k.includes("worker-b1pc20"))).toBe(true);
        expect(added).toEqual(
            expect.arrayContaining([
                "arroyo-pi:index:WorkerRole::worker-b1pc20",
                "docker:index/container:Container::worker-b1pc20-node-container",
                "command:remote:Command::worker-b1pc20-host-install-docker",
            ]),
        );
        expect(changed.sort()).toEqual([
            "kafka:index/topic:Topic::controller-topics-auction",
            "kafka:index/topic:Topic::controller-topics-bid",
            "kafka:index/topic:Topic::controller-topics-person",
        ]);
        for (const t of ofType(tenResources, TOPIC)) expect(t.inputs.partitions).toBe(10);
    });

    it("adopts the buckets a retained MinIO volume holds instead of creating them, and changes no input by it", async () => {
        const config = parseClusterConfig(rawConfig("pi-cluster"));
        const fresh = (await declareCluster(config)).resources;
        const buckets = (rs: Declared[]) =>
            ofType(rs, "minio:index/s3Bucket:S3Bucket").map((b) => [b.inputs.bucket, b.importId ?? null]);
        expect(buckets(fresh)).toEqual([
            ["arroyo", null],
            ["nexmark-results", null],
        ]);
        // The preflight found the volume kept by 'destroy' (retainData), holding the checkpoint bucket only.
        const facts = { b1pc10: { retainedBuckets: ["arroyo"] } as unknown as HostFacts };
        const retained = (await declareCluster(config, facts)).resources;
        expect(buckets(retained)).toEqual([
            ["arroyo", "arroyo"],
            ["nexmark-results", null],
        ]);
        // Adopting is an option, not an input: the bucket's inputs are those a created one has, so once
        // it is in the state the next preview shows no change.
        expect(named(retained, "controller-minio-bucket-arroyo").inputs).toEqual(
            named(fresh, "controller-minio-bucket-arroyo").inputs,
        );
        expect(fingerprint(retained)).toEqual(fingerprint(fresh));
    });

    it("a new Arroyo version replaces the Arroyo images and containers, and nothing of Kafka or MinIO", async () => {
        const before = fingerprint((await declareCluster(parseClusterConfig(rawConfig("pi-cluster")))).resources);
        const after = fingerprint(
            (
                await declareCluster(
                    parseClusterConfig(
                        rawConfig("pi-cluster", { images: { arroyo: "ghcr.io/arroyosystems/arroyo:0.15.1" } }),
                    ),
                )
            ).resources,
        );
        const changedOrNew = [...after.keys()].filter((k) => before.get(k) !== after.get(k));
        expect(changedOrNew.length).toBeGreaterThan(0);
        // The hosts' Docker checks run again (they start the new image once); no container of Kafka or MinIO changes.
        for (const k of changedOrNew) expect(k).toMatch(/arroyo-0-15-1|arroyo-container|node-container|docker-check/);
        expect(changedOrNew.some((k) => /kafka|minio/.test(k))).toBe(false);
    });
});

describe("local stack on mocks", () => {
    let resources: Declared[];
    let cluster: Awaited<ReturnType<typeof declareCluster>>["cluster"];

    beforeAll(async () => {
        ({ cluster, resources } = await declareCluster(
            parseClusterConfig({ ...rawConfig("local", {}, {}), stack: "local" }),
        ));
    });

    it("passes durations and env lists in the form the providers store them", () => expectProviderForms(resources));

    it("runs everything on the local engine, on one bridge network, with no ssh", () => {
        expect(ofType(resources, "command:remote:Command")).toEqual([]);
        expect(ofType(resources, "pulumi:providers:docker").map((p) => p.inputs.host)).toEqual(
            Array(3).fill("unix:///var/run/docker.sock"),
        );
        expect(ofType(resources, "docker:index/network:Network").map((n) => n.inputs.name)).toEqual([
            "arroyo-pi-local-net",
        ]);
        for (const c of ofType(resources, CONTAINER)) {
            expect(c.inputs.networksAdvanced).toEqual([{ name: "arroyo-pi-local-net", aliases: [c.inputs.name] }]);
            for (const port of (c.inputs.ports as { ip: string }[] | undefined) ?? [])
                expect(port.ip).toBe("127.0.0.1");
        }
    });

    it("has nodes advertise their container names and reach the controller by its container name", () => {
        const nodes = ofType(resources, CONTAINER).filter((c) => String(c.inputs.name).includes("arroyo-node-"));
        expect(nodes.map((n) => envMap(n.inputs.envs).ARROYO__HOSTNAME).sort()).toEqual([
            "arroyo-pi-local-arroyo-node-worker1",
            "arroyo-pi-local-arroyo-node-worker2",
        ]);
        for (const n of nodes) {
            expect(envMap(n.inputs.envs).ARROYO__CONTROLLER_ENDPOINT).toBe(
                "http://arroyo-pi-local-arroyo-controller:5116",
            );
            expect(n.inputs.memory).toBe(1024);
        }
    });

    it("exports loopback endpoints for the benchmark and container names for Arroyo's SQL", () => {
        expect(cluster.outputs).toMatchObject({
            arroyoApiUrl: "http://127.0.0.1:5115/api/v1",
            kafkaBootstrapServers: "127.0.0.1:9092",
            kafkaClusterBootstrapServers: "arroyo-pi-local-kafka:9094",
            minioEndpoint: "http://127.0.0.1:9000",
            // q10's files: Arroyo reaches MinIO by its container name, as Arroyo's S3 endpoint URLs take it (host:port).
            minioClusterEndpoint: "http://arroyo-pi-local-minio:9000",
            totalSlots: 4,
            partitions: 4,
        });
    });

    it("deletes volumes and emptied buckets on destroy when retainData is false", () => {
        for (const v of ofType(resources, "docker:index/volume:Volume")) expect(v.retainOnDelete).toBe(false);
        for (const b of ofType(resources, "minio:index/s3Bucket:S3Bucket")) {
            expect(b.retainOnDelete).toBe(false);
            expect(b.inputs.forceDestroy).toBe(true);
        }
    });

    it("uses MinIO's default credentials only here, still as secrets", () => {
        const minio = ofType(resources, CONTAINER).find((c) => c.inputs.name === "arroyo-pi-local-minio")!;
        expect(isWireSecret(minio.inputs.envs)).toBe(true);
        expect(envMap(minio.inputs.envs)).toMatchObject({
            MINIO_ROOT_USER: "minioadmin",
            MINIO_ROOT_PASSWORD: "minioadmin",
        });
    });
});
