import { parseClusterConfig, RawConfig } from "../../config/schema";
import { Declared, declareCluster, envMap, installMocks } from "../helpers/mockProgram";
import { problemsOf, rawConfig, TEST_SECRETS } from "../helpers/stackConfig";
import { clusterOutputsSchema } from "../../stacks/outputs";

const workers = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `pi${i + 3}`, address: `192.0.2.${11 + i}` }));

/**
 * Broken variants of the pi-cluster stack a user could write: each must be refused before
 * anything is declared, with one message per mistake that names the key and says how to fix it.
 */
const VARIANTS: [string, RawConfig, string][] = [
    ["no controller", rawConfig("pi-cluster", { controller: undefined }), "arroyo-pi:controller"],
    ["no workers", rawConfig("pi-cluster", { workers: [] }), "arroyo-pi:workers"],
    [
        "a repeated name",
        rawConfig("pi-cluster", {
            workers: [
                { name: "a", address: "192.0.2.1" },
                { name: "a", address: "192.0.2.2" },
            ],
        }),
        "arroyo-pi:workers[1].name",
    ],
    [
        "a repeated address",
        rawConfig("pi-cluster", {
            workers: [
                { name: "a", address: "192.0.2.1" },
                { name: "b", address: "192.0.2.1" },
            ],
        }),
        "arroyo-pi:workers[1].address",
    ],
    [
        "an address that is neither",
        rawConfig("pi-cluster", { workers: [{ name: "a", address: "192.0.2.710" }] }),
        "arroyo-pi:workers[0].address",
    ],
    [
        "a name Docker cannot use",
        rawConfig("pi-cluster", { workers: [{ name: "Pi_2", address: "192.0.2.1" }] }),
        "arroyo-pi:workers[0].name",
    ],
    [
        "fewer partitions than slots",
        rawConfig("pi-cluster", { kafka: { partitions: 8 } }),
        "arroyo-pi:kafka.partitions",
    ],
    [
        "too little memory per slot",
        rawConfig("pi-cluster", { cluster: { memoryPerSlotMb: 255 } }),
        "arroyo-pi:cluster.memoryPerSlotMb",
    ],
    [
        "negative memory per slot",
        rawConfig("pi-cluster", { cluster: { memoryPerSlotMb: -5 } }),
        "arroyo-pi:cluster.memoryPerSlotMb",
    ],
    [
        "no task slots",
        rawConfig("pi-cluster", { cluster: { taskSlotsPerWorker: 0 } }),
        "arroyo-pi:cluster.taskSlotsPerWorker",
    ],
    [
        "half a task slot",
        rawConfig("pi-cluster", { cluster: { taskSlotsPerWorker: 1.5 } }),
        "arroyo-pi:cluster.taskSlotsPerWorker",
    ],
    [
        "no checkpoint interval",
        rawConfig("pi-cluster", { cluster: { checkpointIntervalSeconds: 0 } }),
        "arroyo-pi:cluster.checkpointIntervalSeconds",
    ],
    ["a tiny Kafka heap", rawConfig("pi-cluster", { kafka: { heapMb: 64 } }), "arroyo-pi:kafka.heapMb"],
    [
        "a worker with no slots",
        rawConfig("pi-cluster", { workers: [{ name: "a", address: "192.0.2.1", taskSlots: 0 }] }),
        "arroyo-pi:workers[0].taskSlots",
    ],
    [
        "an ssh port out of range",
        rawConfig("pi-cluster", { controller: { name: "pi1", address: "192.0.2.10", sshPort: 70000 } }),
        "arroyo-pi:controller.sshPort",
    ],
    [
        "a malformed image",
        rawConfig("pi-cluster", { images: { arroyo: "not a valid image ref!!" } }),
        "arroyo-pi:images.arroyo",
    ],
    [
        "an image with an empty tag",
        rawConfig("pi-cluster", { images: { kafka: "apache/kafka:" } }),
        "arroyo-pi:images.kafka",
    ],
    ["an empty ssh user", rawConfig("pi-cluster", { sshUser: "" }), "arroyo-pi:sshUser"],
    ["no ssh user", rawConfig("pi-cluster", { sshUser: undefined }), "arroyo-pi:sshUser"],
    [
        "no ssh key",
        rawConfig(
            "pi-cluster",
            {},
            { minioRootUser: TEST_SECRETS.minioRootUser, minioRootPassword: TEST_SECRETS.minioRootPassword },
        ),
        "arroyo-pi:sshPrivateKey",
    ],
    [
        "MinIO's default user off local",
        rawConfig("pi-cluster", {}, { ...TEST_SECRETS, minioRootUser: "minioadmin" }),
        "arroyo-pi:minioRootUser",
    ],
    ["a misspelt key", rawConfig("pi-cluster", { retainDtaa: "true" }), "arroyo-pi:retainDtaa"],
    [
        "a misspelt nested key",
        rawConfig("pi-cluster", { cluster: { taskSlotPerWorker: 2 } }),
        "arroyo-pi:cluster.taskSlotPerWorker",
    ],
    ["retainData not a boolean", rawConfig("pi-cluster", { retainData: "yes" }), "arroyo-pi:retainData"],
    ["an unknown target", rawConfig("pi-cluster", { target: "k8s" }), "arroyo-pi:target"],
    ["a bad bucket name", rawConfig("pi-cluster", { buckets: { checkpoints: "A" } }), "arroyo-pi:buckets.checkpoints"],
    [
        "results in the checkpoint bucket",
        rawConfig("pi-cluster", { buckets: { results: "arroyo" } }),
        "arroyo-pi:buckets.results",
    ],
    [
        "the results bucket again among the others",
        rawConfig("pi-cluster", { buckets: { extra: ["nexmark-results"] } }),
        "arroyo-pi:buckets.extra",
    ],
];

