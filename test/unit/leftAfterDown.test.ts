import { leftAfterDown } from "../../scripts/leftAfterDown";

// A pi-cluster-shaped state before `down`, reduced to what is read (`pulumi stack export` form).
const urn = (parent: string, type: string, name: string) =>
    `urn:pulumi:simpi::arroyo-pi::arroyo-pi:index:ArroyoCluster$${parent}$${type}::${name}`;
const image = (role: string, ref: string) => ({
    type: "docker:index/remoteImage:RemoteImage",
    urn: urn(
        `arroyo-pi:index:${role === "controller" ? "ControllerRole" : "WorkerRole"}$arroyo-pi:index:DockerHost`,
        "docker:index/remoteImage:RemoteImage",
        `${role}-host-image-${ref.replace(/[^a-z0-9]+/g, "-")}`,
    ),
    inputs: { name: ref, keepLocally: true },
});
const state = {
    resources: [
        image("controller", "apache/kafka:4.1.1"),
        image("controller", "ghcr.io/arroyosystems/arroyo:0.15.0"),
        image("worker-simpi-pc11", "ghcr.io/arroyosystems/arroyo:0.15.0"),
        {
            type: "docker:index/volume:Volume",
            urn: urn("x", "docker:index/volume:Volume", "controller-kafka-data"),
            inputs: { name: "arroyo-pi-simpi-kafka-data" },
            retainOnDelete: true,
        },
        {
            type: "docker:index/volume:Volume",
            urn: urn("x", "docker:index/volume:Volume", "controller-minio-data"),
            inputs: { name: "arroyo-pi-simpi-minio-data" },
            retainOnDelete: true,
        },
    ],
};
const hosts = {
    controller: { name: "simpi-pc10", dockerHost: "ssh://picocluster@192.0.2.10" },
    "simpi-pc11": { name: "simpi-pc11", dockerHost: "ssh://picocluster@192.0.2.11" },
};

describe("what down leaves, said with the command that removes it", () => {
    it("names each host's kept images, the retained volumes and the deployer's key files", () => {
        expect(leftAfterDown(state, { hosts, sshDir: "/home/op/.cache/arroyo-pi/ssh/simpi" })).toEqual([
            "left on simpi-pc10: the images (kept so that the next up does not pull them again); remove with: docker -H ssh://picocluster@192.0.2.10 image rm 'apache/kafka:4.1.1' 'ghcr.io/arroyosystems/arroyo:0.15.0'",
            "left on simpi-pc11: the images (kept so that the next up does not pull them again); remove with: docker -H ssh://picocluster@192.0.2.11 image rm 'ghcr.io/arroyosystems/arroyo:0.15.0'",
            "left: the data volumes arroyo-pi-simpi-kafka-data, arroyo-pi-simpi-minio-data (retainData: true; the next up adopts them); to delete them, set retainData false, run up, then down",
            "left on this machine: the operator key and host keys derived from the stack's secrets for ssh, in /home/op/.cache/arroyo-pi/ssh/simpi; remove with: rm -rf '/home/op/.cache/arroyo-pi/ssh/simpi'",
        ]);
    });

    it("says one line for the local target's shared engine, and nothing of keys or volumes it does not have", () => {
        const local = {
            controller: { name: "controller", dockerHost: "unix:///var/run/docker.sock" },
            "simpi-pc11": { name: "worker1", dockerHost: "unix:///var/run/docker.sock" },
        };
        expect(leftAfterDown({ resources: state.resources.slice(0, 3) }, { hosts: local })).toEqual([
            "left on this machine's Docker engine: the images (kept so that the next up does not pull them again); remove with: docker image rm 'apache/kafka:4.1.1' 'ghcr.io/arroyosystems/arroyo:0.15.0'",
        ]);
        expect(leftAfterDown({}, { hosts: local })).toEqual([]);
    });
});
