// Starts a real single-node Apache Kafka broker (KRaft) from the toolchain's Maven jars, on
// loopback ports chosen by the OS, in a temporary directory. For tests and benchmarks only.
import { ChildProcess, execFile, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { Kafka, logLevel } from "kafkajs";
import { kafkaAnswers, waitFor } from "../probes/waitFor";
import { freePort } from "./net";
import { createTopicsAndWait } from "../benchmark/kafka/admin";
import { KAFKA_VERSION, kafkaHome } from "./paths";

/** The toolchain's classpath, or a clear error saying how to get it. */
export function kafkaClasspath(): string {
    const home = kafkaHome();
    if (!fs.existsSync(path.join(home, ".complete"))) {
        throw new Error(
            `Kafka ${KAFKA_VERSION} jars are not in ${home}: run 'toolchain/run.sh kafka' (or 'npm run toolchain') first`,
        );
    }
    return `${path.join(home, "libs")}/*`;
}

export interface RunningBroker {
    bootstrapServers: string;
    dataDir: string;
    /** The broker's JVM, for measuring its CPU. */
    pid: number;
    /** Output the broker printed (warnings and errors), for failure messages. */
    output(): string;
    stop(): Promise<void>;
}

export interface BrokerOptions {
    heapMb?: number;
    /** How often the broker applies time retention (log.retention.check.interval.ms; Kafka's 5 min if unset). */
    retentionCheckMs?: number;
    /** Topics to create once the broker answers: name -> partitions. */
    topics?: Record<string, number>;
}

export async function startKafkaBroker(opts: BrokerOptions = {}): Promise<RunningBroker> {
    const classpath = kafkaClasspath();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-kafka-"));
    const [port, controllerPort] = [await freePort(), await freePort()];
    const props = [
        "process.roles=broker,controller",
        "node.id=1",
        `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
        `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        `log.dirs=${path.join(dir, "data")}`,
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        ...(opts.retentionCheckMs !== undefined ? [`log.retention.check.interval.ms=${opts.retentionCheckMs}`] : []),
    ];
    const config = path.join(dir, "server.properties");
    fs.writeFileSync(config, props.join("\n") + "\n");
    const log4j = `-Dlog4j2.configurationFile=${path.join(kafkaHome(), "log4j2.properties")}`;
    await promisify(execFile)("java", [
        log4j,
        "-cp",
        classpath,
        "kafka.tools.StorageTool",
        "format",
        "-t",
        "YXJyb3lvLXBpLWthZmthAA",
        "-c",
        config,
    ]);

    let output = "";
    const child: ChildProcess = spawn(
        "java",
        [`-Xmx${opts.heapMb ?? 512}m`, log4j, "-cp", classpath, "kafka.Kafka", config],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (d) => (output = (output + d.toString()).slice(-20_000)));
    child.stderr?.on("data", (d) => (output = (output + d.toString()).slice(-20_000)));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));

    const bootstrapServers = `127.0.0.1:${port}`;
    const stop = async () => {
        if (child.exitCode === null) {
            child.kill("SIGTERM");
            const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
            await exited;
            clearTimeout(timer);
        }
        fs.rmSync(dir, { recursive: true, force: true });
    };
    try {
        await Promise.race([
            waitFor(`Kafka at ${bootstrapServers}`, () => kafkaAnswers(bootstrapServers), {
                timeoutMs: 60_000,
                intervalMs: 500,
            }),
            exited.then((code) => {
                throw new Error(`the Kafka broker exited with code ${code} before it answered:\n${output}`);
            }),
        ]);
        if (opts.topics) await createTopics(bootstrapServers, opts.topics);
    } catch (err) {
        await stop();
        throw err;
    }
    return { bootstrapServers, dataDir: dir, pid: child.pid as number, output: () => output, stop };
}

/** Creates topics and waits until each partition has a leader. */
export async function createTopics(bootstrapServers: string, topics: Record<string, number>): Promise<void> {
    const admin = new Kafka({
        clientId: "arroyo-pi-test-admin",
        brokers: bootstrapServers.split(","),
        logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
        await createTopicsAndWait(
            admin,
            Object.entries(topics).map(([topic, numPartitions]) => ({ topic, numPartitions })),
        );
    } finally {
        await admin.disconnect();
    }
}
