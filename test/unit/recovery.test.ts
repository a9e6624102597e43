// The decisions behind what the next `up` repairs after an interrupted one, on the forms Pulumi and
// Docker write: a file backend's lock (backend/diy/lock.go lockContent), a stack export's
// pending_operations and resources, `docker ps --format '{{.Names}}'` output.
import {
    CLI_CANCELLING,
    containersInState,
    descendantsOf,
    nameHosts,
    onInterrupt,
    orphanContainers,
    pendingRecovery,
    staleLocks,
} from "../../scripts/recovery";

describe("Ctrl-C during npm run up", () => {
    it("lets the CLI cancel gracefully when it got the terminal's signal, passes a lone signal on, and terminates on the second", () => {
        expect(onInterrupt(1, true)).toMatchObject({
            forward: false,
            say: expect.stringMatching(/^interrupted: the engine finishes the steps in flight/),
        });
        expect(onInterrupt(1, false).forward).toBe(true);
        expect(onInterrupt(2, true)).toEqual({ forward: true, say: "terminating the engine now" });
    });

    it("finds the CLI and its plugins below the deploy script, deepest first, and nothing else", () => {
        // ps -A -o pid=,ppid= : 100 the script, 200 the CLI, 300/301 plugins, 400 a plugin's child; 999 unrelated.
        const ps = "    1     0\n  100     1\n  200   100\n  300   200\n  301   200\n  400   301\n  999     1\n";
        expect(descendantsOf(100, ps)).toEqual([300, 400, 301, 200]);
        expect(descendantsOf(999, ps)).toEqual([]);
    });

    it("recognises the CLI's own cancelling notice (backend/cancellation_scope.go)", () => {
        expect(
            CLI_CANCELLING.test(
                "^C received; cancelling. If you would like to terminate immediately, press ^C again.\n",
            ),
        ).toBe(true);
        expect(CLI_CANCELLING.test("Updating (local)\n")).toBe(false);
    });
});

describe("a stale lock", () => {
    const lock = (pid: number, hostname: string) => ({
        path: `/b/.pulumi/locks/organization/arroyo-pi/pi-cluster/${pid}.json`,
        pid,
        username: "op",
        hostname,
        timestamp: "2026-11-30T12:00:00.123Z",
    });

    it("is removed when its process on this host is gone, and named when it may still be in use", () => {
        const alive = (pid: number) => pid === 200;
        const r = staleLocks([lock(100, "deployer"), lock(200, "deployer"), lock(300, "laptop")], "deployer", alive);
        expect(r.remove.map((l) => l.pid)).toEqual([100]);
        expect(r.blocking).toEqual([
            "locked by op@deployer (pid 200) since 2026-11-30T12:00:00.123Z, still running: wait for it to end",
            "locked by op@laptop (pid 300) since 2026-11-30T12:00:00.123Z: if that run is gone, remove the lock with 'pulumi cancel --stack <stack> --yes'",
        ]);
    });
});

describe("pending operations", () => {
    it("are refreshed away, pending creates cleared, with what was pending said", () => {
        const deployment = {
            pending_operations: [
                {
                    resource: {
                        urn: "urn:pulumi:pi-cluster::arroyo-pi::arroyo-pi:index:ArroyoCluster$arroyo-pi:index:ControllerRole$arroyo-pi:index:KafkaBroker$docker:index/container:Container::controller-kafka-container",
                        type: "docker:index/container:Container",
                    },
                    type: "creating",
                },
                {
                    resource: {
                        urn: "urn:pulumi:pi-cluster::arroyo-pi::docker:index/volume:Volume::controller-kafka-data",
                        type: "docker:index/volume:Volume",
                    },
                    type: "creating",
                },
            ],
        };
        const STACK_URN = "urn:pulumi:pi-cluster::arroyo-pi::pulumi:pulumi:Stack::arroyo-pi-pi-cluster";
        const TOPIC =
            "urn:pulumi:pi-cluster::arroyo-pi::arroyo-pi:index:ArroyoCluster$arroyo-pi:index:ControllerRole$arroyo-pi:index:NexmarkTopics$kafka:index/topic:Topic::controller-topics-bid";
        const resources = [
            { urn: STACK_URN, type: "pulumi:pulumi:Stack" },
            { urn: TOPIC, type: "kafka:index/topic:Topic" },
        ];
        // Only creates pending: the refresh touches nothing but the stack's record (no topic is read from Kafka).
        expect(pendingRecovery({ ...deployment, resources })).toEqual({
            refresh: true,
            say: "the last update was interrupted with 2 operation(s) pending (2 creating): refreshing nothing but the state's record and clearing the pending creates first",
            targets: [STACK_URN],
        });
        expect(pendingRecovery({})).toEqual({ refresh: false, say: null, targets: [] });
    });

    it("refresh only the resources the pending operations touched, never the whole stack", () => {
        const CONTROLLER =
            "urn:pulumi:simpi::arroyo-pi::arroyo-pi:index:ArroyoCluster$arroyo-pi:index:ControllerRole$arroyo-pi:index:ArroyoController$docker:index/container:Container::controller-arroyo-container";
        const TOPIC =
            "urn:pulumi:simpi::arroyo-pi::arroyo-pi:index:ArroyoCluster$arroyo-pi:index:ControllerRole$arroyo-pi:index:NexmarkTopics$kafka:index/topic:Topic::controller-topics-bid";
        const deployment = {
            pending_operations: [
                { resource: { urn: CONTROLLER, type: "docker:index/container:Container" }, type: "deleting" },
                { resource: { urn: CONTROLLER, type: "docker:index/container:Container" }, type: "creating" },
            ],
            resources: [
                {
                    urn: "urn:pulumi:simpi::arroyo-pi::pulumi:pulumi:Stack::arroyo-pi-simpi",
                    type: "pulumi:pulumi:Stack",
                },
                { urn: CONTROLLER, type: "docker:index/container:Container" },
                { urn: TOPIC, type: "kafka:index/topic:Topic" },
            ],
        };
        const r = pendingRecovery(deployment);
        expect(r.targets).toEqual([CONTROLLER]);
        expect(r.say).toBe(
            "the last update was interrupted with 2 operation(s) pending (1 deleting, 1 creating): refreshing the 1 resource(s) they touched and clearing the pending creates first",
        );
    });
});

