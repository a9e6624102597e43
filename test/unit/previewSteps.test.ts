import { EngineEvent } from "@pulumi/pulumi/automation";
import { previewSteps, urnName } from "../../scripts/previewSteps";

// The resource-pre events of a diff: true preview that adds a third worker to the local stack, in
// the Automation API's EngineEvent form (@pulumi/pulumi/automation/events.d.ts). Written from the
// preview the issue reports ({"create":6,"same":44,"update":3}); no resource plugin runs on this
// project's machines to record one.
const S = "urn:pulumi:local::arroyo-pi::";
const pre = (op: string, typePath: string, name: string, type: string): EngineEvent =>
    ({
        sequence: 0,
        timestamp: 0,
        resourcePreEvent: { metadata: { op, urn: `${S}${typePath}::${name}`, type, provider: "" } },
    }) as unknown as EngineEvent;
const W = "arroyo-pi:index:ArroyoCluster$arroyo-pi:index:WorkerRole";
const events: EngineEvent[] = [
    { sequence: 0, timestamp: 0, preludeEvent: { config: {} } } as unknown as EngineEvent,
    pre("same", "pulumi:pulumi:Stack", "arroyo-pi-local", "pulumi:pulumi:Stack"),
    pre("same", "arroyo-pi:index:ArroyoCluster", "arroyo", "arroyo-pi:index:ArroyoCluster"),
    pre("create", W, "worker-worker3", "arroyo-pi:index:WorkerRole"),
    pre("create", `${W}$arroyo-pi:index:DockerHost`, "worker-worker3-host", "arroyo-pi:index:DockerHost"),
    pre(
        "create",
        `${W}$arroyo-pi:index:DockerHost$pulumi:providers:docker`,
        "worker-worker3-host-engine",
        "pulumi:providers:docker",
    ),
    pre(
        "create",
        `${W}$arroyo-pi:index:DockerHost$docker:index/remoteImage:RemoteImage`,
        "worker-worker3-host-image-arroyo-pi-stand-in-test",
        "docker:index/remoteImage:RemoteImage",
    ),
    pre("create", `${W}$arroyo-pi:index:ArroyoNode`, "worker-worker3-node", "arroyo-pi:index:ArroyoNode"),
    pre(
        "create",
        `${W}$arroyo-pi:index:ArroyoNode$docker:index/container:Container`,
        "worker-worker3-node-container",
        "docker:index/container:Container",
    ),
    ...["person", "auction", "bid"].map((t) =>
        pre(
            "update",
            "arroyo-pi:index:ArroyoCluster$arroyo-pi:index:ControllerRole$arroyo-pi:index:NexmarkTopics$kafka:index/topic:Topic",
            `controller-topics-${t}`,
            "kafka:index/topic:Topic",
        ),
    ),
    pre(
        "same",
        `${W}$arroyo-pi:index:ArroyoNode$docker:index/container:Container`,
        "worker-worker1-node-container",
        "docker:index/container:Container",
    ),
    {
        sequence: 0,
        timestamp: 0,
        summaryEvent: { resourceChanges: { create: 6, update: 3, same: 44 } },
    } as unknown as EngineEvent,
];

describe("a preview's steps from the engine's events", () => {
    it("names what a third worker creates and updates", () => {
        const steps = previewSteps(events);
        expect(steps.create).toHaveLength(6);
        expect(steps.create.every((n) => n.startsWith("worker-worker3"))).toBe(true);
        expect(steps.update).toEqual([
            "controller-topics-auction",
            "controller-topics-bid",
            "controller-topics-person",
        ]);
        expect(steps.same).toEqual(["arroyo", "worker-worker1-node-container"]);
    });

    it("takes a resource's name from its URN, whatever its type path holds", () => {
        expect(urnName(`${S}a$b:c:D::name-with::colons`)).toBe("colons");
        expect(urnName(`${S}${W}::worker-worker3`)).toBe("worker-worker3");
    });
});
