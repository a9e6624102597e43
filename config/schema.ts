import * as net from "net";
import { z } from "zod";
import { isImageReference } from "../lib/imageRef";
import {
    DEFAULT_IMAGES,
    DEFAULTS,
    DEFAULT_ENGINE,
    ENGINES,
    EngineName,
    FLINK_MIN_TASKMANAGER_MB,
    FLINK_PROFILES,
    FlinkSettingsOptions,
    MINIO_DEFAULT_CREDENTIALS,
    MINIO_MIN_PASSWORD_LENGTH,
    MINIO_MIN_USER_LENGTH,
    MIN_MEMORY_PER_SLOT_MB,
    PROJECT,
} from "./defaults";

/** The stack's config as Pulumi hands it over: raw strings, keyed without the namespace. */
export interface RawConfig {
    stack: string;
    values: Readonly<Record<string, string>>;
    /** Keys whose values are stored encrypted (`pulumi config set --secret`). */
    secretKeys: ReadonlySet<string>;
}

/**
 * A stack's config as the Pulumi CLI or the Automation API lists it (`project:key` -> value and
 * whether it is secret), this project's keys only, without the namespace.
 */
export function rawConfigOf(
    stack: string,
    entries: Readonly<Record<string, { value?: string; secret?: boolean }>>,
): RawConfig {
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [k, v] of Object.entries(entries)) {
        if (!k.startsWith(`${PROJECT}:`) || v.value === undefined) continue;
        const name = k.slice(PROJECT.length + 1);
        values[name] = v.value;
        if (v.secret) secretKeys.add(name);
    }
    return { stack, values, secretKeys };
}

