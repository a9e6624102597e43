import { isAddress, parseClusterConfig } from "../../config/schema";
import { MIN_MEMORY_PER_SLOT_MB } from "../../config/defaults";
import { problemsOf, rawConfig, TEST_SECRETS } from "../helpers/stackConfig";

describe("the shipped stacks", () => {
    it("pi-cluster: b1pc10 controls, nine Pis work, one partition per slot", () => {
        const c = parseClusterConfig(rawConfig("pi-cluster"));
        expect(c.target).toBe("ssh");
        expect(c.controller).toEqual({ name: "b1pc10", address: "192.168.2.70", sshPort: 22 });
        expect(c.workers.map((w) => w.name)).toEqual([
            "b1pc11",
            "b1pc12",
            "b1pc13",
            "b1pc14",
            "b1pc15",
            "b1pc16",
            "b1pc17",
            "b1pc18",
            "b1pc19",
        ]);
        expect(c.workers.map((w) => w.address)).toEqual(Array.from({ length: 9 }, (_, i) => `192.168.2.${71 + i}`));
        expect(c.ssh).toEqual({ user: "picocluster", privateKey: TEST_SECRETS.sshPrivateKey });
        expect(c.totalSlots).toBe(9);
        expect(c.kafka.partitions).toBe(9);
        expect(c.images.arroyo).toBe("ghcr.io/arroyosystems/arroyo:0.15.0");
        expect(c.retainData).toBe(true);
    });

    it("local: runs with MinIO's default credentials and no ssh settings", () => {
        const c = parseClusterConfig(rawConfig("local", {}, {}));
        expect(c.target).toBe("local");
        expect(c.ssh).toBeUndefined();
        expect(c.minio).toEqual({ rootUser: "minioadmin", rootPassword: "minioadmin" });
        expect(c.totalSlots).toBe(4);
        expect(c.kafka.partitions).toBe(4);
    });

    it("per-worker task slots override the default and add up", () => {
        const raw = rawConfig(
            "local",
            {
                workers: [
                    { name: "w1", address: "localhost", taskSlots: 3 },
                    { name: "w2", address: "localhost" },
                ],
            },
            {},
        );
        const c = parseClusterConfig(raw);
        expect(c.workers.map((w) => w.taskSlots)).toEqual([3, 2]);
        expect(c.totalSlots).toBe(5);
    });

    it("images can be overridden one at a time", () => {
        const c = parseClusterConfig(
            rawConfig("pi-cluster", { images: { arroyo: "ghcr.io/arroyosystems/arroyo:0.15.1" } }),
        );
        expect(c.images.arroyo).toBe("ghcr.io/arroyosystems/arroyo:0.15.1");
        expect(c.images.kafka).toBe("apache/kafka:4.1.1");
    });
});

describe("`arroyo`, the first name of `cluster`", () => {
    const legacy = {
        cluster: undefined,
        arroyo: { taskSlotsPerWorker: 2, memoryPerSlotMb: 640, checkpointIntervalSeconds: 30 },
    };

    it("is still read, as cluster, with one note naming the new key and the file", () => {
        const c = parseClusterConfig(rawConfig("pi-cluster", legacy));
        expect(c.cluster).toEqual({ memoryPerSlotMb: 640, checkpointIntervalSeconds: 30 });
        expect(c.workers.every((w) => w.taskSlots === 2)).toBe(true);
        expect(c.notices).toEqual([
            "arroyo-pi:arroyo is now named arroyo-pi:cluster (both engines use these settings): read as cluster; rename the key in Pulumi.pi-cluster.yaml",
        ]);
    });

    it("reads the same config as `cluster` does, and says nothing then", () => {
        const renamed = parseClusterConfig(rawConfig("pi-cluster", { cluster: legacy.arroyo }));
        const { notices, ...rest } = parseClusterConfig(rawConfig("pi-cluster", legacy));
        expect(notices).toHaveLength(1);
        expect(renamed.notices).toEqual([]);
        expect({ ...renamed, notices: undefined }).toEqual({ ...rest, notices: undefined });
    });

    it("is refused next to `cluster`, naming both and the fix", () => {
        expect(problemsOf(rawConfig("pi-cluster", { arroyo: legacy.arroyo }))).toEqual([
            "arroyo-pi:arroyo and arroyo-pi:cluster are both set: 'arroyo' is the first name of 'cluster'; keep the settings under cluster and remove the other with 'pulumi config rm arroyo'",
        ]);
    });

    it("has its bad values named under its own key, with the fix under the new one", () => {
        expect(problemsOf(rawConfig("pi-cluster", { cluster: undefined, arroyo: { taskSlotsPerWorker: 0 } }))).toEqual([
            "arroyo-pi:arroyo.taskSlotsPerWorker is 0: it must be more than 0; set it under the key's new name, e.g. 'pulumi config set --path cluster.taskSlotsPerWorker 1', and remove the old one with 'pulumi config rm arroyo'",
        ]);
    });
});

