import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { withSecrets } from "../../config/load";
import { ValidatedConfig } from "../../config/schema";
import { PROJECT } from "../../config/defaults";
import { Cluster } from "../../stacks/cluster";
import { HostFacts } from "../../hosts/facts";

/** One resource as the program declared it: what the engine would be asked to create. */
export interface Declared {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** Names of the resources in its dependsOn option. */
    dependsOn: string[];
    retainOnDelete: boolean;
    provider?: string;
    /** The import option: an existing resource adopted, not created. */
    importId?: string;
}

let declared: Declared[] = [];
/** Every resource the mocked engine was asked to register, in order, with when: also for programs built without declareCluster. */
export const registrations: { type: string; name: string; inputs: Record<string, unknown>; at: number }[] = [];
const byResource = new WeakMap<pulumi.Resource, Declared>();
const pendingDeps: { record: Declared; deps: pulumi.Resource[] }[] = [];

/** Mocked state: inputs echoed back, plus the outputs a real provider would compute. */
function mockState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "docker:index/remoteImage:RemoteImage":
            return { ...inputs, imageId: `sha256:${name}` };
        case "minio:index/iamUser:IamUser":
            return { ...inputs, secret: "generated-by-minio" };
        default:
            return inputs;
    }
}

/** Installs Pulumi's mocks for this test file; nothing is dialled, no engine runs. */
export async function installMocks(stack: string): Promise<void> {
    process.env.ARROYO_PI_SSH_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-ssh-"));
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                registrations.push({ type: args.type, name: args.name, inputs: args.inputs, at: Date.now() });
                const record = declared.find((d) => d.type === args.type && d.name === args.name);
                if (record) record.inputs = args.inputs;
                return { id: `${args.name}-id`, state: mockState(args.type, args.name, args.inputs) };
            },
            call: (args) => args.inputs,
        },
        PROJECT,
        stack,
        false,
    );
}

/** Records every resource's options as it is constructed (legacy transformations reach all children). */
const recorder: pulumi.ResourceTransformation = (args) => {
    const record: Declared = {
        type: args.type,
        name: args.name,
        inputs: {},
        dependsOn: [],
        retainOnDelete: args.opts.retainOnDelete === true,
        provider: args.opts.provider ? byResource.get(args.opts.provider)?.name : undefined,
        ...((args.opts as pulumi.CustomResourceOptions).import
            ? { importId: String((args.opts as pulumi.CustomResourceOptions).import) }
            : {}),
    };
    declared.push(record);
    byResource.set(args.resource, record);
    const deps = args.opts.dependsOn;
    pendingDeps.push({ record, deps: (Array.isArray(deps) ? deps : deps ? [deps] : []) as pulumi.Resource[] });
    return undefined;
};

/** Waits until the program stops registering resources (registrations chase resolved outputs). */
async function settle(): Promise<void> {
    let quiet = 0;
    let last = -1;
    while (quiet < 10) {
        await new Promise((r) => setTimeout(r, 10));
        const n = declared.filter((d) => Object.keys(d.inputs).length > 0).length;
        quiet = n === last ? quiet + 1 : 0;
        last = n;
    }
}

/** Builds the cluster from `config` under the mocks and returns what it declared. */
export async function declareCluster(
    config: ValidatedConfig,
    hostFacts?: Record<string, HostFacts>,
    localRetainedBuckets?: string[],
): Promise<{ cluster: Cluster; resources: Declared[] }> {
    declared = [];
    pendingDeps.length = 0;
    const cluster = new Cluster(
        "cluster",
        {
            config: withSecrets(config),
            ...(hostFacts ? { hostFacts } : {}),
            ...(localRetainedBuckets ? { localRetainedBuckets } : {}),
        },
        { transformations: [recorder] },
    );
    await settle();
    for (const { record, deps } of pendingDeps) {
        record.dependsOn = deps.map((d) => byResource.get(d)?.name ?? "<unknown>");
    }
    return { cluster, resources: declared };
}

/** Whether a value reached the engine marked as a secret (the wire form the real engine encrypts). */
export function isWireSecret(value: unknown): boolean {
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
    );
}

/** A value as the engine received it, with the secret marker removed. */
export function plain<T = unknown>(value: unknown): T {
    return (isWireSecret(value) ? (value as { value: unknown }).value : value) as T;
}

/** `KEY=value` env list as a map. */
export function envMap(envs: unknown): Record<string, string> {
    return Object.fromEntries(
        plain<string[]>(envs).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
    );
}