/** Every problem found in a stack's config, each naming the key and the fix. */
export class ConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(
            `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was deployed:\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

/** RFC 1123 host name whose last label is not all digits (so `192.168.2.700` is neither). */
export function isHostname(value: string): boolean {
    if (value.length > 253) return false;
    const labels = value.replace(/\.$/, "").split(".");
    const labelOk = labels.every((l) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
    return labelOk && !/^\d+$/.test(labels[labels.length - 1]);
}

export function isAddress(value: string): boolean {
    return net.isIP(value) !== 0 || isHostname(value);
}

const hostSchema = z
    .object({
        name: z.string(),
        address: z.string(),
        sshPort: z.number().int().min(1).max(65535).optional(),
        hostKey: z.string().min(1).optional(),
    })
    .strict();

const workerSchema = hostSchema.extend({ taskSlots: z.number().int().positive().optional() }).strict();

/** An image reference Docker can pull, checked before any host is changed. */
const imageRef = (example: string) =>
    z.string().superRefine((value, ctx) => {
        if (!isImageReference(value)) {
            ctx.addIssue({
                code: "custom",
                message: `${JSON.stringify(value)} is not a Docker image reference: use [registry/]name[:tag][@sha256:digest], e.g. ${example}`,
            });
        }
    });

const imagesSchema = z
    .object({
        arroyo: imageRef(DEFAULT_IMAGES.arroyo).default(DEFAULT_IMAGES.arroyo),
        kafka: imageRef(DEFAULT_IMAGES.kafka).default(DEFAULT_IMAGES.kafka),
        minio: imageRef(DEFAULT_IMAGES.minio).default(DEFAULT_IMAGES.minio),
        flink: imageRef(DEFAULT_IMAGES.flink).default(DEFAULT_IMAGES.flink),
    })
    .strict();

/** What both engines are given alike: task slots and memory per worker, and how often they checkpoint. */
const clusterSchema = z
    .object({
        taskSlotsPerWorker: z.number().int().positive().default(DEFAULTS.taskSlotsPerWorker),
        memoryPerSlotMb: z.number().int().positive().default(DEFAULTS.memoryPerSlotMb),
        checkpointIntervalSeconds: z.number().int().positive().max(86_400).default(DEFAULTS.checkpointIntervalSeconds),
        /** CPUs each worker's engine container may use (Docker's --cpus); absent: no limit. */
        cpusPerWorker: z.number().positive().max(256).optional(),
    })
    .strict();

const kafkaSchema = z
    .object({
        heapMb: z.number().int().min(128).default(DEFAULTS.kafkaHeapMb),
        partitions: z.number().int().positive().optional(),
    })
    .strict();

const bucketName = z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be a valid S3 bucket name (3-63 chars of a-z, 0-9, '.', '-')");

const bucketsSchema = z
    .object({
        checkpoints: bucketName.default(DEFAULTS.checkpointBucket),
        results: bucketName.default(DEFAULTS.resultsBucket),
        extra: z.array(bucketName).default(DEFAULTS.extraBuckets),
    })
    .strict();

const flinkSchema = z
    .object({
        profile: z.enum(FLINK_PROFILES).default("pi"),
        prometheusReporter: z.boolean().default(false),
    })
    .strict();

const hostsSchema = z
    .object({
        /** Run where the memory cgroup is off (Docker accepts memory limits and enforces none): an explicit, recorded choice. */
        allowNoMemoryLimit: z.boolean().default(false),
    })
    .strict();

/** The structured keys, parsed from JSON as Pulumi stores objects, arrays, numbers and booleans. */
const structured = {
    controller: hostSchema,
    workers: z.array(workerSchema),
    images: imagesSchema.default(() => imagesSchema.parse({})),
    cluster: clusterSchema.optional(),
    /** The first name of `cluster`, from when Arroyo was the only engine: still read, with a note. */
    arroyo: clusterSchema.optional(),
    kafka: kafkaSchema.default(() => kafkaSchema.parse({})),
    buckets: bucketsSchema.default(() => bucketsSchema.parse({})),
    hosts: hostsSchema.default(() => hostsSchema.parse({})),
    /** Flink's profile and reporter (engine flink; kept, unused, while Arroyo runs). */
    flink: flinkSchema.default(() => flinkSchema.parse({})),
    piTuning: z.boolean().default(false),
    retainData: z.boolean().default(DEFAULTS.retainData),
} as const;

/** Plain string keys, taken as typed. */
const plain = {
    target: z.enum(["local", "ssh"]).default(DEFAULTS.target),
    /** The stream processor the cluster runs: switching it replaces the engine's containers and nothing of Kafka or MinIO. */
    engine: z.enum(ENGINES).default(DEFAULT_ENGINE),
    // An empty value is reported once, by checkSsh, as the missing user it is.
    sshUser: z.string().optional(),
    dockerInstallCommand: z.string().min(1).default(DEFAULTS.dockerInstallCommand),
    localDockerHost: z.string().min(1).default(DEFAULTS.localDockerHost),
} as const;

/** Keys that must be stored with `pulumi config set --secret`. */
const SECRET_KEYS = ["sshPrivateKey", "minioRootUser", "minioRootPassword"] as const;
type SecretKey = (typeof SECRET_KEYS)[number];

const KNOWN_KEYS = [...Object.keys(structured), ...Object.keys(plain), ...SECRET_KEYS];

const HINTS: Record<string, string> = {
    controller: `set it with: pulumi config set --path controller.name pi1 && pulumi config set --path controller.address 192.0.2.10`,
    workers: `set at least one with: pulumi config set --path 'workers[0].name' pi2 && pulumi config set --path 'workers[0].address' 192.0.2.11`,
};

export interface HostSpec {
    name: string;
    address: string;
    sshPort: number;
    hostKey?: string;
}

export interface WorkerSpec extends HostSpec {
    taskSlots: number;
}

/** The validated config, secrets still in plaintext (the loader wraps them as Pulumi secrets). */
export interface ValidatedConfig {
    stack: string;
    target: "local" | "ssh";
    controller: HostSpec;
    workers: WorkerSpec[];
    ssh?: { user: string; privateKey: string };
    dockerInstallCommand: string;
    localDockerHost: string;
    engine: EngineName;
    images: { arroyo: string; kafka: string; minio: string; flink: string };
    /** Task slots live on each worker (workers[].taskSlots); the memory of one slot and the checkpoint interval apply to the engine that runs. */
    cluster: { memoryPerSlotMb: number; checkpointIntervalSeconds: number; cpusPerWorker?: number };
    /** What the config says that is accepted but should change (an old key's name), one line each: said once by the deployer. */
    notices: string[];
    kafka: { heapMb: number; partitions: number };
    buckets: { checkpoints: string; results: string; extra: string[] };
    minio: { rootUser: string; rootPassword: string };
    hosts: { allowNoMemoryLimit: boolean };
    flink: FlinkSettingsOptions;
    /** Let the deployment switch on the memory cgroup and the 4 KiB-page kernel on Pis that lack them, and reboot those. */
    piTuning: boolean;
    retainData: boolean;
    /** Sum of the workers' task slots: the default parallelism and the minimum partition count. */
    totalSlots: number;
}

const key = (k: string) => `${PROJECT}:${k}`;

function formatPath(top: string, path: readonly PropertyKey[]): string {
    return path.reduce<string>((acc, p) => (typeof p === "number" ? `${acc}[${p}]` : `${acc}.${String(p)}`), key(top));
}

function levenshtein(a: string, b: string): number {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
    }
    return d[a.length][b.length];
}

function suggest(unknown: string, known: readonly string[]): string {
    const best = known
        .map((k) => ({ k, d: levenshtein(unknown.toLowerCase(), k.toLowerCase()) }))
        .sort((x, y) => x.d - y.d)[0];
    return best && best.d <= 3 ? `did you mean '${best.k}'? ` : "";
}

function describeIssue(top: string, issue: z.core.$ZodIssue): string {
    const where = formatPath(top, issue.path);
    if (issue.code === "unrecognized_keys") {
        const parentSchemaKeys = knownNestedKeys(top, issue.path);
        return issue.keys
            .map(
                (k) =>
                    `${where}.${k} is not a known setting: ${suggest(k, parentSchemaKeys)}remove it or fix the spelling (known: ${parentSchemaKeys.join(", ")})`,
            )
            .join("; ");
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
        const hint = issue.path.length === 0 ? HINTS[top] : undefined;
        return `${where} is missing: ${hint ?? "add it to Pulumi.<stack>.yaml"}`;
    }
    if (issue.code === "custom") return `${where} ${issue.message}`;
    if (issue.code === "invalid_value")
        return `${where} is ${JSON.stringify(issue.input)}: use one of ${issue.values.map((v) => String(v)).join(", ")}`;
    const bound = numberBound(issue);
    if (bound) return `${where} is ${JSON.stringify(issue.input)}: it must be ${bound}; ${fixFor(top, issue.path)}`;
    if (issue.code === "invalid_type")
        return `${where} is ${JSON.stringify(issue.input)}, not ${article(issue.expected)}: ${fixFor(top, issue.path)}`;
    return `${where}: ${issue.message}; ${fixFor(top, issue.path)}`;
}

const article = (expected: string) =>
    ({
        int: "a whole number",
        number: "a number",
        boolean: "true or false",
        string: "a string",
        array: "a list",
        object: "an object",
    })[expected] ?? expected;

/** What a number must be, in words, for the bounds and integer issues zod reports. */
function numberBound(issue: z.core.$ZodIssue): string | undefined {
    if (issue.code === "too_small" && issue.origin === "number") {
        const min = Number(issue.minimum);
        return issue.inclusive ? `at least ${min}` : `more than ${min}`;
    }
    if (issue.code === "too_big" && issue.origin === "number")
        return issue.inclusive ? `at most ${Number(issue.maximum)}` : `less than ${Number(issue.maximum)}`;
    if (issue.code === "invalid_type" && issue.expected === "int" && typeof issue.input === "number")
        return "a whole number";
    return undefined;
}

/** How to fix a setting, by its path with list indexes dropped ("workers[].taskSlots"). */
const FIXES: Record<string, string> = {
    "cluster.taskSlotsPerWorker":
        "set the task slots of each worker, e.g. 'pulumi config set --path cluster.taskSlotsPerWorker 1'",
    "cluster.memoryPerSlotMb": `set the memory of one task slot in MB, at least ${MIN_MEMORY_PER_SLOT_MB}, e.g. 'pulumi config set --path cluster.memoryPerSlotMb ${DEFAULTS.memoryPerSlotMb}'`,
    "cluster.checkpointIntervalSeconds": `set the seconds between checkpoints, 1 to 86400 (what Arroyo accepts), e.g. 'pulumi config set --path cluster.checkpointIntervalSeconds ${DEFAULTS.checkpointIntervalSeconds}'`,
    "cluster.cpusPerWorker":
        "set the CPUs each worker's engine may use, e.g. 'pulumi config set --path cluster.cpusPerWorker 3' (a 4-core Pi keeps one for the OS and Docker), or remove the key for no limit",
    "arroyo.taskSlotsPerWorker":
        "set it under the key's new name, e.g. 'pulumi config set --path cluster.taskSlotsPerWorker 1', and remove the old one with 'pulumi config rm arroyo'",
    "arroyo.memoryPerSlotMb": `set it under the key's new name, at least ${MIN_MEMORY_PER_SLOT_MB}, e.g. 'pulumi config set --path cluster.memoryPerSlotMb ${DEFAULTS.memoryPerSlotMb}', and remove the old one with 'pulumi config rm arroyo'`,
    "arroyo.checkpointIntervalSeconds": `set it under the key's new name, 1 to 86400, e.g. 'pulumi config set --path cluster.checkpointIntervalSeconds ${DEFAULTS.checkpointIntervalSeconds}', and remove the old one with 'pulumi config rm arroyo'`,
    "kafka.heapMb": `set the broker's JVM heap in MB, at least 128, e.g. 'pulumi config set --path kafka.heapMb ${DEFAULTS.kafkaHeapMb}'`,
    "kafka.partitions":
        "set at least one partition per task slot, or remove the key to default to the total task slots",
    "workers[].taskSlots": "set the worker's task slots, or remove the key to use cluster.taskSlotsPerWorker",
    "workers[].sshPort": "set the port sshd listens on (1-65535), or remove the key for 22",
    "controller.sshPort": "set the port sshd listens on (1-65535), or remove the key for 22",
    retainData: "set it with 'pulumi config set retainData true' or false",
    piTuning:
        "set it with 'pulumi config set piTuning true' (the deployment edits the Pis' boot files and reboots them) or false",
    "flink.profile": `set it with 'pulumi config set --path flink.profile pi' (sized for a 4 GB Pi) or nexmark (plus nexmark/nexmark's Flink settings)`,
    "flink.prometheusReporter":
        "set it with 'pulumi config set --path flink.prometheusReporter true' (Flink's Prometheus reporter on port 9249-9251 of each Flink process) or false",
    "hosts.allowNoMemoryLimit":
        "set it with 'pulumi config set --path hosts.allowNoMemoryLimit true' (run without enforced memory limits) or false",
};

