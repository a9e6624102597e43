// A real Arroyo (`arroyo cluster`: API, controller, compiler and the process scheduler in one
// process) on loopback, for the suites that hold the test double against Arroyo itself. The binary
// is not served by any registry: ARROYO_BIN names one built from ArroyoSystems/arroyo v0.15.0
// (default: the toolchain cache's bin/arroyo). Its database is sqlite in a temporary folder, its
// checkpoints and artifacts local files there; every port is a free loopback one.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { cacheDir } from "../../toolchain/paths";
import { freePort } from "../../toolchain/net";
import { httpAnswers, waitFor } from "../../probes/waitFor";
import { stopChild } from "./stopChild";

export function arroyoBinary(): string | undefined {
    const bin = process.env.ARROYO_BIN ?? path.join(cacheDir(), "bin", "arroyo");
    return fs.existsSync(bin) ? bin : undefined;
}

export interface RealArroyo {
    apiUrl: string;
    log: () => string;
    stop(): Promise<void>;
}

export async function startRealArroyo(bin: string): Promise<RealArroyo> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "arroyo-pi-real-arroyo-"));
    const [api, admin, controller, compiler] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
        ...process.env,
        // ARROYO__A__B_C is config key a.b-c (arroyo-rpc/src/config.rs).
        ARROYO__API__BIND_ADDRESS: "127.0.0.1",
        ARROYO__API__HTTP_PORT: String(api),
        ARROYO__ADMIN__BIND_ADDRESS: "127.0.0.1",
        ARROYO__ADMIN__HTTP_PORT: String(admin),
        ARROYO__CONTROLLER__BIND_ADDRESS: "127.0.0.1",
        ARROYO__CONTROLLER__RPC_PORT: String(controller),
        ARROYO__COMPILER__BIND_ADDRESS: "127.0.0.1",
        ARROYO__COMPILER__RPC_PORT: String(compiler),
        ARROYO__WORKER__BIND_ADDRESS: "127.0.0.1",
        ARROYO__HOSTNAME: "127.0.0.1",
        ARROYO__DATABASE__TYPE: "sqlite",
        ARROYO__DATABASE__SQLITE__PATH: path.join(dir, "arroyo.sqlite"),
        ARROYO__CHECKPOINT_URL: path.join(dir, "checkpoints"),
        ARROYO__COMPILER__ARTIFACT_URL: path.join(dir, "artifacts"),
        ARROYO__COMPILER__BUILD_DIR: path.join(dir, "build"),
        ARROYO__COMPILER__INSTALL_RUSTC: "false",
        ARROYO__COMPILER__INSTALL_CLANG: "false",
    };
    let output = "";
    const child: ChildProcess = spawn(bin, ["cluster"], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.on("data", (d) => (output = (output + d).slice(-200_000)));
    child.stderr!.on("data", (d) => (output = (output + d).slice(-200_000)));
    const apiUrl = `http://127.0.0.1:${api}/api/v1`;
    await waitFor(
        "the real Arroyo's API",
        async () => {
            if (child.exitCode !== null)
                throw new Error(`arroyo cluster exited (${child.exitCode}): ${output.slice(-2000)}`);
            return httpAnswers(`${apiUrl}/ping`, 2_000);
        },
        { timeoutMs: 120_000, intervalMs: 500 },
    );
    return {
        apiUrl,
        log: () => output,
        async stop() {
            await stopChild(child);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
