// Every port, image, version and default of the cluster, defined once. Components and the
// benchmark read these; nothing else spells a port number or an image tag.

/** The Pulumi project name, which is also the config namespace (`arroyo-pi:<key>`). */
export const PROJECT = "arroyo-pi";

/** The stream processors the cluster can run and the benchmark can drive (config key `engine`). */
export const ENGINES = ["arroyo", "flink"] as const;
export type EngineName = (typeof ENGINES)[number];

/**
 * Flink's profiles (components/flink/settings.ts). `pi`: sized for a 4 GB Pi and a benchmark that
 * must notice a lost Pi (the default). `nexmark`: `pi` plus nexmark/nexmark's Flink settings
 * (nexmark-flink/src/main/resources/conf/config.yaml: local recovery, exactly-once checkpoints,
 * mini-batch of 50,000 rows or 2 s, distinct aggregates split), so that figures can be set beside
 * published Nexmark-on-Flink numbers.
 */
export const FLINK_PROFILES = ["pi", "nexmark"] as const;
export type FlinkProfile = (typeof FLINK_PROFILES)[number];

/** An engine's own settings as the stack outputs and results record them: names and plain values. */
export type EngineSettings = Record<string, string | number | boolean>;

/** How the stack runs Flink (config key `flink`). */
export interface FlinkSettingsOptions {
    profile: FlinkProfile;
    /** Flink's Prometheus reporter on every Flink process, from FLINK_PORTS.prometheus. */
    prometheusReporter: boolean;
}

/** What a stack runs when its config names no engine (and what stacks deployed before `engine` existed run). */
export const DEFAULT_ENGINE: EngineName = "arroyo";
/** The stack outputs that hold each engine's APIs (stacks/outputs.ts); its deployment exports exactly these. */
export const ENGINE_ENDPOINT_OUTPUTS = {
    arroyo: ["arroyoApiUrl"],
    flink: ["flinkRestUrl", "flinkSqlGatewayUrl"],
} as const satisfies Record<EngineName, readonly string[]>;
export const ENGINE_LABELS: Record<EngineName, string> = { arroyo: "Arroyo", flink: "Flink" };

import versions from "./versions.json";

/**
 * Arroyo, Kafka and MinIO versions of the cluster's images. JSON so the toolchain reads the same
 * Kafka version for the broker the tests start. MinIO stopped publishing community images in late
 * 2025; its tag is the last one published.
 */
export const VERSIONS: Readonly<typeof versions> = versions;

export const DEFAULT_IMAGES = {
    arroyo: `ghcr.io/arroyosystems/arroyo:${VERSIONS.arroyo}`,
    kafka: `apache/kafka:${VERSIONS.kafka}`,
    minio: `minio/minio:${VERSIONS.minio}`,
    /** The official image, multi-arch (amd64, arm64); Flink's S3 plugins ship in its opt/, the Kafka SQL connector does not. */
    flink: `flink:${VERSIONS.flink}-java17`,
} as const;

/** Flink's ports: the JobManager's REST API, RPC and blob server, the SQL Gateway's REST API, a TaskManager's RPC and data ports. */
export const FLINK_PORTS = {
    rest: 8081,
    rpc: 6123,
    blob: 6124,
    gateway: 8083,
    taskManagerRpc: 6122,
    taskManagerData: 6121,
    /** Flink's Prometheus reporter, where it is switched on (flink.prometheusReporter): the first of three. */
    prometheus: 9249,
} as const;

/**
 * The smallest TaskManager process Flink 2.2 starts with its default memory settings: JVM
 * metaspace 256 MB and overhead at least 192 MB, framework heap and off-heap 128 MB each, network
 * at least 64 MB and managed memory 40% of the rest leave no task heap below ~982 MB (Flink's
 * BashJavaUtils refuses 960 MB, takes 992 MB). Rounded up.
 */
export const FLINK_MIN_TASKMANAGER_MB = 1024;

/** The JobManager's and the SQL Gateway's memory on the controller: process size, and the gateway's container limit. */
export const FLINK_CONTROLLER_MB = { jobManager: 1024, sqlGateway: 768 } as const;

/** Arroyo's fixed ports since 0.11 (the seed's 8000/8001/9190 were docker port maps onto these). */
export const ARROYO_PORTS = {
    admin: 5114,
    api: 5115,
    controller: 5116,
    compiler: 5117,
    node: 5118,
} as const;

export const KAFKA_PORTS = {
    /** Clients outside the cluster's Docker network: the deployer and the benchmark. */
    client: 9092,
    /** KRaft controller quorum, bound to the broker's loopback only (single node). */
    controller: 9093,
    /** Clients inside the cluster: Arroyo's sources and sinks. */
    cluster: 9094,
    /** Inter-broker traffic of the single node, loopback only. */
    broker: 19092,
} as const;

export const MINIO_PORTS = {
    api: 9000,
    console: 9001,
} as const;

export const NEXMARK_TOPICS = {
    person: "nexmark-person",
    auction: "nexmark-auction",
    bid: "nexmark-bid",
} as const;

/** Where the containers keep their state; each of these is a named Docker volume. */
export const DATA_PATHS = {
    kafka: "/var/lib/kafka/data",
    minio: "/data",
    arroyo: "/var/lib/arroyo",
} as const;

/**
 * Arroyo has no memory setting of its own (the seed's ARROYO__MEMORY_PER_SLOT_MB does nothing);
 * a node's container limit is slots x this. The floor is a guard against limits that cannot
 * hold one worker process (its runtime, query planner and Kafka client buffers), chosen
 * conservatively rather than measured on a Pi.
 */
export const MIN_MEMORY_PER_SLOT_MB = 256;

/** MinIO refuses shorter root credentials at start-up. */
export const MINIO_MIN_USER_LENGTH = 3;
export const MINIO_MIN_PASSWORD_LENGTH = 8;

/** MinIO's well-known defaults: accepted on the local stack only. */
export const MINIO_DEFAULT_CREDENTIALS = { user: "minioadmin", password: "minioadmin" } as const;

/** Region Arroyo's S3 client signs with; MinIO accepts any, Arroyo insists one is set. */
export const S3_REGION = "us-east-1";

/** The dedicated MinIO user Arroyo runs as (never the root user). */
export const ARROYO_MINIO_USER = "arroyo";

/** The dedicated MinIO user Flink runs as: its checkpoints' prefix only. */
export const FLINK_MINIO_USER = "flink";

export const DEFAULTS = {
    target: "ssh",
    sshPort: 22,
    localDockerHost: "unix:///var/run/docker.sock",
    // The seed's install step, for Raspberry Pi OS. Only runs where `docker` is missing.
    dockerInstallCommand: "curl -fsSL https://get.docker.com | sh",
    taskSlotsPerWorker: 1,
    memoryPerSlotMb: 768,
    checkpointIntervalSeconds: 10,
    kafkaHeapMb: 512,
    checkpointBucket: "arroyo",
    /** Where queries that write files (q10) put them: Arroyo may write there, not read or delete. */
    resultsBucket: "nexmark-results",
    extraBuckets: [] as string[],
    retainData: true,
} as const;
