import * as pulumi from "@pulumi/pulumi";
import { applyOverrides, ConfigOverrides, OverrideError } from "./overrides";
import { ConfigError, parseClusterConfig, RawConfig, rawConfigOf, ValidatedConfig } from "./schema";

// The SDK knows which keys were stored encrypted but only exports that test from its runtime
// module; the public Config API would silently wrap a plaintext value as a secret instead of
// telling the user it sits unencrypted in Pulumi.<stack>.yaml.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(k: string): boolean };

/** The cluster's config with every credential held as a Pulumi secret. */
export type ClusterConfig = Omit<ValidatedConfig, "ssh" | "minio"> & {
    ssh?: { user: string; privateKey: pulumi.Output<string> };
    minio: { rootUser: pulumi.Output<string>; rootPassword: pulumi.Output<string> };
};

/** Reads this stack's `arroyo-pi:*` config as raw strings, the way the schema validates them. */
export function readStackConfig(): RawConfig {
    const entries = Object.entries(pulumi.runtime.allConfig()).map(
        ([k, value]) => [k, { value, secret: isConfigSecret(k) }] as const,
    );
    return rawConfigOf(pulumi.getStack(), Object.fromEntries(entries));
}

/** Wraps the validated credentials as secrets so they never reach state or logs in plaintext. */
export function withSecrets(config: ValidatedConfig): ClusterConfig {
    const { ssh, minio, ...rest } = config;
    return {
        ...rest,
        ...(ssh ? { ssh: { user: ssh.user, privateKey: pulumi.secret(ssh.privateKey) } } : {}),
        minio: { rootUser: pulumi.secret(minio.rootUser), rootPassword: pulumi.secret(minio.rootPassword) },
    };
}

/**
 * The program's single entry to config: read and validate, credentials still in plain text (the
 * preflight logs in with the key before they are wrapped by withSecrets). Problems surface as a
 * RunError, which Pulumi prints as the message alone, without a stack trace of our code.
 */
export function loadValidatedConfig(overrides: ConfigOverrides = {}): ValidatedConfig {
    try {
        return parseClusterConfig(applyOverrides(readStackConfig(), overrides));
    } catch (err) {
        if (err instanceof ConfigError || err instanceof OverrideError) throw new pulumi.RunError(err.message);
        throw err;
    }
}
