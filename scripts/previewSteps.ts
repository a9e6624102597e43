// What a preview will do, resource by resource, from the engine's structured events (the
// Automation API's onEvent), not from its text display, whose form changes with `diff: true`
// ("+ arroyo-pi:index:WorkerRole: (create)" with the name only on a later "[urn=...]" line).
import { EngineEvent } from "@pulumi/pulumi/automation";

/** Resource names by operation: "create" -> ["worker-worker3", ...]. */
export type PreviewSteps = Record<string, string[]>;

/** The name part of a URN (urn:pulumi:<stack>::<project>::<type path>::<name>). */
export function urnName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/** Folds the engine's resource-pre events into names by operation (the stack resource itself left out). */
export function previewSteps(events: EngineEvent[]): PreviewSteps {
    const steps: PreviewSteps = {};
    for (const e of events) {
        const m = e.resourcePreEvent?.metadata;
        if (!m || m.type === "pulumi:pulumi:Stack") continue;
        (steps[m.op] ??= []).push(urnName(m.urn));
    }
    for (const names of Object.values(steps)) names.sort();
    return steps;
}
