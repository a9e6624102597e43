// npm run up | preview | down [-- --stack local] [--refresh]
// Runs this Pulumi program through the Automation API with the program inline, so it needs only
// the `pulumi` CLI (plus the resource plugins), not Pulumi's Node.js language host: the same
// program `pulumi up` runs, on machines where only the CLI could be built.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command } from "commander";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { PROJECT } from "../config/defaults";
import { clusterProgram } from "../stacks/program";
import { pulumiRoot, REPO_ROOT } from "../toolchain/paths";


/** `pulumi` from the toolchain's cache when it is there, else from PATH. */
async function pulumiCommand(): Promise<PulumiCommand> {
    const root = pulumiRoot();
    try {
        return await PulumiCommand.get(fs.existsSync(path.join(root, "bin", "pulumi")) ? { root } : {});
    } catch (err) {
        throw new Error(`no usable Pulumi CLI (${(err as Error).message}): install it, or build it with 'npm run toolchain -- pulumi'`);
    }
}

export async function main(argv: string[]): Promise<void> {
    const cmd = new Command("deploy")
        .argument("<action>", "up, preview, destroy or outputs")
        .option("--stack <name>", "stack to deploy", "local")
        .option("--work-dir <dir>", "directory with Pulumi.yaml and Pulumi.<stack>.yaml", REPO_ROOT)
        .option("--refresh", "refresh state from the hosts before the operation", false)
        .showHelpAfterError();
    cmd.parse(argv);
    const action = cmd.args[0];
    const o = cmd.opts<{ stack: string; workDir: string; refresh: boolean }>();
    if (!["up", "preview", "destroy", "outputs"].includes(action)) cmd.error(`error: unknown action '${action}': use up, preview, destroy or outputs`, { exitCode: 2 });

    const backend = process.env.PULUMI_BACKEND_URL ?? `file://${path.join(os.homedir(), ".pulumi-arroyo-pi")}`;
    if (backend.startsWith("file://")) fs.mkdirSync(backend.slice("file://".length), { recursive: true });
    const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: o.stack, projectName: PROJECT, program: async () => clusterProgram() },
        {
            workDir: o.workDir,
            pulumiCommand: await pulumiCommand(),
            envVars: {
                PULUMI_BACKEND_URL: backend,
                PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
                PULUMI_SKIP_UPDATE_CHECK: "1",
            },
        },
    );
    const onOutput = (out: string) => process.stdout.write(out);
    if (o.refresh && action !== "outputs") await stack.refresh({ onOutput });
    // One machine-readable line per operation, for scripts and tests: what changed, by kind.
    switch (action) {
        case "preview": {
            const result = await stack.preview({ onOutput, diff: true });
            console.log(`change summary: ${JSON.stringify(result.changeSummary)}`);
            return;
        }
        case "destroy": {
            const result = await stack.destroy({ onOutput });
            console.log(`change summary: ${JSON.stringify(result.summary.resourceChanges ?? {})}`);
            return;
        }
        case "up": {
            const result = await stack.up({ onOutput });
            console.log(`change summary: ${JSON.stringify(result.summary.resourceChanges ?? {})}`);
            break;
        }
    }
    const outputs = Object.fromEntries(Object.entries(await stack.outputs()).map(([k, v]) => [k, v.secret ? "[secret]" : v.value]));
    console.log(`\nStack '${o.stack}' outputs (the benchmark reads these):\n${JSON.stringify(outputs, null, 2)}`);
}

if (require.main === module) {
    main(process.argv).catch((err: Error) => {
        // The engine's own output has already been streamed; keep the summary short.
        console.error(`\n${err.message.split("\n").slice(0, 40).join("\n")}`);
        process.exit(1);
    });
}