function fixFor(top: string, path: readonly PropertyKey[]): string {
    const dotted = [top, ...path]
        .map((p) => (typeof p === "number" ? "[]" : String(p)))
        .join(".")
        .replace(/\.\[\]/g, "[]");
    return FIXES[dotted] ?? `fix it in Pulumi.<stack>.yaml (see docs/pis.md, "Configuration reference", for ${dotted})`;
}

function knownNestedKeys(top: string, path: readonly PropertyKey[]): string[] {
    let schema: z.ZodType = (structured as Record<string, z.ZodType>)[top];
    for (const p of path) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodArray && typeof p === "number") schema = schema.element as z.ZodType;
        else if (schema instanceof z.ZodObject) schema = schema.shape[String(p)] as z.ZodType;
    }
    schema = unwrap(schema);
    if (schema instanceof z.ZodArray) schema = unwrap(schema.element as z.ZodType);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
    let s = schema;
    while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
    return s;
}

/** Pulumi stores objects, arrays, numbers and booleans as JSON text; a bare string stays as typed. */
function parseJson(rawValue: string): unknown {
    try {
        return JSON.parse(rawValue);
    } catch {
        return rawValue; // the schema then reports the wrong type under the key's name
    }
}

/** Each key as its schema parsed it; a key whose value was invalid is absent (its problem is recorded). */
type Parsed = { [K in keyof typeof structured]?: z.output<(typeof structured)[K]> } & {
    [K in keyof typeof plain]?: z.output<(typeof plain)[K]>;
};

