// The README's commands as tests run them: the ```sh blocks of one section, as written.

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
