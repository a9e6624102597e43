import * as net from "net";

/**
 * An address as a URL or a `host:port` pair takes it: IPv6 in brackets (`[fd00::70]`), anything
 * else as it is. Every address that goes into an endpoint, a listener or an ssh:// URL goes
 * through here.
 */
export function urlHost(address: string): string {
    return net.isIPv6(address) ? `[${address}]` : address;
}
