// Waits until a service answers, for the deployment's readiness steps:
//   node -r ts-node/register/transpile-only probes/cli.ts http <url> [--timeout S]
//   node -r ts-node/register/transpile-only probes/cli.ts kafka <host:port,...> [--timeout S]
import { Command, InvalidArgumentError } from "commander";
import { httpAnswers, kafkaAnswers, waitFor } from "./waitFor";

function seconds(value: string): number {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("--timeout takes a positive number of seconds");
    return n;
}

// Not ready until a check said so: whatever ends this process early (a settled-nothing promise,
// an uncaught error) exits non-zero, so a gate can never pass having checked nothing.
process.exitCode = 1;

const program = new Command("probe").description("wait until a service answers").showHelpAfterError();

program
    .command("http <url>")
    .option("--timeout <seconds>", "give up after this long", seconds, 300)
    .action(async (url: string, o: { timeout: number }) => {
        const status = await waitFor(url, () => httpAnswers(url), { timeoutMs: o.timeout * 1000 });
        console.log(`${url} ready (HTTP ${status})`);
        process.exitCode = 0;
    });

program
    .command("kafka <bootstrapServers>")
    .option("--timeout <seconds>", "give up after this long", seconds, 300)
    .action(async (servers: string, o: { timeout: number }) => {
        const clusterId = await waitFor(`Kafka at ${servers}`, () => kafkaAnswers(servers), {
            timeoutMs: o.timeout * 1000,
        });
        console.log(`Kafka at ${servers} ready (cluster ${clusterId})`);
        process.exitCode = 0;
    });

program.parseAsync(process.argv).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
});
