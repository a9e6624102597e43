// The registry of what the benchmark knows of each engine without its client: the one place on
// the benchmark's side, with index.ts (the clients), that names the engines.
import { EngineName } from "../../config/defaults";
import { arroyoProfile } from "./arroyo/profile";
import { flinkProfile } from "./flink/profile";
import type { EngineProfile } from "./profile";

export type { EngineProfile };

const PROFILES: Record<EngineName, EngineProfile> = { arroyo: arroyoProfile, flink: flinkProfile };

export function engineProfile(engine: EngineName): EngineProfile {
    return PROFILES[engine];
}
