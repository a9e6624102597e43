import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT } from "../../config/defaults";
import { ConfigError, parseClusterConfig, RawConfig } from "../../config/schema";

import { REPO_ROOT } from "../../toolchain/paths";

export { REPO_ROOT };

/** A stack file's `arroyo-pi:*` config as Pulumi would hand it to the program (objects as JSON). */
export function stackFileValues(stack: string): Record<string, string> {
    const doc = parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
        config: Record<string, unknown>;
    };
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.config)) {
        if (!k.startsWith(`${PROJECT}:`)) continue;
        values[k.slice(PROJECT.length + 1)] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return values;
}

/** Secrets a user of the pi-cluster stack sets once; test values only, never real ones. */
export const TEST_SECRETS = {
    sshPrivateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\ntest-only-not-a-key\n-----END OPENSSH PRIVATE KEY-----",
    minioRootUser: "bench-admin",
    minioRootPassword: "a-long-test-password",
} as const;

/** The stack file plus `secrets`, each stored as a secret, with `overrides` replacing plain keys. */
export function rawConfig(
    stack: string,
    overrides: Record<string, unknown> = {},
    secrets: Record<string, string> = TEST_SECRETS,
): RawConfig {
    const values: Record<string, string> = { ...stackFileValues(stack), ...secrets };
    for (const [k, v] of Object.entries(overrides)) {
        if (v === undefined) delete values[k];
        else values[k] = typeof v === "string" ? v : JSON.stringify(v);
    }
    return { stack, values, secretKeys: new Set(Object.keys(secrets)) };
}

/** The problems parseClusterConfig reports for `raw`; fails the test when it is accepted. */
export function problemsOf(raw: RawConfig): string[] {
    try {
        parseClusterConfig(raw);
    } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return err.problems;
    }
    throw new Error("expected the config to be rejected");
}

/**
 * Hands `values` to a program run on Pulumi's mocks as the engine would (PULUMI_CONFIG, with the
 * test secrets marked secret). Pulumi reads it once: call before the program's modules load.
 */
export function setProgramConfig(values: Record<string, string>): void {
    process.env.PULUMI_CONFIG = JSON.stringify(
        Object.fromEntries(Object.entries(values).map(([k, v]) => [`${PROJECT}:${k}`, v])),
    );
    process.env.PULUMI_CONFIG_SECRET_KEYS = JSON.stringify(Object.keys(TEST_SECRETS).map((k) => `${PROJECT}:${k}`));
}