// A fix is an instruction: the message says what to set, use, remove, raise, lower, choose or store.
const FIX = /: .*\b(set|use|remove|raise|lower|choose|store|add|list|fix|rename)\b/;

describe("every refused variant names its key and the fix, once", () => {
    it.each(VARIANTS)("%s", (_what, raw, key) => {
        const problems = problemsOf(raw);
        expect(problems).toHaveLength(1);
        expect(problems[0].startsWith(key)).toBe(true);
        expect(problems[0]).toMatch(FIX);
        // The schema's own wording ("Too small: expected number to be >0") never reaches a user.
        expect(problems[0]).not.toMatch(/Too small|Too big|Invalid input|expected number/);
    });

    it("states bounds in one voice: the key, the value, what it must be, the fix", () => {
        expect(problemsOf(rawConfig("pi-cluster", { cluster: { taskSlotsPerWorker: 0 } }))).toEqual([
            "arroyo-pi:cluster.taskSlotsPerWorker is 0: it must be more than 0; set the task slots of each worker, e.g. 'pulumi config set --path cluster.taskSlotsPerWorker 1'",
        ]);
        expect(problemsOf(rawConfig("pi-cluster", { cluster: { checkpointIntervalSeconds: 0 } }))[0]).toMatch(
            /^arroyo-pi:cluster\.checkpointIntervalSeconds is 0: it must be more than 0; set the seconds between checkpoints/,
        );
    });

    it("refuses a malformed image before any host is touched, with the grammar and an example", () => {
        expect(problemsOf(rawConfig("pi-cluster", { images: { arroyo: "not a valid image ref!!" } }))).toEqual([
            'arroyo-pi:images.arroyo "not a valid image ref!!" is not a Docker image reference: use [registry/]name[:tag][@sha256:digest], e.g. ghcr.io/arroyosystems/arroyo:0.15.0',
        ]);
    });

    it("reports an empty ssh user once, as the missing user it is", () => {
        expect(problemsOf(rawConfig("pi-cluster", { sshUser: "" }))).toEqual([
            "arroyo-pi:sshUser is empty: the ssh target needs the login user of every host, e.g. 'pulumi config set sshUser picocluster'",
        ]);
    });

    it("accepts images with a registry port, a digest, or both", () => {
        const digest = `sha256:${"a".repeat(64)}`;
        for (const arroyo of [
            "registry.lan:5000/arroyo:0.15.0",
            `ghcr.io/arroyosystems/arroyo@${digest}`,
            `ghcr.io/arroyosystems/arroyo:0.15.0@${digest}`,
        ]) {
            expect(parseClusterConfig(rawConfig("pi-cluster", { images: { arroyo } })).images.arroyo).toBe(arroyo);
        }
    });
});

describe("IPv6 hosts on mocks", () => {
    let resources: Declared[];
    let outputs: Record<string, unknown>;
    const CONTROLLER = "fd00::70";

    beforeAll(async () => {
        await installMocks("pi-cluster");
        const raw = rawConfig("pi-cluster", {
            controller: { name: "pi1", address: CONTROLLER },
            workers: [{ name: "pi2", address: "fd00::71" }, ...workers(1)],
        });
        const declared = await declareCluster(parseClusterConfig(raw));
        resources = declared.resources;
        outputs = await new Promise(
            (resolve) =>
                declared.cluster.outputs && resolve(declared.cluster.outputs as unknown as Record<string, unknown>),
        );
    });

    it("accepts IPv6 addresses", () => {
        expect(
            parseClusterConfig(rawConfig("pi-cluster", { workers: [{ name: "pi2", address: "fe80::1" }] })).workers[0]
                .address,
        ).toBe("fe80::1");
    });

    it("brackets them in the Docker provider's ssh:// URL, and leaves IPv4 as it is", () => {
        const hosts = resources.filter((r) => r.type === "pulumi:providers:docker").map((p) => p.inputs.host);
        expect(hosts).toContain("ssh://picocluster@[fd00::71]:22");
        expect(hosts).toContain("ssh://picocluster@[fd00::70]:22");
        expect(hosts).toContain("ssh://picocluster@192.0.2.11:22");
    });

    it("brackets them in Kafka's advertised listeners and the nodes' controller endpoint", () => {
        const kafka = resources.find(
            (r) => r.type === "docker:index/container:Container" && String(r.inputs.name).endsWith("-kafka"),
        )!;
        expect(envMap(kafka.inputs.envs).KAFKA_ADVERTISED_LISTENERS).toMatch(/CLIENT:\/\/\[fd00::70\]:9092/);
        const nodes = resources.filter(
            (r) => r.type === "docker:index/container:Container" && /arroyo-node/.test(String(r.inputs.name)),
        );
        expect(nodes.map((n) => envMap(n.inputs.envs).ARROYO__CONTROLLER_ENDPOINT)).toEqual([
            "http://[fd00::70]:5116",
            "http://[fd00::70]:5116",
        ]);
    });

    it("brackets every endpoint in the stack outputs, which the outputs schema accepts", async () => {
        const resolved = await resolveAll(outputs);
        expect(resolved.arroyoApiUrl).toBe("http://[fd00::70]:5115/api/v1");
        expect(resolved.minioEndpoint).toBe("http://[fd00::70]:9000");
        expect(resolved.kafkaBootstrapServers).toBe("[fd00::70]:9092");
        expect(clusterOutputsSchema.safeParse(resolved).success).toBe(true);
    });
});

async function resolveAll(o: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
        const x = v as { apply?: (f: (y: unknown) => unknown) => unknown };
        out[k] = typeof x?.apply === "function" ? await new Promise((r) => x.apply!((y) => r(y))) : v;
    }
    return out;
}
