import { execFile } from "child_process";
import * as fs from "fs";
import { promisify } from "util";
import { ClusterOutputs, clusterOutputsSchema } from "../stacks/outputs";
import { pulumiEnv, REPO_ROOT } from "../toolchain/paths";

function parseOutputs(json: string, source: string): ClusterOutputs {
    let raw: unknown;
    try {
        raw = JSON.parse(json);
    } catch {
        throw new Error(`${source} is not JSON`);
    }
    const parsed = clusterOutputsSchema.safeParse(raw);
    if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
        throw new Error(
            `${source} does not hold this project's stack outputs (${issues}); deploy the stack with 'pulumi up' first`,
        );
    }
    return parsed.data;
}

/**
 * The cluster's endpoints and size, from the stack's outputs: `pulumi stack output --json`, or a
 * file holding that output. Never typed by hand.
 */
export async function loadStackOutputs(opts: { stack: string; outputsFile?: string }): Promise<ClusterOutputs> {
    if (opts.outputsFile) {
        if (!fs.existsSync(opts.outputsFile)) throw new Error(`--outputs-file ${opts.outputsFile} does not exist`);
        return parseOutputs(fs.readFileSync(opts.outputsFile, "utf8"), `--outputs-file ${opts.outputsFile}`);
    }
    let stdout: string;
    try {
        ({ stdout } = await promisify(execFile)("pulumi", ["stack", "output", "--json", "--stack", opts.stack], {
            cwd: REPO_ROOT,
            env: pulumiEnv(),
            maxBuffer: 16 * 1024 * 1024,
        }));
    } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string };
        if (e.code === "ENOENT") {
            throw new Error(
                `cannot read the outputs of stack '${opts.stack}': no 'pulumi' on PATH nor in the toolchain's cache (run 'npm run toolchain -- pulumi'), or pass --outputs-file with the output of 'pulumi stack output --json'`,
                { cause: err },
            );
        }
        throw new Error(
            `cannot read the outputs of stack '${opts.stack}' (--stack): ${(e.stderr ?? e.message).trim()}`,
            { cause: err },
        );
    }
    return parseOutputs(stdout, `the outputs of stack '${opts.stack}'`);
}