/** Parses every key on its own, so one bad key does not hide the problems of the others. */
function parseKeys(raw: RawConfig, problems: string[]): Parsed {
    for (const k of Object.keys(raw.values)) {
        if (!KNOWN_KEYS.includes(k)) {
            problems.push(
                `${key(k)} is not a known setting: ${suggest(k, KNOWN_KEYS)}remove it with 'pulumi config rm ${k}' or fix the spelling`,
            );
        }
    }
    const parsed: Record<string, unknown> = {};
    const parseKey = (k: string, schema: z.ZodType, value: unknown) => {
        const result = schema.safeParse(value, { reportInput: true });
        if (result.success) parsed[k] = result.data;
        else problems.push(...result.error.issues.map((i) => describeIssue(k, i)));
    };
    for (const [k, schema] of Object.entries(structured)) {
        const rawValue = raw.values[k];
        parseKey(k, schema, rawValue === undefined ? undefined : parseJson(rawValue));
    }
    for (const [k, schema] of Object.entries(plain)) parseKey(k, schema, raw.values[k]);
    return parsed as Parsed;
}

type HostEntry = { name: string; address: string; where: string };

/** Names Docker can use, addresses that are addresses, and no host twice. */
function checkHosts(hosts: HostEntry[], target: ValidatedConfig["target"], problems: string[]): void {
    for (const h of hosts) {
        if (!HOST_NAME.test(h.name)) {
            problems.push(
                `${h.where}.name '${h.name}' is not a valid host name: use 1-40 lowercase letters, digits and '-', starting and ending with a letter or digit (it names containers and volumes)`,
            );
        }
        if (!isAddress(h.address)) {
            problems.push(
                `${h.where}.address '${h.address}' is neither an IP address nor a host name: use e.g. 192.0.2.10 or pi1.lan`,
            );
        }
    }
    const rejectRepeated = (field: "name" | "address") => {
        const firstUse = new Map<string, string>();
        for (const h of hosts) {
            const value = field === "address" ? h.address.toLowerCase() : h.name;
            const first = firstUse.get(value);
            if (first)
                problems.push(
                    `${h.where}.${field} '${h[field]}' is already used by ${first}: every host needs its own ${field}; ${field === "name" ? "rename one of them" : "fix the address, or remove the host listed twice"}`,
                );
            else firstUse.set(value, h.where);
        }
    };
    rejectRepeated("name");
    // On the local target every "host" is the same machine.
    if (target === "ssh") rejectRepeated("address");
}

