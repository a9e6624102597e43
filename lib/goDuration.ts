// The docker provider stores healthcheck durations the way Go prints a time.Duration
// (`time.Duration.String()`: "1m0s", "1m30s", "500ms", "0s"), and compares the program's value with
// that stored form: any other spelling ("60s") shows as a change on every preview. Durations go
// to the provider only through goDuration().

const UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };

/** Milliseconds as Go's time.Duration.String() prints them. */
export function goDuration(ms: number): string {
    if (!Number.isFinite(ms) || ms < 0)
        throw new Error(`a duration must be a finite number of milliseconds >= 0 (got ${ms})`);
    const ns = Math.round(ms * 1e6);
    if (ns === 0) return "0s";
    const trim = (whole: number, frac: number, digits: number) => {
        const f = frac === 0 ? "" : `.${String(frac).padStart(digits, "0").replace(/0+$/, "")}`;
        return `${whole}${f}`;
    };
    if (ns < 1_000) return `${ns}ns`;
    if (ns < 1_000_000) return `${trim(Math.floor(ns / 1_000), ns % 1_000, 3)}µs`;
    if (ns < 1_000_000_000) return `${trim(Math.floor(ns / 1_000_000), ns % 1_000_000, 6)}ms`;
    const h = Math.floor(ns / 3.6e12);
    const m = Math.floor((ns % 3.6e12) / 6e10);
    const sNs = ns % 6e10;
    const s = `${trim(Math.floor(sNs / 1e9), sNs % 1e9, 9)}s`;
    if (h > 0) return `${h}h${m}m${s}`;
    if (m > 0) return `${m}m${s}`;
    return s;
}

/** Seconds as Go prints them: goDuration for the common case of whole seconds. */
export const goSeconds = (seconds: number): string => goDuration(seconds * 1000);

/** Reads a Go duration ("1m30s", "250ms", "1.5h"); throws on anything else. */
export function parseGoDuration(text: string): number {
    if (text === "0") return 0;
    const re = /(\d+(?:\.\d*)?|\.\d+)(h|ms|m|s|us|µs|ns)/gy;
    let total = 0;
    let at = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        total += Number(m[1]) * UNITS[m[2]];
        at = re.lastIndex;
    }
    if (at !== text.length || text.length === 0) throw new Error(`'${text}' is not a Go duration`);
    return total;
}

/** Whether `text` is a duration in exactly the form the provider stores. */
export function isCanonicalGoDuration(text: string): boolean {
    try {
        return goDuration(parseGoDuration(text)) === text;
    } catch {
        return false;
    }
}
