import { loadClusterConfig } from "../config/load";
import { ArroyoCluster } from "./cluster";
import { ClusterOutputs } from "./outputs";

/**
 * The whole Pulumi program: read and validate the stack's config, build the cluster, return its
 * outputs. A config problem throws before any resource is declared, so a bad topology touches
 * nothing. `index.ts` runs it for the CLI; the Automation API runs it inline.
 */
export function clusterProgram(): ClusterOutputs {
    return new ArroyoCluster("arroyo", { config: loadClusterConfig() }).outputs;
}