describe("bad input is refused with the key and the fix", () => {
    it("no controller", () => {
        expect(problemsOf(rawConfig("pi-cluster", { controller: undefined }))).toEqual([
            expect.stringMatching(
                /^arroyo-pi:controller is missing: set it with: pulumi config set --path controller\.name/,
            ),
        ]);
    });

    it("zero workers", () => {
        expect(problemsOf(rawConfig("pi-cluster", { workers: [] }))).toEqual([
            expect.stringMatching(
                /^arroyo-pi:workers is empty: a cluster needs at least one worker; set at least one with: pulumi config set --path 'workers\[0\]\.name'/,
            ),
        ]);
    });

    it("no workers key at all", () => {
        expect(problemsOf(rawConfig("pi-cluster", { workers: undefined }))).toEqual([
            expect.stringMatching(/^arroyo-pi:workers is missing: set at least one/),
        ]);
    });

    it("duplicate host names", () => {
        const workers = [
            { name: "b1pc11", address: "192.168.2.71" },
            { name: "b1pc11", address: "192.168.2.72" },
        ];
        expect(problemsOf(rawConfig("pi-cluster", { workers }))).toEqual([
            "arroyo-pi:workers[1].name 'b1pc11' is already used by arroyo-pi:workers[0]: every host needs its own name; rename one of them",
        ]);
    });

    it("a worker named like the controller", () => {
        const workers = [{ name: "b1pc10", address: "192.168.2.71" }];
        expect(problemsOf(rawConfig("pi-cluster", { workers }))).toEqual([
            "arroyo-pi:workers[0].name 'b1pc10' is already used by arroyo-pi:controller: every host needs its own name; rename one of them",
        ]);
    });

    it("duplicate addresses on the ssh target", () => {
        const workers = [
            { name: "b1pc11", address: "192.168.2.71" },
            { name: "b1pc12", address: "192.168.2.71" },
        ];
        expect(problemsOf(rawConfig("pi-cluster", { workers }))).toEqual([
            "arroyo-pi:workers[1].address '192.168.2.71' is already used by arroyo-pi:workers[0]: every host needs its own address; fix the address, or remove the host listed twice",
        ]);
    });

    it("an address that is neither an IP nor a host name", () => {
        const workers = [
            { name: "b1pc11", address: "192.168.2.710" },
            { name: "b1pc12", address: "pi 12" },
        ];
        expect(problemsOf(rawConfig("pi-cluster", { workers }))).toEqual([
            "arroyo-pi:workers[0].address '192.168.2.710' is neither an IP address nor a host name: use e.g. 192.0.2.10 or pi1.lan",
            "arroyo-pi:workers[1].address 'pi 12' is neither an IP address nor a host name: use e.g. 192.0.2.10 or pi1.lan",
        ]);
    });

    it("a host name Docker cannot use in container names", () => {
        expect(problemsOf(rawConfig("pi-cluster", { controller: { name: "Pi_1", address: "192.168.2.70" } }))).toEqual([
            expect.stringMatching(
                /^arroyo-pi:controller\.name 'Pi_1' is not a valid host name: use 1-40 lowercase letters/,
            ),
        ]);
    });

    it("partitions fewer than total slots", () => {
        expect(problemsOf(rawConfig("pi-cluster", { kafka: { partitions: 8 } }))).toEqual([
            "arroyo-pi:kafka.partitions is 8 but the workers have 9 task slots in all: every slot needs a partition to read, so set kafka.partitions to at least 9 (or remove it to default to 9)",
        ]);
    });

    it("memory per slot below what Arroyo can run in", () => {
        expect(
            problemsOf(rawConfig("pi-cluster", { cluster: { memoryPerSlotMb: MIN_MEMORY_PER_SLOT_MB - 1 } })),
        ).toEqual([
            `arroyo-pi:cluster.memoryPerSlotMb is ${MIN_MEMORY_PER_SLOT_MB - 1}: Arroyo needs at least ${MIN_MEMORY_PER_SLOT_MB} MB per task slot; raise it, or lower cluster.taskSlotsPerWorker to give each slot more of the Pi's memory`,
        ]);
    });

    it("MinIO root credentials left at the default outside the local stack", () => {
        const secrets = { ...TEST_SECRETS, minioRootUser: "minioadmin", minioRootPassword: "minioadmin" };
        expect(problemsOf(rawConfig("pi-cluster", {}, secrets))).toEqual([
            "arroyo-pi:minioRootUser is MinIO's well-known default: it is allowed only on the local target; choose another with 'pulumi config set --secret minioRootUser <value>'",
            "arroyo-pi:minioRootPassword is MinIO's well-known default: it is allowed only on the local target; choose another with 'pulumi config set --secret minioRootPassword <value>'",
        ]);
    });

    it("MinIO root credentials missing outside the local stack", () => {
        const { minioRootPassword: _omitted, ...secrets } = TEST_SECRETS;
        expect(problemsOf(rawConfig("pi-cluster", {}, secrets))).toEqual([
            "arroyo-pi:minioRootPassword is missing: stack 'pi-cluster' is not local, so MinIO needs its own root credentials: 'pulumi config set --secret minioRootPassword <value>'",
        ]);
    });

    it("a MinIO password too short for MinIO to start", () => {
        expect(problemsOf(rawConfig("local", {}, { minioRootPassword: "short" }))).toEqual([
            "arroyo-pi:minioRootPassword is shorter than 8 characters, which MinIO refuses at start-up: choose a longer one",
        ]);
    });

    it("an unknown top-level key, with a suggestion", () => {
        expect(problemsOf(rawConfig("pi-cluster", { retainDtaa: "true" }))).toEqual([
            "arroyo-pi:retainDtaa is not a known setting: did you mean 'retainData'? remove it with 'pulumi config rm retainDtaa' or fix the spelling",
        ]);
    });

    it("an unknown nested key, with a suggestion", () => {
        expect(problemsOf(rawConfig("pi-cluster", { cluster: { taskSlotPerWorker: 2 } }))).toEqual([
            "arroyo-pi:cluster.taskSlotPerWorker is not a known setting: did you mean 'taskSlotsPerWorker'? remove it or fix the spelling (known: taskSlotsPerWorker, memoryPerSlotMb, checkpointIntervalSeconds, cpusPerWorker)",
        ]);
    });

    it("an unknown key inside a worker", () => {
        const workers = [{ name: "b1pc11", adress: "192.168.2.71" }];
        expect(problemsOf(rawConfig("pi-cluster", { workers }))).toEqual(
            expect.arrayContaining([
                expect.stringMatching(
                    /^arroyo-pi:workers\[0\]\.adress is not a known setting: did you mean 'address'\?/,
                ),
                "arroyo-pi:workers[0].address is missing: add it to Pulumi.<stack>.yaml",
            ]),
        );
    });

    it("a missing secret", () => {
        const { sshPrivateKey: _omitted, ...secrets } = TEST_SECRETS;
        expect(problemsOf(rawConfig("pi-cluster", {}, secrets))).toEqual([
            "arroyo-pi:sshPrivateKey is missing: the ssh target needs the operator's private key as a secret: 'pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519'",
        ]);
    });

    it("a secret stored in plaintext", () => {
        const raw = rawConfig("pi-cluster");
        const secretKeys = new Set(raw.secretKeys);
        secretKeys.delete("sshPrivateKey");
        expect(problemsOf({ ...raw, secretKeys })).toEqual([
            "arroyo-pi:sshPrivateKey is stored in plaintext: store it encrypted with 'pulumi config set --secret sshPrivateKey ...' (and remove the plaintext value from Pulumi.pi-cluster.yaml and git history)",
        ]);
    });

    it("no ssh user on the ssh target", () => {
        expect(problemsOf(rawConfig("pi-cluster", { sshUser: undefined }))).toEqual([
            "arroyo-pi:sshUser is missing: the ssh target needs the login user of every host, e.g. 'pulumi config set sshUser picocluster'",
        ]);
    });

    it("a value of the wrong type names the key", () => {
        expect(problemsOf(rawConfig("pi-cluster", { retainData: "sometimes" }))).toEqual([
            `arroyo-pi:retainData is "sometimes", not true or false: set it with 'pulumi config set retainData true' or false`,
        ]);
    });

    it("an unknown target", () => {
        expect(problemsOf(rawConfig("pi-cluster", { target: "k8s" }))).toEqual([
            'arroyo-pi:target is "k8s": use one of local, ssh',
        ]);
    });

    it("reports every problem at once", () => {
        const problems = problemsOf(
            rawConfig("pi-cluster", { workers: [], kafkaa: "{}", cluster: { memoryPerSlotMb: 1 } }),
        );
        expect(problems).toHaveLength(3);
    });
});

describe("addresses", () => {
    it.each(["192.168.2.70", "10.0.0.1", "::1", "fe80::1", "pi1", "pi1.lan", "b1pc10.cluster.example"])(
        "accepts %s",
        (a) => expect(isAddress(a)).toBe(true),
    );
    it.each(["", "192.168.2.700", "1.2.3", "pi 1", "-pi", "pi_1.lan", "a..b"])("rejects %j", (a) =>
        expect(isAddress(a)).toBe(false),
    );
});
