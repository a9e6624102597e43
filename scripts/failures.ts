// What failed in an engine operation, resource by resource, from its structured events: the
// text display interleaves progress with errors and puts the cause far from the end, so a user (or
// a failing test) reading the last lines saw progress, not why. Pure: tested on events in the
// Automation API's form.
import { EngineEvent } from "@pulumi/pulumi/automation";
import { urnName } from "./previewSteps";

export interface Failure {
    /** The resource's name, or "" for an error of the operation as a whole. */
    name: string;
    /** Its Pulumi type (docker:index/container:Container), or "" likewise. */
    type: string;
    /** The error in full, as the engine reported it (a resource may report several lines). */
    message: string;
}

/** The type part of a URN (urn:pulumi:<stack>::<project>::<parent$type>::<name>). */
function urnType(urn: string): string {
    const parts = urn.split("::");
    const path = parts[parts.length - 2] ?? "";
    return path.slice(path.lastIndexOf("$") + 1);
}

/**
 * Every error diagnostic, grouped by the resource it names, in the order they came. The stack's
 * own errors (a program that threw, "update failed") come as the operation's, after the resources'.
 */
export function failuresOf(events: EngineEvent[]): Failure[] {
    const byUrn = new Map<string, string[]>();
    for (const e of events) {
        const d = e.diagnosticEvent;
        if (!d || d.severity !== "error" || d.ephemeral) continue;
        const key = d.urn ?? "";
        const text = d.message.replace(/\s+$/, "");
        if (!text) continue;
        const seen = byUrn.get(key) ?? [];
        // The engine repeats a resource's error in its summary: once is enough.
        if (!seen.includes(text)) seen.push(text);
        byUrn.set(key, seen);
    }
    const failures: Failure[] = [];
    const overall: Failure[] = [];
    for (const [urn, messages] of byUrn) {
        const type = urn ? urnType(urn) : "";
        const f = {
            name: urn ? urnName(urn) : "",
            type: type === "pulumi:pulumi:Stack" ? "" : type,
            message: messages.join("\n"),
        };
        (f.type ? failures : overall).push(f.type ? f : { ...f, name: "" });
    }
    return [...failures, ...overall];
}

/** The lines printed last after a failed operation: each failed resource with its error, whole. */
export function failureSummary(action: string, failures: Failure[]): string {
    if (failures.length === 0) return "";
    const resources = failures.filter((f) => f.type);
    const head = resources.length
        ? `${action} failed: ${resources.length} resource${resources.length === 1 ? "" : "s"} failed`
        : `${action} failed`;
    const body = failures.map((f) =>
        f.type ? `- ${f.name} (${f.type}):\n${indent(f.message)}` : `- the operation:\n${indent(f.message)}`,
    );
    return [head, ...body].join("\n");
}

const indent = (s: string) =>
    s
        .split("\n")
        .map((l) => `    ${l}`)
        .join("\n");
