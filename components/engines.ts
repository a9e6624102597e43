// The registry: every engine the cluster can run, by the name the config's `engine` takes. The
// one place on the deploy side that names them.
import { EngineName } from "../config/defaults";
import { arroyoDeployment } from "./arroyo";
import type { EngineDeployment } from "./engine";
import { flinkDeployment } from "./flink";

export const ENGINE_DEPLOYMENTS: Record<EngineName, EngineDeployment> = {
    arroyo: arroyoDeployment,
    flink: flinkDeployment,
};

/** The engine the config names. */
export function engineDeployment(engine: EngineName): EngineDeployment {
    return ENGINE_DEPLOYMENTS[engine];
}

/** Every engine's MinIO user: all exist whichever engine runs, so switching engines leaves MinIO as it is. */
export function allEngineMinioUsers(): Record<string, EngineDeployment["minioUser"]> {
    return Object.fromEntries(Object.entries(ENGINE_DEPLOYMENTS).map(([name, e]) => [name, e.minioUser]));
}
