import { E2eProject } from "./engine";

// The real Pulumi engine runs the program; a config problem must stop it before any resource is
// declared, so this needs no resource plugin and leaves the stack empty.
describe("config errors on the real engine", () => {
    const project = new E2eProject();
    afterAll(() => project.remove());

    it("stops `preview` and `up` with every problem named, never echoes a secret, and declares nothing", async () => {
        await project.configure(
            "e2e-bad-config",
            {
                target: "ssh",
                sshUser: "picocluster",
                controller: JSON.stringify({ name: "pi1", address: "192.0.2.10" }),
                workers: "[]",
                retainDtaa: "true",
            },
            { minioRootUser: "minioadmin", minioRootPassword: "a-long-password" },
        );

        const preview = await project.deploy("preview", "e2e-bad-config");
        expect(preview.code).toBe(1);
        expect(preview.output).toContain("Invalid configuration (4 problems); nothing was deployed:");
        expect(preview.output).toContain("arroyo-pi:workers is empty: an Arroyo cluster needs at least one worker");
        expect(preview.output).toContain("arroyo-pi:retainDtaa is not a known setting: did you mean 'retainData'?");
        expect(preview.output).toContain("arroyo-pi:sshPrivateKey is missing");
        expect(preview.output).toContain("arroyo-pi:minioRootUser is MinIO's well-known default: it is allowed only on the local target");
        expect(preview.output).not.toContain("minioadmin");
        expect(preview.output).not.toContain("a-long-password");
        // A config error is the user's to fix, not a crash: no stack trace of the program.
        expect(preview.output).not.toMatch(/Unhandled exception|at parseClusterConfig|schema\.ts/);

        const up = await project.deploy("up", "e2e-bad-config");
        expect(up.code).toBe(1);
        expect(up.output).toContain("Invalid configuration (4 problems)");
        const state = JSON.parse(await project.pulumi(["stack", "export", "--stack", "e2e-bad-config"])) as { deployment: { resources?: { type: string }[] } };
        expect((state.deployment.resources ?? []).filter((r) => !r.type.startsWith("pulumi:"))).toEqual([]);
    }, 300_000);
});
