import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import pkg from "../package.json";

/** The resource plugins the program needs, at the versions of their npm SDKs. */
export const PLUGINS: { name: string; version: string }[] = (["docker", "kafka", "minio", "command"] as const).map(
    (name) => ({
        name,
        version: pkg.dependencies[`@pulumi/${name}`],
    }),
);

/**
 * Plugins Pulumi could not find without downloading: neither `pulumi-resource-<name>` on PATH
 * nor `resource-<name>-v<version>` under $PULUMI_HOME/plugins (default ~/.pulumi/plugins).
 */
export function missingPlugins(env: NodeJS.ProcessEnv = process.env): string[] {
    const home = env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
    const onPath = (bin: string) => (env.PATH ?? "").split(":").some((d) => d && fs.existsSync(path.join(d, bin)));
    return PLUGINS.filter(
        (p) =>
            !onPath(`pulumi-resource-${p.name}`) &&
            !fs.existsSync(path.join(home, "plugins", `resource-${p.name}-v${p.version}`)),
    ).map((p) => `${p.name} v${p.version}`);
}

/** The message `npm run up` stops with when plugins are missing and cannot be installed. */
export function missingPluginsMessage(missing: string[]): string {
    return (
        `the resource plugins ${missing.join(", ")} are not installed and could not be downloaded: ` +
        `install each with 'pulumi plugin install resource <name> <version>' where the internet is reachable, ` +
        `or from a binary with 'pulumi plugin install resource <name> <version> --file <pulumi-resource-name>' (docs/setup.md: "Offline machines")`
    );
}
