// The function names Arroyo 0.15's planner knows (test/fixtures/arroyo-0.15.0-functions.json, with
// where each list comes from), and the calls an SQL text makes. The double refuses a call to any
// other name as the planner does; a unit test checks every query file the same way, so a name
// Arroyo does not register fails here and not on a cluster.
import * as fs from "fs";
import * as path from "path";

interface FunctionList {
    scalar: string[];
    aggregate: string[];
    window: string[];
    arroyo: string[];
    /** Aliases DataFusion defines that Arroyo does not register, with the name it does. */
    aliasesNotRegistered: Record<string, string>;
    /** SQL syntax that reads like a call and is planned into a registered function. */
    syntax: Record<string, string>;
}

let cached: FunctionList | undefined;
export function arroyoFunctions(): FunctionList {
    cached ??= JSON.parse(
        fs.readFileSync(path.resolve(__dirname, "../../fixtures/arroyo-0.15.0-functions.json"), "utf8"),
    ) as FunctionList;
    return cached;
}

// Words that precede a parenthesis without being a call: clauses, operators, type parameters, and
// the names of tables and views being declared or written to.
const NOT_CALLS = new Set([
    "in",
    "values",
    "as",
    "on",
    "using",
    "over",
    "from",
    "join",
    "where",
    "and",
    "or",
    "not",
    "exists",
    "cast",
    "try_cast",
    "case",
    "when",
    "then",
    "else",
    "end",
    "select",
    "with",
    "interval",
    "decimal",
    "numeric",
    "varchar",
    "char",
    "primary",
    "key",
    "partition",
    "by",
    "rows",
    "range",
    "filter",
    "within",
    "group",
    "order",
    "struct",
    "array",
    "map",
    "row",
    "all",
    "any",
    "some",
    "lateral",
    "unnest_table",
]);

/** The names an SQL text calls, lower-cased, in order of first use (comments and string literals skipped). */
export function functionCalls(sql: string): string[] {
    const text = sql.replace(/--[^\n]*/g, " ").replace(/'(?:[^']|'')*'/g, "''");
    const declared = new Set(
        [...text.matchAll(/\b(?:table|view|into)\s+([A-Za-z_][\w]*)/gi)].map((m) => m[1].toLowerCase()),
    );
    const names: string[] = [];
    for (const m of text.matchAll(/\b([A-Za-z_][\w]*)\s*\(/g)) {
        const name = m[1].toLowerCase();
        if (NOT_CALLS.has(name) || declared.has(name)) continue;
        if (!names.includes(name)) names.push(name);
    }
    return names;
}

/** Planner errors for calls to names Arroyo 0.15 does not register (datafusion-sql's "Invalid function"). */
export function unknownFunctions(sql: string): string[] {
    const f = arroyoFunctions();
    const known = new Set([...f.scalar, ...f.aggregate, ...f.window, ...f.arroyo, ...Object.keys(f.syntax)]);
    return functionCalls(sql)
        .filter((name) => !known.has(name))
        .map(
            (name) =>
                `Error during planning: Invalid function '${name}'${f.aliasesNotRegistered[name] ? ` (DataFusion's alias of '${f.aliasesNotRegistered[name]}', which Arroyo registers by its name only)` : ""}`,
        );
}