/** Reads a key that must be stored encrypted; a plaintext one is a problem. */
function secretValue(raw: RawConfig, k: SecretKey, problems: string[]): string | undefined {
    const v = raw.values[k];
    if (v !== undefined && !raw.secretKeys.has(k)) {
        problems.push(
            `${key(k)} is stored in plaintext: store it encrypted with 'pulumi config set --secret ${k} ...' (and remove the plaintext value from Pulumi.${raw.stack}.yaml and git history)`,
        );
    }
    return v;
}

function checkSsh(
    raw: RawConfig,
    parsed: Parsed,
    target: ValidatedConfig["target"],
    problems: string[],
): ValidatedConfig["ssh"] {
    const privateKey = secretValue(raw, "sshPrivateKey", problems);
    if (target !== "ssh") return undefined;
    const user = parsed.sshUser;
    if (!user)
        problems.push(
            `${key("sshUser")} is ${user === "" ? "empty" : "missing"}: the ssh target needs the login user of every host, e.g. 'pulumi config set sshUser picocluster'`,
        );
    if (privateKey === undefined) {
        problems.push(
            `${key("sshPrivateKey")} is missing: the ssh target needs the operator's private key as a secret: 'pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519'`,
        );
    }
    return user && privateKey !== undefined ? { user, privateKey } : undefined;
}

/** MinIO's root credentials: its defaults only on the local target, never echoed in a message. */
function checkMinio(raw: RawConfig, target: ValidatedConfig["target"], problems: string[]): ValidatedConfig["minio"] {
    const given = {
        rootUser: secretValue(raw, "minioRootUser", problems),
        rootPassword: secretValue(raw, "minioRootPassword", problems),
    };
    if (target === "local") {
        return {
            rootUser: given.rootUser ?? MINIO_DEFAULT_CREDENTIALS.user,
            rootPassword: given.rootPassword ?? MINIO_DEFAULT_CREDENTIALS.password,
        };
    }
    for (const [k, v, d] of [
        ["minioRootUser", given.rootUser, MINIO_DEFAULT_CREDENTIALS.user],
        ["minioRootPassword", given.rootPassword, MINIO_DEFAULT_CREDENTIALS.password],
    ] as const) {
        if (v === undefined) {
            problems.push(
                `${key(k)} is missing: stack '${raw.stack}' is not local, so MinIO needs its own root credentials: 'pulumi config set --secret ${k} <value>'`,
            );
        } else if (v === d) {
            problems.push(
                `${key(k)} is MinIO's well-known default: it is allowed only on the local target; choose another with 'pulumi config set --secret ${k} <value>'`,
            );
        }
    }
    return { rootUser: given.rootUser ?? "", rootPassword: given.rootPassword ?? "" };
}

