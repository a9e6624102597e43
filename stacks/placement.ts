import { ClusterConfig } from "../config/load";
import { HostSpec } from "../config/schema";
import { HostAccess } from "../components/dockerHost";
import { urlHost } from "../lib/address";

/**
 * How the two targets differ, decided in one place. On the local target every "host" is a name
 * on one Docker engine: services find each other by container name on a bridge network and the
 * deployer reaches them on loopback. On the ssh target each host is a Pi: services are reached
 * at the Pi's address by everyone, and Arroyo runs on host networking.
 */
export interface TargetLayout {
    access(host: HostSpec): HostAccess;
    /** Address the deployer and the benchmark use for a service on `host`, as a URL takes it (IPv6 in brackets). */
    externalHost(host: HostSpec): string;
    /** Address other cluster members use for a service in container `containerName` on `host`, as a URL takes it. */
    clusterHost(host: HostSpec, containerName: string): string;
    publishIp: string;
    hostNetwork: boolean;
    sharedNetwork: boolean;
}

export function targetLayout(config: ClusterConfig): TargetLayout {
    if (config.target === "local") {
        return {
            access: () => ({ kind: "local", dockerHost: config.localDockerHost }),
            externalHost: () => "127.0.0.1",
            clusterHost: (_host, containerName) => containerName,
            publishIp: "127.0.0.1",
            hostNetwork: false,
            sharedNetwork: true,
        };
    }
    const ssh = config.ssh;
    if (!ssh) throw new Error("the ssh target needs ssh credentials (validated config is inconsistent)");
    return {
        access: () => ({
            kind: "ssh",
            user: ssh.user,
            privateKey: ssh.privateKey,
            installCommand: config.dockerInstallCommand,
        }),
        externalHost: (host) => urlHost(host.address),
        clusterHost: (host) => urlHost(host.address),
        publishIp: "0.0.0.0",
        hostNetwork: true,
        sharedNetwork: false,
    };
}
