// The README's commands as tests run them: the ```sh blocks of one section, as written, in the
// README or the docs/ file that holds it.
import * as fs from "fs";
import * as path from "path";
import { REPO_ROOT } from "../../toolchain/paths";

/** The shell commands of a README section's ```sh blocks: one per line or `&&` part, comments dropped. */
export function sectionCommands(readme: string, heading: string): string[] {
    const start = readme.indexOf(`\n## ${heading}\n`);
    if (start < 0) throw new Error(`README has no section '## ${heading}'`);
    const end = readme.indexOf("\n## ", start + 4);
    const body = readme.slice(start, end < 0 ? undefined : end);
    const blocks = [...body.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
    return blocks
        .flatMap((b) => b.split("\n"))
        .map((l) => l.replace(/\s+#\s.*$/, "").trim())
        .filter(Boolean)
        .flatMap((l) => l.split(/\s+&&\s+/));
}

/** The README and the docs it links, where the long sections live: each `## heading` is in one of them. */
export function docText(heading: string): { file: string; text: string } {
    const files = [
        "README.md",
        ...fs
            .readdirSync(path.join(REPO_ROOT, "docs"))
            .filter((f) => f.endsWith(".md"))
            .map((f) => path.join("docs", f)),
    ];
    const found = files
        .map((file) => ({ file, text: fs.readFileSync(path.join(REPO_ROOT, file), "utf8") }))
        .filter((d) => d.text.includes(`\n## ${heading}\n`));
    if (found.length !== 1)
        throw new Error(
            `'## ${heading}' is in ${found.length === 0 ? "none" : found.map((d) => d.file).join(" and ")} of ${files.join(", ")}: it must be in exactly one`,
        );
    return found[0];
}

/** A documented section's commands, wherever the README keeps it. */
export function docCommands(heading: string): string[] {
    return sectionCommands(docText(heading).text, heading);
}
