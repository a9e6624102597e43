import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT, VERSIONS } from "../config/defaults";
import pkg from "../package.json";

export const REPO_ROOT = path.resolve(__dirname, "..");

/** Where toolchain/run.sh caches what it builds or fetches (ARROYO_PI_CACHE overrides). */
export function cacheDir(): string {
    return process.env.ARROYO_PI_CACHE ?? path.join(os.homedir(), ".cache", PROJECT);
}

/** The Pulumi CLI is built at the version of the @pulumi/pulumi SDK the program uses. */
export const PULUMI_VERSION: string = pkg.dependencies["@pulumi/pulumi"];

/** The test broker runs the Kafka version of the cluster's image. */
export const KAFKA_VERSION: string = VERSIONS.kafka;

/** The state `npm run deploy` keeps where PULUMI_BACKEND_URL names none: a file backend of this project's own. */
export function defaultBackendUrl(): string {
    return `file://${path.join(os.homedir(), `.pulumi-${PROJECT}`)}`;
}

export function pulumiRoot(): string {
    return path.join(cacheDir(), `pulumi-${PULUMI_VERSION}`);
}

/**
 * What every Pulumi CLI this project runs (deploy, bench, ssh:bootstrap) is given, so that the
 * bench finds the stack `npm run up` deployed with no exports: the state where `npm run deploy`
 * keeps it unless PULUMI_BACKEND_URL names another, and an empty passphrase (the local stack's)
 * unless one is given.
 */
export function pulumiSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
    const given = env.PULUMI_CONFIG_PASSPHRASE !== undefined || env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
    return {
        PULUMI_BACKEND_URL: env.PULUMI_BACKEND_URL ?? defaultBackendUrl(),
        ...(given ? {} : { PULUMI_CONFIG_PASSPHRASE: "" }),
        PULUMI_SKIP_UPDATE_CHECK: "1",
    };
}

/** The environment of a `pulumi` child process: pulumiSettings, and the toolchain's CLI first on PATH where it was built. */
export function pulumiEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    const bin = path.join(pulumiRoot(), "bin");
    const withCli = fs.existsSync(path.join(bin, "pulumi"))
        ? { PATH: [bin, env.PATH].filter(Boolean).join(path.delimiter) }
        : {};
    return { ...env, ...pulumiSettings(env), ...withCli };
}

/** Flink's jars (session cluster and Kafka SQL connector), keyed by both versions and the jar set (toolchain/flink/pom.xml), as toolchain/run.sh keys them. */
export function flinkHome(): string {
    const pom = crypto
        .createHash("sha256")
        .update(fs.readFileSync(path.join(REPO_ROOT, "toolchain", "flink", "pom.xml")))
        .digest("hex")
        .slice(0, 8);
    return path.join(cacheDir(), `flink-${VERSIONS.flink}-kafka-${VERSIONS.flinkKafkaConnector}-${pom}`);
}

/** Flink's Kafka SQL connector jar for the deployment (`toolchain/run.sh flink-connector`). */
export function flinkConnectorJar(): string {
    return path.join(
        cacheDir(),
        `flink-connector-${VERSIONS.flinkKafkaConnector}`,
        `flink-sql-connector-kafka-${VERSIONS.flinkKafkaConnector}.jar`,
    );
}

export function kafkaHome(): string {
    return path.join(cacheDir(), `kafka-${KAFKA_VERSION}`);
}

/** Confluent's Kafka client for the load, as toolchain/kafka-javascript/package.json pins it. */
export const KAFKA_JAVASCRIPT_PACKAGE = "@confluentinc/kafka-javascript";
export const KAFKA_JAVASCRIPT_VERSION: string = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "toolchain", "kafka-javascript", "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
    }
).dependencies[KAFKA_JAVASCRIPT_PACKAGE];

/** Where toolchain/run.sh builds it: native code, so keyed by Node's module ABI as well. */
export function kafkaJavascriptHome(): string {
    return path.join(cacheDir(), `kafka-javascript-${KAFKA_JAVASCRIPT_VERSION}-node${process.versions.modules}`);
}
