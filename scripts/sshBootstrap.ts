// npm run ssh:bootstrap -- --stack pi-cluster (--password-env PI_PASSWORD | --bootstrap-key FILE)
// What the seed's setup-ssh-keys.sh did, once per host and in parallel: put the operator's public
// key (from the stack's sshPrivateKey secret) into each host's authorized_keys, prove it logs in,
// and record each host's key in the stack config so every later connection verifies it.
import { execFile } from "child_process";
import * as fs from "fs";
import { promisify } from "util";
import { Command } from "commander";
import { PROJECT } from "../config/defaults";
import { parseClusterConfig, RawConfig } from "../config/schema";
import { BootstrapAuth, bootstrapHost, BootstrapTarget } from "../ssh/bootstrap";
import { pulumiEnv, REPO_ROOT } from "../toolchain/paths";

async function pulumi(args: string[], cwd: string): Promise<string> {
    try {
        return (await promisify(execFile)("pulumi", args, { cwd, env: pulumiEnv(), maxBuffer: 16 * 1024 * 1024 }))
            .stdout;
    } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string };
        if (e.code === "ENOENT")
            throw new Error("no 'pulumi' on PATH: install it or run 'npm run toolchain -- pulumi'", { cause: err });
        throw new Error(`pulumi ${args.slice(0, 2).join(" ")} failed: ${(e.stderr ?? e.message).trim()}`, {
            cause: err,
        });
    }
}

/** The stack's config as the program sees it, secrets decrypted (they stay in this process). */
async function stackConfig(stack: string, cwd: string): Promise<RawConfig> {
    const json = JSON.parse(await pulumi(["config", "--json", "--show-secrets", "--stack", stack], cwd)) as Record<
        string,
        { value?: string; secret: boolean }
    >;
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [k, v] of Object.entries(json)) {
        if (!k.startsWith(`${PROJECT}:`) || v.value === undefined) continue;
        const name = k.slice(PROJECT.length + 1);
        values[name] = v.value;
        if (v.secret) secretKeys.add(name);
    }
    return { stack, values, secretKeys };
}

export async function main(argv: string[]): Promise<void> {
    const cmd = new Command("ssh:bootstrap")
        .requiredOption("--stack <name>", "the stack whose hosts to prepare (its target must be ssh)")
        .option("--password-env <VAR>", "log in the first time with the password in this environment variable")
        .option("--bootstrap-key <file>", "log in the first time with this private key")
        .option("--work-dir <dir>", "directory with Pulumi.yaml and the stack's config", REPO_ROOT)
        .option("--dry-run", "prepare the hosts but do not record their host keys", false)
        .option(
            "--accept-new-host-key <host...>",
            "the named hosts were reinstalled: trust the key each presents now in place of the recorded one",
            [],
        )
        .showHelpAfterError();
    cmd.parse(argv);
    const o = cmd.opts<{
        stack: string;
        passwordEnv?: string;
        bootstrapKey?: string;
        workDir: string;
        dryRun: boolean;
        acceptNewHostKey: string[];
    }>();
    const fail = (m: string): never => cmd.error(`error: ${m}`, { exitCode: 2 });

    if (!o.passwordEnv === !o.bootstrapKey)
        fail("give exactly one of --password-env and --bootstrap-key for the first login");
    let auth: BootstrapAuth;
    if (o.passwordEnv) {
        const password = process.env[o.passwordEnv];
        if (!password) fail(`--password-env ${o.passwordEnv}: that environment variable is empty or unset`);
        auth = { password: password as string };
    } else {
        if (!fs.existsSync(o.bootstrapKey as string)) fail(`--bootstrap-key ${o.bootstrapKey}: no such file`);
        auth = { privateKey: fs.readFileSync(o.bootstrapKey as string, "utf8") };
    }

    const config = parseClusterConfig(await stackConfig(o.stack, o.workDir));
    if (config.target !== "ssh" || !config.ssh)
        fail(`stack '${o.stack}' has target '${config.target}': only ssh hosts are bootstrapped`);
    const ssh = config.ssh as { user: string; privateKey: string };

    const all = [
        { ...config.controller, configPath: "controller" },
        ...config.workers.map((w, i) => ({ ...w, configPath: `workers[${i}]` })),
    ];
    const unknown = o.acceptNewHostKey.filter((n) => !all.some((h) => h.name === n));
    if (unknown.length)
        fail(
            `--accept-new-host-key ${unknown.join(" ")}: no such host in stack '${o.stack}' (its hosts: ${all.map((h) => h.name).join(", ")})`,
        );
    // A host named there is verified against nothing, as on its first bootstrap, and its key recorded again.
    const hosts: (BootstrapTarget & { configPath: string })[] = all.map((h) => ({
        name: h.name,
        address: h.address,
        port: h.sshPort,
        user: ssh.user,
        stack: o.stack,
        configPath: h.configPath,
        ...(h.hostKey && !o.acceptNewHostKey.includes(h.name) ? { recordedHostKey: h.hostKey } : {}),
    }));

    const results = await Promise.allSettled(hosts.map((h) => bootstrapHost(h, auth!, ssh.privateKey)));
    const failed: string[] = [];
    for (const [i, r] of results.entries()) {
        const h = hosts[i];
        if (r.status === "rejected") {
            failed.push(h.name);
            console.error(`${h.name}: ${(r.reason as Error).message}`);
            continue;
        }
        console.log(
            `${h.name}: operator key ${r.value.keyInstalled ? "added" : "already present"}, host key ${r.value.fingerprint}${h.recordedHostKey ? " (verified)" : ""}`,
        );
        if (!h.recordedHostKey && !o.dryRun) {
            await pulumi(
                ["config", "set", "--stack", o.stack, "--path", `${PROJECT}:${h.configPath}.hostKey`, r.value.hostKey],
                o.workDir,
            );
        }
    }
    if (failed.length) {
        console.error(`\n${failed.length} of ${hosts.length} hosts failed: ${failed.join(", ")}`);
        process.exit(1);
    }
    if (!o.dryRun)
        console.log(`\nHost keys are recorded in Pulumi.${o.stack}.yaml; every later connection verifies them.`);
}

if (require.main === module) {
    main(process.argv).catch((err: Error) => {
        console.error(`ssh:bootstrap failed: ${err.message}`);
        process.exit(1);
    });
}
