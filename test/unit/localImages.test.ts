// Which of the local stack's images are built on a machine no registry serves, and the settings
// every Pulumi CLI of the project runs with (so `npm run bench` finds what `npm run up` deployed).
import * as path from "path";
import { DEFAULT_IMAGES, ENGINES } from "../../config/defaults";
import { imagesToBuild, neededImages, unbuildableMessage } from "../../scripts/localImages";
import { defaultBackendUrl, pulumiEnv, pulumiRoot, pulumiSettings } from "../../toolchain/paths";
import * as fs from "fs";

describe("the local stack's images where no registry serves them", () => {
    it("needs Kafka's, MinIO's and the engine's image, each with a toolchain step of its own", () => {
        for (const engine of ENGINES) {
            const needed = neededImages({ engine });
            expect(needed.map((n) => n.key)).toEqual(["kafka", "minio", engine]);
            expect(new Set(needed.map((n) => n.step)).size).toBe(3);
            // Each a step toolchain/run.sh knows.
            const run = fs.readFileSync(path.join(__dirname, "../../toolchain/run.sh"), "utf8");
            for (const n of needed) expect(run).toMatch(new RegExp(`^\\s+${n.step}\\) `, "m"));
        }
    });

    it("builds only the defaults that could be neither found nor pulled", () => {
        const keys = ["kafka", "minio", "arroyo"] as const;
        expect(imagesToBuild({ ...DEFAULT_IMAGES }, keys, new Set())).toEqual([...keys]);
        expect(imagesToBuild({ ...DEFAULT_IMAGES }, keys, new Set([DEFAULT_IMAGES.kafka]))).toEqual([
            "minio",
            "arroyo",
        ]);
        expect(imagesToBuild({ ...DEFAULT_IMAGES }, keys, new Set(keys.map((k) => DEFAULT_IMAGES[k])))).toEqual([]);
    });

    it("never replaces an image the config names, found or not", () => {
        const images = { ...DEFAULT_IMAGES, arroyo: "registry.example:5000/arroyo:mine" };
        expect(imagesToBuild(images, ["kafka", "arroyo"], new Set())).toEqual(["kafka"]);
    });

    it("says, when an image can be had neither way, which key, why, and the command that sets another", () => {
        const m = unbuildableMessage(
            "arroyo",
            DEFAULT_IMAGES.arroyo,
            "no such host",
            "arroyo-image",
            "has nothing to build it from",
        );
        expect(m).toContain(`images.arroyo: ${DEFAULT_IMAGES.arroyo}`);
        expect(m).toContain("(no such host)");
        expect(m).toContain("'toolchain/run.sh arroyo-image' has nothing to build it from");
        expect(m).toContain("pulumi config set --stack <stack> --path images.arroyo <image>");
    });
});

describe("the Pulumi CLI's settings", () => {
    it("keep the deploy's state and an empty passphrase where none is given", () => {
        expect(pulumiSettings({})).toEqual({
            PULUMI_BACKEND_URL: defaultBackendUrl(),
            PULUMI_CONFIG_PASSPHRASE: "",
            PULUMI_SKIP_UPDATE_CHECK: "1",
        });
    });

    it("leave a given backend, passphrase or passphrase file as they are", () => {
        const given = pulumiSettings({ PULUMI_BACKEND_URL: "file:///elsewhere", PULUMI_CONFIG_PASSPHRASE_FILE: "/p" });
        expect(given.PULUMI_BACKEND_URL).toBe("file:///elsewhere");
        expect(given).not.toHaveProperty("PULUMI_CONFIG_PASSPHRASE");
        expect(pulumiSettings({ PULUMI_CONFIG_PASSPHRASE: "s" })).not.toHaveProperty("PULUMI_CONFIG_PASSPHRASE");
    });

    it("put the toolchain's CLI first on PATH where it was built, and leave PATH alone where not", () => {
        const env = pulumiEnv({ PATH: "/usr/bin" });
        const bin = path.join(pulumiRoot(), "bin");
        if (fs.existsSync(path.join(bin, "pulumi"))) expect(env.PATH).toBe(`${bin}:/usr/bin`);
        else expect(env.PATH).toBe("/usr/bin");
    });
});
