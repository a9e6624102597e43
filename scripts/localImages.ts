// The local stack's images on a machine that no container registry answers (DESIGN.md §6): a
// default image this machine's Docker engine neither has nor can pull is built by
// toolchain/run.sh from Debian's archive and the package registries, and the stack runs that
// one. Arroyo's is built from the real binary, never from the test double. An image the stack's
// config names is never replaced: where it cannot be had, the Docker provider says so.
import { spawnSync, SpawnSyncReturns } from "child_process";
import * as path from "path";
import { DEFAULT_IMAGES } from "../config/defaults";
import type { ValidatedConfig } from "../config/schema";
import { engineDeployment } from "../components/engines";
import { REPO_ROOT } from "../toolchain/paths";

export type Images = ValidatedConfig["images"];
export type ImageKey = keyof Images;

/** Set to 1 on a machine that reaches no container registry: no pull is tried (tests set it, and dial nothing). */
export const OFFLINE_ENV = "ARROYO_PI_OFFLINE";

/** An image the stack's hosts run, and the toolchain step that builds it (printing its tag). */
export interface NeededImage {
    key: ImageKey;
    step: string;
}

/** Kafka's, MinIO's and the engine's image: what the controller and the workers run. */
export function neededImages(config: Pick<ValidatedConfig, "engine">): NeededImage[] {
    return [
        { key: "kafka", step: "kafka-image" },
        { key: "minio", step: "minio-image" },
        { key: config.engine, step: engineDeployment(config.engine).imageStep },
    ];
}

/** Of the needed images, the ones to build: a default this machine can neither find nor pull. */
export function imagesToBuild(images: Images, needed: readonly ImageKey[], usable: ReadonlySet<string>): ImageKey[] {
    return needed.filter((key) => images[key] === DEFAULT_IMAGES[key] && !usable.has(images[key]));
}

/** Why a step could not give an image, as the refusal says it. */
export function unbuildableMessage(key: ImageKey, ref: string, pullError: string, step: string, why: string): string {
    return (
        `images.${key}: ${ref} is not on this machine's Docker engine and could not be pulled (${pullError}), ` +
        `and 'toolchain/run.sh ${step}' ${why}. Fix: give it what its line above asks for, or set an image ` +
        `this machine has: pulumi config set --stack <stack> --path images.${key} <image>`
    );
}

const lastLine = (text: string) =>
    text
        .trim()
        .split("\n")
        .filter((l) => l.trim())
        .pop() ?? "";

/**
 * The images the local stack runs in place of its defaults on this machine, keyed as the `images`
 * config key is; empty where every default is on the engine or pulled. Throws, naming each image,
 * where one can be neither pulled nor built; nothing has been deployed then.
 */
export function localImageOverrides(config: ValidatedConfig, log: (line: string) => void): Partial<Images> {
    const env = { ...process.env, DOCKER_HOST: config.localDockerHost };
    const docker = (args: string[]): SpawnSyncReturns<string> =>
        spawnSync("docker", args, { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const needed = neededImages(config);
    const offline = process.env[OFFLINE_ENV] === "1";
    const usable = new Set<string>();
    const pullErrors = new Map<ImageKey, string>();
    for (const { key } of needed) {
        const ref = config.images[key];
        if (ref !== DEFAULT_IMAGES[key]) continue;
        if (docker(["image", "inspect", ref]).status === 0) {
            usable.add(ref);
            continue;
        }
        if (offline) {
            pullErrors.set(key, `not pulled: ${OFFLINE_ENV}=1`);
            continue;
        }
        log(`pulling ${ref} (images.${key})`);
        const pulled = docker(["pull", ref]);
        if (pulled.status === 0) usable.add(ref);
        else pullErrors.set(key, lastLine(pulled.stderr) || `docker pull exited ${pulled.status ?? pulled.signal}`);
    }

    const overrides: Partial<Images> = {};
    const refused: string[] = [];
    for (const key of imagesToBuild(
        config.images,
        needed.map((n) => n.key),
        usable,
    )) {
        const ref = config.images[key];
        const step = needed.find((n) => n.key === key)!.step;
        log(`note: no registry serves ${ref} here (${pullErrors.get(key)}): building it with toolchain/run.sh ${step}`);
        const built = spawnSync(path.join(REPO_ROOT, "toolchain", "run.sh"), [step], {
            env,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "inherit"],
        });
        const tag = built.status === 0 ? lastLine(built.stdout) : "";
        if (tag) {
            overrides[key] = tag;
            log(`note: images.${key}: the local stack runs ${tag}, built on this machine, in place of ${ref}`);
        } else {
            const why =
                built.status === 0 ? "has nothing to build it from" : `failed (exit ${built.status ?? built.signal})`;
            refused.push(unbuildableMessage(key, ref, pullErrors.get(key)!, step, why));
        }
    }
    if (refused.length) throw new Error(refused.join("\n"));
    return overrides;
}