describe("containers of the stack that its state does not hold", () => {
    // `docker ps -a --no-trunc --format '{{.ID}} {{.Names}}'` and a stack export's resources (id at the top level).
    const MINIO = "3f1c9a0d2b7e4c5f8a6b1d0e9f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c";
    const KAFKA = "9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9";
    const REPLACEMENT = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

    it("are the ones an interrupted up created before it could record them", () => {
        const state = {
            resources: [
                { type: "docker:index/container:Container", id: MINIO, outputs: { name: "arroyo-pi-sim-minio" } },
                {
                    type: "docker:index/volume:Volume",
                    id: "arroyo-pi-sim-kafka-data",
                    outputs: { name: "arroyo-pi-sim-kafka-data" },
                },
            ],
        };
        const ps = `${MINIO} arroyo-pi-sim-minio\n${KAFKA} arroyo-pi-sim-kafka\n`;
        expect(orphanContainers(ps, containersInState(state))).toEqual([{ id: KAFKA, name: "arroyo-pi-sim-kafka" }]);
        expect(orphanContainers("", containersInState(state))).toEqual([]);
    });

    it("include the new container of an interrupted replacement, which has the name of the one the state holds", () => {
        // Two Ctrl-Cs while the controller was replaced: the new container runs, the state still has the old one.
        const state = {
            resources: [
                {
                    type: "docker:index/container:Container",
                    id: MINIO,
                    outputs: { name: "arroyo-pi-sim-arroyo-controller" },
                },
            ],
        };
        const ps = `${REPLACEMENT} arroyo-pi-sim-arroyo-controller\n`;
        expect(orphanContainers(ps, containersInState(state))).toEqual([
            { id: REPLACEMENT, name: "arroyo-pi-sim-arroyo-controller" },
        ]);
    });
});

describe("engine errors, as the user reads them", () => {
    const hosts = [
        { name: "b1pc10", address: "192.0.2.70" },
        { name: "b1pc11", address: "192.0.2.71" },
        { name: "b1pc1", address: "192.0.2.7" },
    ];

    it("leaves a line that names the host already as it is: a host is named once", () => {
        const line =
            "cannot log in to b1pc11 (picocluster@192.0.2.71:22): All configured authentication methods failed";
        expect(nameHosts(line, hosts)).toBe(line);
        // The same address on a line that does not name the host still gets its name.
        expect(nameHosts(`${line}\ndial tcp 192.0.2.71:22: connect: connection refused`, hosts).split("\n")[1]).toBe(
            "dial tcp 192.0.2.71:22 (host b1pc11): connect: connection refused",
        );
    });

    it("names the host behind every address, and says what to do when one did not answer", () => {
        const out = nameHosts("error: ssh: dial tcp 192.0.2.71:22: i/o timeout", hosts);
        expect(out).toBe(
            "error: ssh: dial tcp 192.0.2.71:22 (host b1pc11): i/o timeout\nhint: a host did not answer over SSH: check that it is up and reachable from here (the preflight names it before anything changes: run the same command again)",
        );
        // A prefix of another address is not that address.
        expect(nameHosts("connecting to 192.0.2.70 and 192.0.2.7", hosts)).toBe(
            "connecting to 192.0.2.70 (host b1pc10) and 192.0.2.7 (host b1pc1)",
        );
    });

    it("says how to get an image onto a host that cannot pull it", () => {
        const out = nameHosts(
            'docker:index/remoteImage:RemoteImage (worker-b1pc11-host-image-arroyo): error: unable to pull image ghcr.io/arroyosystems/arroyo:0.15.0: Get "https://ghcr.io/v2/": dial tcp 140.82.121.34:443: i/o timeout',
            hosts,
        );
        expect(out).toMatch(
            /hint: a host could not pull an image .*docker save <image> \| ssh <user>@<host> docker load/,
        );
    });

    it("leaves a message without hosts as it is", () =>
        expect(nameHosts("Invalid configuration", hosts)).toBe("Invalid configuration"));
});
