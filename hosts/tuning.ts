// Opt-in Pi tuning (`piTuning: true`, never without it): what the preflight refuses on a stock
// Raspberry Pi OS host, fixed on the host the way its documentation says, once. The memory cgroup
// is switched on by the kernel command line (/boot/firmware/cmdline.txt, one line, since
// Bookworm; /boot/cmdline.txt is a stub there), and a Pi 5 boots its 4 KiB-page kernel with
// `kernel=kernel8.img` in /boot/firmware/config.txt (Arroyo's arm64 image aborts on 16 KiB pages).
// Both apply at the next boot: only hosts whose files changed are rebooted, then read again.
import { connect, run } from "../ssh/bootstrap";
import { shellQuote } from "../lib/shell";
import { HostFacts } from "./facts";
import { PreflightHost, PreflightResult, readHost } from "./preflight";

export interface TuningNeeds {
    memoryCgroup: boolean;
    fourKiBPages: boolean;
}

/** What a host needs, from its facts: nothing when it is already right. */
export function tuningNeeds(facts: HostFacts): TuningNeeds {
    return {
        memoryCgroup: !facts.memoryCgroup || facts.dockerMemoryLimit === false,
        fourKiBPages: facts.pageSizeBytes !== null && facts.pageSizeBytes !== 4096,
    };
}

export const needsAny = (n: TuningNeeds) => n.memoryCgroup || n.fourKiBPages;

/**
 * Edits the boot files under `bootDir` (as root) for what is needed, idempotently, and prints
 * `changed=1` when a file changed (a reboot is then due) or `changed=0`. The command line keeps its
 * one line: `cgroup_disable=memory` goes, `cgroup_enable=memory cgroup_memory=1` are appended once.
 */
export function tuningScript(needs: TuningNeeds, bootDir = "/boot/firmware"): string {
    return [
        "set -eu",
        "changed=0",
        `boot='${bootDir}'`,
        ...(needs.memoryCgroup
            ? [
                  'f="$boot/cmdline.txt"',
                  '[ -f "$f" ] || { echo "no $f: not Raspberry Pi OS Bookworm or later; add cgroup_enable=memory cgroup_memory=1 to the kernel command line by hand" >&2; exit 3; }',
                  'old=$(head -n 1 "$f")',
                  'new=" $old "',
                  'new=$(printf "%s" "$new" | sed "s/ cgroup_disable=memory / /g")',
                  'for p in cgroup_enable=memory cgroup_memory=1; do case "$new" in *" $p "*) ;; *) new="$new$p ";; esac; done',
                  'new=$(printf "%s" "$new" | sed "s/^ *//; s/ *$//")',
                  'if [ "$new" != "$old" ]; then printf "%s\\n" "$new" > "$f.arroyo-pi.tmp" && mv "$f.arroyo-pi.tmp" "$f"; changed=1; fi',
              ]
            : []),
        ...(needs.fourKiBPages
            ? [
                  'c="$boot/config.txt"',
                  '[ -f "$c" ] || { echo "no $c: set a 4 KiB-page kernel by hand" >&2; exit 3; }',
                  'if ! grep -q "^kernel=kernel8.img$" "$c"; then printf "\\n# arroyo-pi: the 4 KiB-page kernel (Arroyo\'s jemalloc aborts on 16 KiB pages)\\n[all]\\nkernel=kernel8.img\\n" >> "$c"; changed=1; fi',
              ]
            : []),
        'echo "changed=$changed"',
    ].join("\n");
}

/** A host after tuning: what is still wrong is refused by name. */
export function tuningLeft(host: string, facts: HostFacts): string[] {
    const n = tuningNeeds(facts);
    return [
        ...(n.memoryCgroup
            ? [
                  `${host}: piTuning did not take effect: the memory cgroup is still off after the reboot (kernel command line: check /boot/firmware/cmdline.txt holds one line with cgroup_enable=memory cgroup_memory=1)`,
              ]
            : []),
        ...(n.fourKiBPages
            ? [
                  `${host}: piTuning did not take effect: the kernel still has ${facts.pageSizeBytes}-byte pages after the reboot (check kernel=kernel8.img under [all] in /boot/firmware/config.txt)`,
              ]
            : []),
    ];
}

/**
 * Tunes the hosts that need it over SSH (hosts/preflight.ts's login, with sudo where the user is
 * not root), reboots those whose boot files changed, waits for them to answer again (bounded, with
 * progress) and reads them again. Returns each host's new reading.
 */
export async function tuneHosts(
    hosts: PreflightHost[],
    privateKey: string,
    needs: Map<string, TuningNeeds>,
    log: (line: string) => void,
    waitMs = 300_000,
): Promise<PreflightResult[]> {
    return Promise.all(
        hosts.map(async (host) => {
            const n = needs.get(host.name) as TuningNeeds;
            const session = await connect(host, { privateKey }, 20_000);
            let changed: boolean;
            try {
                const sudo = host.user === "root" ? "" : "sudo -n ";
                const r = await run(session.client, `${sudo}sh -c ${shellQuote(tuningScript(n))}`);
                if (r.code !== 0)
                    return {
                        name: host.name,
                        facts: null,
                        problems: [`${host.name}: piTuning failed (exit ${r.code}): ${r.stderr.trim()}`],
                    };
                changed = /changed=1/.test(r.stdout);
                if (changed) {
                    log(
                        `${host.name}: ${[n.memoryCgroup ? "memory cgroup on the kernel command line" : "", n.fourKiBPages ? "kernel=kernel8.img" : ""].filter(Boolean).join(" and ")} set; rebooting`,
                    );
                    // The connection drops with the reboot: its end is the expected answer.
                    await run(
                        session.client,
                        `${sudo}sh -c 'sleep 1; systemctl reboot || reboot' >/dev/null 2>&1 &`,
                    ).catch(() => undefined);
                }
            } finally {
                session.client.end();
            }
            if (!changed)
                return {
                    name: host.name,
                    facts: null,
                    problems: [
                        `${host.name}: piTuning found its boot files already tuned, but the running kernel is not: reboot it once ('sudo reboot') and run again`,
                    ],
                };
            const deadline = Date.now() + waitMs;
            // A reboot takes the host away for a while: wait until it has gone, then until it is back.
            await new Promise((r) => setTimeout(r, 10_000));
            for (;;) {
                const again = await readHost(host, privateKey, 8_000);
                if (again.facts) return again;
                if (Date.now() >= deadline)
                    return {
                        name: host.name,
                        facts: null,
                        problems: [
                            `${host.name}: did not answer within ${Math.round(waitMs / 1000)} s of its piTuning reboot: check it on its console`,
                        ],
                    };
                log(
                    `${host.name}: waiting for SSH after the reboot (${Math.round((deadline - Date.now()) / 1000)} s left)`,
                );
                await new Promise((r) => setTimeout(r, 5_000));
            }
        }),
    );
}
