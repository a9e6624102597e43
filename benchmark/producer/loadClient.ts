// Which Kafka client carries the load. kafkajs (pure JavaScript) is the client for everything else;
// the load alone may go through Confluent's librdkafka-based client, which sent the same records
// at 3x kafkajs' rate for 0.36x its CPU per event here (npm run perf:generator). It is native code
// built once by `toolchain/run.sh kafka-javascript`; where that build is missing the load falls
// back to kafkajs, and the results say so.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { KAFKA_JAVASCRIPT_PACKAGE as PACKAGE, kafkaJavascriptHome } from "../../toolchain/paths";

/**
 * `auto` (the default): Confluent's where it is built, else kafkajs, and the results say why;
 * `confluent` / `kafkajs`: that one, or an error. Confluent's keeps the load on schedule on a
 * loaded machine as kafkajs does once its produce requests in flight are bounded (senders.ts);
 * perf:generator measures both.
 */
export type LoadClientChoice = "auto" | "kafkajs" | "confluent";
export const LOAD_CLIENT_CHOICES: readonly LoadClientChoice[] = ["auto", "kafkajs", "confluent"];
export const DEFAULT_LOAD_CLIENT: LoadClientChoice = "auto";

export type LoadClient =
    | { kind: "confluent"; modulePath: string; description: string }
    | { kind: "kafkajs"; description: string; /** Why not the fast client, when it was wanted. */ fallback?: string };

function kafkajsVersion(): string {
    return (JSON.parse(fs.readFileSync(require.resolve("kafkajs/package.json"), "utf8")) as { version: string })
        .version;
}

/**
 * Finds the load client. A build that exists but does not load (a Node upgrade, a missing shared
 * library) counts as absent, with its error as the reason.
 */
export function resolveLoadClient(
    choice: LoadClientChoice = DEFAULT_LOAD_CLIENT,
    buildDir = kafkaJavascriptHome(),
): LoadClient {
    const kafkajs = (fallback?: string): LoadClient => ({
        kind: "kafkajs",
        description: `kafkajs ${kafkajsVersion()}`,
        ...(fallback ? { fallback } : {}),
    });
    if (choice === "kafkajs") return kafkajs();
    const complete = fs.existsSync(path.join(buildDir, ".complete"));
    const modulePath = path.join(buildDir, "node_modules", PACKAGE);
    let why: string;
    if (!complete) {
        why = `Confluent's Kafka client is not built (no ${buildDir}): run 'toolchain/run.sh kafka-javascript'`;
    } else {
        try {
            // Loaded in a throwaway process: the addon loads once per process, and that belongs
            // to the producer process that sends with it (worker.ts).
            const librdkafka = execFileSync(
                process.execPath,
                ["-e", `process.stdout.write(require(${JSON.stringify(modulePath)}).librdkafkaVersion)`],
                { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
            );
            const version = (
                JSON.parse(fs.readFileSync(path.join(modulePath, "package.json"), "utf8")) as { version: string }
            ).version;
            return { kind: "confluent", modulePath, description: `${PACKAGE} ${version} (librdkafka ${librdkafka})` };
        } catch (err) {
            const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message);
            const line = stderr.split("\n").find((l) => /Error/.test(l)) ?? stderr.split("\n")[0];
            why = `Confluent's Kafka client in ${buildDir} does not load (${line.trim()}): rebuild it with 'rm -rf ${buildDir} && toolchain/run.sh kafka-javascript'`;
        }
    }
    if (choice === "confluent") throw new Error(`--load-client confluent: ${why}`);
    return kafkajs(why);
}

/**
 * Builds Confluent's client where a run will want it and it is not built yet (once, cached; the
 * step is optional and ends in one line where it cannot build). Called once the flags are known
 * to be good, so `--help`, `--list-queries` and a refused flag never wait for a native build.
 */
export function ensureLoadClientBuilt(
    choice: LoadClientChoice,
    buildDir = kafkaJavascriptHome(),
    log: (line: string) => void = console.log,
): void {
    if (choice === "kafkajs" || fs.existsSync(path.join(buildDir, ".complete"))) return;
    log(
        `building Confluent's Kafka client for the load first (once, cached in ${buildDir}; --load-client kafkajs skips it)`,
    );
    const script = path.resolve(__dirname, "../../toolchain/run.sh");
    const r = spawnSync(script, ["kafka-javascript"], { stdio: ["ignore", "inherit", "inherit"] });
    if (r.error) log(`could not run ${script}: ${r.error.message}`);
}

/** How results record the client: its description, and why kafkajs carried the load when another was wanted. */
export function clientRecord(client: LoadClient): { client: string; clientFallback?: string } {
    return {
        client: client.description,
        ...(client.kind === "kafkajs" && client.fallback ? { clientFallback: client.fallback } : {}),
    };
}
