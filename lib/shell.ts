/** Quotes a string for a POSIX shell: single quotes, with embedded ones closed and escaped. */
export function shellQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell line that sets $SUDO to nothing for root and to `sudo -n` otherwise: scripts run as the
 * SSH user, and sudo must fail at once rather than wait for a password no one can type.
 */
export const SUDO_UNLESS_ROOT = 'if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo -n"; fi';
