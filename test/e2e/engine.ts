import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { stringify } from "yaml";
import { pulumiRoot, REPO_ROOT } from "../../toolchain/paths";

export { REPO_ROOT };

/** The toolchain's Pulumi CLI (built from the Go module proxy), or a clear error. */
export function pulumiBinary(): string {
    const bin = path.join(pulumiRoot(), "bin", "pulumi");
    if (!fs.existsSync(bin)) throw new Error(`no Pulumi CLI at ${bin}: run 'toolchain/run.sh pulumi' first`);
    return bin;
}

/**
 * This project with a throwaway file backend, passphrase secrets and no plugin downloads. Stacks
 * are named `e2e-*` (their Pulumi.e2e-*.yaml files are git-ignored and removed afterwards). The
 * program runs through scripts/deploy.ts (the Automation API, program inline) in a child
 * process from the project root, as a user's `npm run up` does.
 */
export class E2eProject {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-e2e-"));
    readonly env: NodeJS.ProcessEnv;
    private readonly stacks = new Set<string>();

    constructor() {
        fs.mkdirSync(path.join(this.dir, "state"));
        this.env = {
            ...process.env,
            PULUMI_BACKEND_URL: `file://${path.join(this.dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "e2e-only-passphrase",
            // PULUMI_HOME stays the user's: that is where installed resource plugins are found.
            PULUMI_SKIP_UPDATE_CHECK: "1",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "1",
            PATH: `${path.dirname(pulumiBinary())}:${process.env.PATH}`,
        };
    }

    /** Runs the Pulumi CLI in the project directory. */
    async pulumi(args: string[]): Promise<string> {
        return (await promisify(execFile)(pulumiBinary(), args, { cwd: REPO_ROOT, env: this.env, maxBuffer: 64 * 1024 * 1024 })).stdout;
    }

    /** Sets config the way a user does, secrets encrypted with the stack's passphrase. */
    async configure(stack: string, plain: Record<string, string>, secret: Record<string, string> = {}): Promise<void> {
        if (!stack.startsWith("e2e-")) throw new Error(`e2e stacks are named e2e-*, not ${stack}`);
        this.stacks.add(stack);
        await this.pulumi(["stack", "init", stack, "--non-interactive"]).catch(() => this.pulumi(["stack", "select", stack]));
        for (const [k, v] of Object.entries(plain)) await this.pulumi(["config", "set", "--stack", stack, `arroyo-pi:${k}`, v]);
        for (const [k, v] of Object.entries(secret)) await this.pulumi(["config", "set", "--stack", stack, "--secret", `arroyo-pi:${k}`, "--", v]);
    }

    /** Writes Pulumi.<stack>.yaml with structured config, as a user's stack file holds it. */
    writeStackFile(stack: string, config: Record<string, unknown>): void {
        if (!stack.startsWith("e2e-")) throw new Error(`e2e stacks are named e2e-*, not ${stack}`);
        this.stacks.add(stack);
        const namespaced = Object.fromEntries(Object.entries(config).map(([k, v]) => [`arroyo-pi:${k}`, v]));
        fs.writeFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), stringify({ config: namespaced }));
    }

    /** `npm run deploy -- <action> --stack <stack>` against this directory; never throws. */
    async deploy(action: string, stack: string): Promise<{ code: number; output: string }> {
        return promisify(execFile)("node", ["-r", "ts-node/register/transpile-only", path.join(REPO_ROOT, "scripts", "deploy.ts"), action, "--stack", stack], {
            cwd: REPO_ROOT,
            env: this.env,
            maxBuffer: 64 * 1024 * 1024,
        }).then(
            (r) => ({ code: 0, output: r.stdout + r.stderr }),
            (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, output: e.stdout + e.stderr }),
        );
    }

    remove(): void {
        for (const stack of this.stacks) fs.rmSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), { force: true });
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