function checkMinioLengths(minio: ValidatedConfig["minio"], problems: string[]): void {
    if (minio.rootUser.length > 0 && minio.rootUser.length < MINIO_MIN_USER_LENGTH) {
        problems.push(
            `${key("minioRootUser")} is shorter than ${MINIO_MIN_USER_LENGTH} characters, which MinIO refuses at start-up: choose a longer one`,
        );
    }
    if (minio.rootPassword.length > 0 && minio.rootPassword.length < MINIO_MIN_PASSWORD_LENGTH) {
        problems.push(
            `${key("minioRootPassword")} is shorter than ${MINIO_MIN_PASSWORD_LENGTH} characters, which MinIO refuses at start-up: choose a longer one`,
        );
    }
}

/**
 * The settings both engines share, under `cluster`, or under its first name `arroyo` with a note
 * to rename it (a stack written before Flink keeps working, unchanged). Both at once is refused:
 * which one was meant cannot be told. Undefined where the key's value was invalid (its problem is
 * recorded).
 */
function clusterSettings(
    raw: RawConfig,
    parsed: Parsed,
    problems: string[],
    notices: string[],
): (z.output<typeof clusterSchema> & { from: "cluster" | "arroyo" }) | undefined {
    const given = (k: string) => raw.values[k] !== undefined;
    if (given("cluster") && given("arroyo")) {
        problems.push(
            `${key("arroyo")} and ${key("cluster")} are both set: 'arroyo' is the first name of 'cluster'; keep the settings under cluster and remove the other with 'pulumi config rm arroyo'`,
        );
        return undefined;
    }
    if (given("arroyo")) {
        if (!parsed.arroyo) return undefined;
        notices.push(
            `${key("arroyo")} is now named ${key("cluster")} (both engines use these settings): read as cluster; rename the key in Pulumi.${raw.stack}.yaml`,
        );
        return { ...parsed.arroyo, from: "arroyo" };
    }
    if (given("cluster") && !parsed.cluster) return undefined;
    return { ...(parsed.cluster ?? clusterSchema.parse({})), from: "cluster" };
}

/**
 * Validates a stack's config once, before any resource is declared. Collects every problem
 * (not only the first) so a user fixes a config in one round.
 */
