// The README's Pi sections (in docs/pis.md and docs/flink.md), run as written with the toolchain's Pulumi CLI (which has no Node.js
// language host): every command must reach this project's program, not stop at a missing
// `pulumi-language-nodejs`. The stack is a throwaway copy of pi-cluster whose hosts are a closed
// port on loopback, so nothing dials a Pi; where the resource plugins are missing, the deploy
// commands stop at them, and otherwise at the preflight, which names the unreachable host.
import { execFile, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { parse } from "yaml";
import { E2eProject, REPO_ROOT } from "./engine";
import { docCommands } from "./readme";
import { missingPlugins } from "../../toolchain/plugins";
import { defaultBackendUrl, pulumiRoot } from "../../toolchain/paths";
import { freePort } from "../../toolchain/net";

const STACK = "e2e-readme";
const SECTIONS = ["Deploying to real Pis", "Arroyo or Flink", "Adding a worker", "Teardown"];
/** Pulumi commands that run the program, and so need the Node.js language host. */
const NEEDS_LANGUAGE_HOST = /^pulumi\s+(up|preview|destroy|refresh|import|watch)\b/;

describe("the README's Pi commands with the toolchain's Pulumi CLI", () => {
    const project = new E2eProject();
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-readme-"));
    afterAll(() => {
        project.remove();
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("documents no command that needs the Node.js language host, and the CLI and state where the tools put them", () => {
        const commands = SECTIONS.flatMap(docCommands);
        expect(commands.length).toBeGreaterThan(8);
        expect(commands.filter((c) => NEEDS_LANGUAGE_HOST.test(c))).toEqual([]);
        const exports = Object.fromEntries(
            commands.filter((c) => c.startsWith("export ")).map((c) => c.slice(7).split("=", 2) as [string, string]),
        );
        const expand = (v: string) => v.replace(/^"|"$/g, "").replace(/\$HOME/g, os.homedir());
        expect(expand(exports.PATH).split(":")[0]).toBe(path.join(pulumiRoot(), "bin"));
        expect(expand(exports.PULUMI_BACKEND_URL)).toBe(defaultBackendUrl());
    });

    it("runs each command, as written, against a copy of the pi-cluster stack on loopback", async () => {
        // A port nothing listens on: free right now.
        const port = await freePort();
        const piCluster = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.pi-cluster.yaml"), "utf8")) as {
            config: Record<string, unknown>;
        };
        // Each host its own loopback address (the config refuses one address twice), all on the closed port.
        const onLoopback = (h: { name: string }, i: number) => ({
            name: h.name,
            address: `127.0.0.${10 + i}`,
            sshPort: port,
        });
        const config = Object.fromEntries(
            Object.entries(piCluster.config).map(([k, v]) => [k.replace(/^arroyo-pi:/, ""), v]),
        );
        config.controller = onLoopback(config.controller as { name: string }, 0);
        config.workers = (config.workers as { name: string }[]).slice(0, 2).map((w, i) => onLoopback(w, i + 1));
        project.writeStackFile(STACK, config);
        const key = path.join(home, "id_ed25519");
        spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
        // The selected stack lives under PULUMI_HOME: a home of the test's own, not the user's.
        const env = { ...project.env, PULUMI_HOME: home, PI_PASSWORD: "unused" };
        // The installed resource plugins stay visible from the test's own home, so that where they
        // exist the deploy commands are checked through the preflight, not only to the plugin check.
        const plugins = path.join(process.env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi"), "plugins");
        if (fs.existsSync(plugins)) fs.symlinkSync(plugins, path.join(home, "plugins"));

        const ran: { command: string; code: number; output: string }[] = [];
        let pluginStops = 0;
        for (const written of SECTIONS.flatMap(docCommands)) {
            if (written.startsWith("export ")) continue; // checked above; the test's env sets both
            const command = written
                .replace(/pi-cluster/g, STACK)
                .replace("~/.ssh/id_ed25519", key)
                .replace("PI_PASSWORD=...", "PI_PASSWORD=unused");
            const r = await promisify(execFile)("bash", ["-c", command], {
                cwd: REPO_ROOT,
                env,
                maxBuffer: 64 * 1024 * 1024,
            }).then(
                (o) => ({ code: 0, output: o.stdout + o.stderr }),
                (e: { code: number; stdout: string; stderr: string }) => ({
                    code: e.code,
                    output: e.stdout + e.stderr,
                }),
            );
            ran.push({ command: written, ...r });
        }

        for (const r of ran) {
            // Nothing stops at the language host Pulumi's own program runner would need.
            expect({ command: r.command, output: r.output }).toEqual({
                command: r.command,
                output: expect.not.stringMatching(/no language plugin|pulumi-language-nodejs/),
            });
            if (r.command.startsWith("pulumi "))
                expect({ command: r.command, code: r.code }).toEqual({ command: r.command, code: 0 });
            else if (r.command.includes("npm run deploy")) {
                // Past the config and the lock: with the plugins installed, stopped by the preflight,
                // which names the host it could not reach; without them, at the plugin check, said below.
                if (missingPlugins(env).length) {
                    expect({ command: r.command, code: r.code }).toEqual({ command: r.command, code: 1 });
                    expect({ command: r.command, output: r.output }).toEqual({
                        command: r.command,
                        output: expect.stringMatching(/resource plugins? .*(docker|kafka|minio|command)/),
                    });
                    pluginStops++;
                } else if (/deploy -- destroy/.test(r.command)) {
                    // Nothing was deployed (the up before it stopped at the preflight): destroy removes at most the stack record, and says so (no preflight for a teardown).
                    expect({ command: r.command, code: r.code, output: r.output }).toEqual({
                        command: r.command,
                        code: 0,
                        output: expect.stringMatching(/change summary: \{("delete":1)?\}/),
                    });
                } else {
                    expect({ command: r.command, code: r.code }).toEqual({ command: r.command, code: 1 });
                    expect({ command: r.command, output: r.output }).toEqual({
                        command: r.command,
                        output: expect.stringMatching(/Preflight refused [\s\S]*b1pc1\d/),
                    });
                }
            } else if (r.command.includes("npm run bench")) {
                // A stack never deployed has no outputs: said, with what to run.
                expect({ command: r.command, output: r.output }).toEqual({
                    command: r.command,
                    output: expect.stringMatching(
                        /cannot read the outputs of stack 'e2e-readme'|does not hold this project's stack outputs/,
                    ),
                });
            } else if (r.command.includes("ssh:bootstrap")) {
                // Every host is on a closed port: the bootstrap fails, naming them.
                expect({ command: r.command, failed: r.code !== 0 }).toEqual({ command: r.command, failed: true });
                expect({ command: r.command, output: r.output }).toEqual({
                    command: r.command,
                    output: expect.stringMatching(/b1pc10/),
                });
            } else
                throw new Error(
                    `the README runs '${r.command}', which this test does not know how to judge: add it here`,
                );
        }
        if (pluginStops)
            console.log(
                `note: the resource plugins are not installed here, so ${pluginStops} 'npm run deploy' command(s) of the README were checked only up to the plugin check`,
            );
        // The secrets went in encrypted, in the stack's file, and never in plain text.
        const written = fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${STACK}.yaml`), "utf8");
        expect(written).toMatch(/arroyo-pi:sshPrivateKey:\s*\n\s*secure:/);
        expect(written).not.toContain(fs.readFileSync(key, "utf8").split("\n")[1]);
        expect(written).not.toContain("bench-admin");
    }, 900_000);
});
