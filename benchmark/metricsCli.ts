// npm run metrics -- [--stack local] (--once | --watch [--interval S]) [-o file.json]
// Samples the running cluster: Arroyo's pipelines, their jobs' states and operator rates, and
// CPU and memory of the stack's containers on every host.
import * as fs from "fs";
import { Command } from "commander";
import { ArroyoClient } from "./engines/arroyo/client";
import { arroyoApiUrlOf } from "./engines";
import { positiveNumber } from "./cliOptions";
import { sampleHosts, HostSample } from "./metrics/hosts";
import { sourceNodeIds, summedRawRate } from "./engines/arroyo/metrics";
import { loadStackOutputs } from "./stackOutputs";
import { ClusterOutputs } from "../stacks/outputs";

export interface ClusterSample {
    time: string;
    pipelines: {
        id: string;
        name: string;
        jobState: string | null;
        failure: string | null;
        sourceRate: number | null;
    }[];
    hosts: HostSample[] | { error: string };
}

export async function sampleCluster(
    outputs: ClusterOutputs,
    client: ArroyoClient,
    hostMetrics = true,
): Promise<ClusterSample> {
    const pipelines = await Promise.all(
        (await client.listPipelines()).map(async (p) => {
            const job = (await client.jobs(p.id))[0];
            let sourceRate: number | null = null;
            if (job?.state === "Running") {
                // A source's throughput is its messages_sent (a source has no input queue); the last
                // collection's rate as Arroyo measured it (its EWMA undone, benchmark/arroyo/metrics.ts).
                const series = summedRawRate(
                    await client.operatorMetrics(p.id, job.id),
                    sourceNodeIds(p.graph),
                    "messages_sent",
                );
                sourceRate = series.length ? series[series.length - 1].value : null;
            }
            return {
                id: p.id,
                name: p.name,
                jobState: job?.state ?? null,
                failure: job?.failure_message ?? null,
                sourceRate,
            };
        }),
    );
    const hosts = hostMetrics
        ? await sampleHosts(outputs).catch((err: Error) => ({ error: err.message }))
        : { error: "disabled" };
    return { time: new Date().toISOString(), pipelines, hosts };
}

function describe(s: ClusterSample): string {
    const p = s.pipelines.length
        ? s.pipelines
              .map(
                  (x) =>
                      `${x.name} ${x.jobState ?? "no job"}${x.sourceRate !== null ? ` ${Math.round(x.sourceRate)} ev/s` : ""}`,
              )
              .join(", ")
        : "no pipelines";
    const h = Array.isArray(s.hosts)
        ? s.hosts
              .map((x) => `${x.host} ${x.cpuCores.toFixed(2)} cores ${(x.memoryBytes / 1024 ** 2).toFixed(0)} MiB`)
              .join(", ")
        : `hosts: ${s.hosts.error}`;
    return `${s.time}  ${p}  |  ${h}`;
}

export async function main(argv: string[]): Promise<void> {
    const cmd = new Command("metrics")
        .description("Sample the running cluster: pipelines, job states, source rates, host CPU and memory")
        .option("--stack <name>", "Pulumi stack whose outputs name the cluster", "local")
        .option("--outputs-file <file>", "read the stack outputs from this file")
        .option("--once", "take one sample and exit")
        .option("--watch", "sample until interrupted")
        .option("--interval <seconds>", "seconds between samples with --watch", positiveNumber("--interval"), 5)
        .option("-o, --output <file>", "also write the samples to this JSON file")
        .option("--no-host-metrics", "do not sample the hosts' Docker engines")
        .showHelpAfterError();
    cmd.parse(argv);
    const o = cmd.opts<{
        stack: string;
        outputsFile?: string;
        once?: boolean;
        watch?: boolean;
        interval: number;
        output?: string;
        hostMetrics: boolean;
    }>();
    if (o.once && o.watch) cmd.error("error: choose one of --once and --watch", { exitCode: 2 });

    const outputs = await loadStackOutputs({
        stack: o.stack,
        ...(o.outputsFile ? { outputsFile: o.outputsFile } : {}),
    }).catch((err: Error) => cmd.error(`error: ${err.message}`, { exitCode: 2 }));
    let apiUrl: string;
    try {
        apiUrl = arroyoApiUrlOf(outputs, "npm run metrics");
    } catch (err) {
        return cmd.error(`error: ${(err as Error).message}`, { exitCode: 2 });
    }
    const client = new ArroyoClient({ baseUrl: apiUrl });
    const samples: ClusterSample[] = [];
    const record = async () => {
        const s = await sampleCluster(outputs, client, o.hostMetrics);
        samples.push(s);
        console.log(describe(s));
        if (o.output) fs.writeFileSync(o.output, JSON.stringify(samples, null, 2) + "\n");
    };
    await record();
    if (!o.watch) return;
    await new Promise<void>((resolve) => {
        const timer = setInterval(
            () => void record().catch((err: Error) => console.error(`sample failed: ${err.message}`)),
            o.interval * 1000,
        );
        process.once("SIGINT", () => {
            clearInterval(timer);
            resolve();
        });
    });
}

if (require.main === module) {
    main(process.argv).catch((err: Error) => {
        console.error(`metrics failed: ${err.message}`);
        process.exit(1);
    });
}
