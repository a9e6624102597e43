import { EngineEvent } from "@pulumi/pulumi/automation";
import { failuresOf, failureSummary } from "../../scripts/failures";

// Events as the Automation API hands them to onEvent (sdk/nodejs/automation/events.ts): progress
// diagnostics, a resource's errors (the engine repeats them in its summary), the stack's own error.
const STACK = "urn:pulumi:local::arroyo-pi::pulumi:pulumi:Stack::arroyo-pi-local";
const MINIO_POLICY =
    "urn:pulumi:local::arroyo-pi::arroyo-pi:index:ArroyoCluster$arroyo-pi:index:ControllerRole$arroyo-pi:index:ObjectStore$minio:index/iamPolicy:IamPolicy::controller-minio-flink-policy";
const KAFKA =
    "urn:pulumi:local::arroyo-pi::arroyo-pi:index:ArroyoCluster$arroyo-pi:index:ControllerRole$arroyo-pi:index:KafkaBroker$docker:index/container:Container::controller-kafka-container";
const diag = (
    urn: string | undefined,
    severity: "info" | "error" | "warning",
    message: string,
    ephemeral = false,
): EngineEvent =>
    ({
        sequence: 0,
        timestamp: 0,
        diagnosticEvent: {
            ...(urn ? { urn } : {}),
            message,
            color: "never",
            severity,
            ...(ephemeral ? { ephemeral } : {}),
        },
    }) as EngineEvent;

const events: EngineEvent[] = [
    diag(KAFKA, "info", "creating container...\n", true),
    diag(
        MINIO_POLICY,
        "error",
        "unable to create policy (flink-checkpoints): unsupported condition keys '[s3:prefix]' used for action 's3:ListBucketMultipartUploads'\n",
    ),
    diag(KAFKA, "warning", "image pulled\n"),
    diag(
        KAFKA,
        "error",
        "container 'arroyo-pi-local-kafka' failed: Bind for 127.0.0.1:9092 failed: port is already allocated\n",
    ),
    diag(
        MINIO_POLICY,
        "error",
        "unable to create policy (flink-checkpoints): unsupported condition keys '[s3:prefix]' used for action 's3:ListBucketMultipartUploads'\n",
    ),
    diag(STACK, "error", "update failed\n"),
];

describe("failuresOf", () => {
    it("names every failed resource with its type and whole error, once, then the operation's own", () => {
        expect(failuresOf(events)).toEqual([
            {
                name: "controller-minio-flink-policy",
                type: "minio:index/iamPolicy:IamPolicy",
                message:
                    "unable to create policy (flink-checkpoints): unsupported condition keys '[s3:prefix]' used for action 's3:ListBucketMultipartUploads'",
            },
            {
                name: "controller-kafka-container",
                type: "docker:index/container:Container",
                message:
                    "container 'arroyo-pi-local-kafka' failed: Bind for 127.0.0.1:9092 failed: port is already allocated",
            },
            { name: "", type: "", message: "update failed" },
        ]);
    });

    it("finds nothing in a run without errors", () => {
        expect(failuresOf(events.filter((e) => e.diagnosticEvent?.severity !== "error"))).toEqual([]);
        expect(failureSummary("up", [])).toBe("");
    });
});

describe("failureSummary", () => {
    it("ends with each failed resource and its error, as the last lines a user reads", () => {
        const lines = failureSummary("up", failuresOf(events)).split("\n");
        expect(lines[0]).toBe("up failed: 2 resources failed");
        expect(lines).toContain("- controller-kafka-container (docker:index/container:Container):");
        expect(lines.slice(-2)).toEqual(["- the operation:", "    update failed"]);
        expect(lines.join("\n")).toContain(
            "    container 'arroyo-pi-local-kafka' failed: Bind for 127.0.0.1:9092 failed: port is already allocated",
        );
    });
});