export function parseClusterConfig(raw: RawConfig): ValidatedConfig {
    const problems: string[] = [];
    const parsed = parseKeys(raw, problems);
    const target = parsed.target ?? DEFAULTS.target;
    const { controller, kafka, buckets } = parsed;
    const notices: string[] = [];
    const cluster = clusterSettings(raw, parsed, problems, notices);

    if (parsed.workers?.length === 0) {
        problems.push(`${key("workers")} is empty: a cluster needs at least one worker; ${HINTS.workers}`);
    }
    checkHosts(
        [
            ...(controller ? [{ ...controller, where: key("controller") }] : []),
            ...(parsed.workers ?? []).map((w, i) => ({ ...w, where: `${key("workers")}[${i}]` })),
        ],
        target,
        problems,
    );

    const workers: WorkerSpec[] = (parsed.workers ?? []).map((w) => ({
        name: w.name,
        address: w.address,
        sshPort: w.sshPort ?? DEFAULTS.sshPort,
        ...(w.hostKey ? { hostKey: w.hostKey } : {}),
        taskSlots: w.taskSlots ?? cluster?.taskSlotsPerWorker ?? DEFAULTS.taskSlotsPerWorker,
    }));
    const totalSlots = workers.reduce((sum, w) => sum + w.taskSlots, 0);

    if (cluster && cluster.memoryPerSlotMb < MIN_MEMORY_PER_SLOT_MB) {
        problems.push(
            `${key(cluster.from)}.memoryPerSlotMb is ${cluster.memoryPerSlotMb}: Arroyo needs at least ${MIN_MEMORY_PER_SLOT_MB} MB per task slot; raise it, or lower cluster.taskSlotsPerWorker to give each slot more of the Pi's memory`,
        );
    }
    const engine = parsed.engine ?? DEFAULT_ENGINE;
    if (engine === "flink" && cluster) {
        const small = workers.filter((w) => w.taskSlots * cluster.memoryPerSlotMb < FLINK_MIN_TASKMANAGER_MB);
        if (small.length) {
            problems.push(
                `${key("engine")} is flink, and the TaskManager of ${small.map((w) => w.name).join(", ")} would get ${small.map((w) => w.taskSlots * cluster.memoryPerSlotMb).join(", ")} MB (taskSlots x cluster.memoryPerSlotMb), below the ${FLINK_MIN_TASKMANAGER_MB} MB Flink's default memory settings need to start (metaspace, overhead, framework and network memory before any task heap): ` +
                    `raise cluster.memoryPerSlotMb to at least ${Math.ceil(FLINK_MIN_TASKMANAGER_MB / Math.min(...small.map((w) => w.taskSlots)))}, e.g. 'pulumi config set --path cluster.memoryPerSlotMb 1024', or give those workers more taskSlots`,
            );
        }
    }
    if (kafka?.partitions !== undefined && totalSlots > 0 && kafka.partitions < totalSlots) {
        problems.push(
            `${key("kafka")}.partitions is ${kafka.partitions} but the workers have ${totalSlots} task slots in all: every slot needs a partition to read, so set kafka.partitions to at least ${totalSlots} (or remove it to default to ${totalSlots})`,
        );
    }
    if (buckets && buckets.results === buckets.checkpoints) {
        problems.push(
            `${key("buckets")}.results is the checkpoint bucket '${buckets.checkpoints}': query output must not land among Arroyo's checkpoints; set buckets.results to another bucket, e.g. 'pulumi config set --path buckets.results nexmark-results'`,
        );
    }
    for (const [role, bucket] of buckets
        ? ([
              ["checkpoint", buckets.checkpoints],
              ["results", buckets.results],
          ] as const)
        : []) {
        if (buckets?.extra.includes(bucket))
            problems.push(
                `${key("buckets")}.extra repeats the ${role} bucket '${bucket}': list only the other buckets there`,
            );
    }

    const ssh = checkSsh(raw, parsed, target, problems);
    const minio = checkMinio(raw, target, problems);
    checkMinioLengths(minio, problems);

    if (
        problems.length > 0 ||
        !controller ||
        !cluster ||
        !kafka ||
        !buckets ||
        !parsed.images ||
        parsed.retainData === undefined
    ) {
        throw new ConfigError(problems);
    }
    return {
        stack: raw.stack,
        target,
        controller: {
            name: controller.name,
            address: controller.address,
            sshPort: controller.sshPort ?? DEFAULTS.sshPort,
            ...(controller.hostKey ? { hostKey: controller.hostKey } : {}),
        },
        workers,
        ...(ssh ? { ssh } : {}),
        dockerInstallCommand: parsed.dockerInstallCommand ?? DEFAULTS.dockerInstallCommand,
        localDockerHost: parsed.localDockerHost ?? DEFAULTS.localDockerHost,
        engine,
        images: parsed.images,
        cluster: {
            memoryPerSlotMb: cluster.memoryPerSlotMb,
            checkpointIntervalSeconds: cluster.checkpointIntervalSeconds,
            ...(cluster.cpusPerWorker !== undefined ? { cpusPerWorker: cluster.cpusPerWorker } : {}),
        },
        notices,
        kafka: { heapMb: kafka.heapMb, partitions: kafka.partitions ?? totalSlots },
        buckets,
        minio,
        hosts: parsed.hosts ?? { allowNoMemoryLimit: false },
        flink: parsed.flink ?? { profile: "pi", prometheusReporter: false },
        piTuning: parsed.piTuning ?? false,
        retainData: parsed.retainData,
        totalSlots,
    };
}
