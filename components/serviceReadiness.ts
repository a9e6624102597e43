import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { shellQuote } from "../lib/shell";

export type Probe = { kind: "http"; url: string } | { kind: "kafka"; bootstrapServers: string };

export interface ServiceReadinessArgs {
    probe: Probe;
    /** The resource whose replacement must re-run the probe (usually the service's container id). */
    instance: pulumi.Input<string>;
    /** Seconds to keep trying before the deployment fails with the probe's last error. */
    timeoutSeconds?: number;
}

/** The probe CLI, relative to the project root, which is where Pulumi runs the command provider. */
export const PROBE_SCRIPT = "probes/cli.ts";

/** The shell command that waits for a service to answer, as the deployer sees it. */
export function probeCommand(probe: Probe, timeoutSeconds: number): string {
    const target = probe.kind === "http" ? probe.url : probe.bootstrapServers;
    return `node -r ts-node/register/transpile-only ${PROBE_SCRIPT} ${probe.kind} ${shellQuote(target)} --timeout ${timeoutSeconds}`;
}

/**
 * Replaces the seed's `sleep 30`: a step that completes only once the service answers its own
 * protocol from the deployer's side, which is where the Kafka and MinIO providers and the
 * benchmark connect from. Anything that talks to the service depends on this resource.
 */
export class ServiceReadiness extends pulumi.ComponentResource {
    public readonly check: command.local.Command;

    constructor(name: string, args: ServiceReadinessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:ServiceReadiness", name, {}, opts);
        this.check = new command.local.Command(
            `${name}-probe`,
            { create: probeCommand(args.probe, args.timeoutSeconds ?? 300), triggers: [args.instance] },
            { parent: this },
        );
        this.registerOutputs({});
    }
}
