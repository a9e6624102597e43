// Arroyo as the cluster runs it: `arroyo cluster` on the controller host, one `arroyo node` per
// worker, its own MinIO user, and the check that its image starts on each host's kernel.
import { ARROYO_MINIO_USER } from "../../config/defaults";
import { jemallocAbortMessage } from "../../hosts/facts";
import { shellQuote } from "../../lib/shell";
import { dockerName } from "../common";
import type { EngineDeployment } from "../engine";
import { ArroyoController } from "./controller";
import { ArroyoNode, arroyoNodeContainerName, nodeMemoryLimitMb } from "./node";
import { arroyoPolicy } from "./policy";

export const arroyoDeployment: EngineDeployment = {
    toolchain: [],
    // From the real binary (ARROYO_BIN), never from the test double.
    imageStep: "arroyo-image",
    image: (config) => config.images.arroyo,
    // Arroyo runs as it ships: the stack sets nothing of its own beyond the shared budget.
    settings: () => ({}),
    // Its jemalloc aborts at start on a kernel with larger pages than it was built for, which
    // would leave every Arroyo container restarting forever: started once on each host first.
    hostCheck: (config) => ({
        image: config.images.arroyo,
        lines: (hostName) => [
            `probe=$($SUDO docker run --rm ${shellQuote(config.images.arroyo)} --version 2>&1 | head -n 5)`,
            // Inside double quotes on purpose: the message's $(getconf PAGESIZE) expands on the host; it holds no other $, ` or ".
            `if printf '%s' "$probe" | grep -q 'Unsupported system page size'; then echo "${jemallocAbortMessage(hostName, "$(getconf PAGESIZE)")}" >&2; failed=1; fi`,
            `echo "docker MemoryLimit=$ml; the Arroyo image's --version: $(printf '%s' "$probe" | head -n 1)"`,
        ],
    }),
    minioUser: {
        user: ARROYO_MINIO_USER,
        policyName: "arroyo-checkpoints",
        policy: (b) => arroyoPolicy(b.checkpoints, b.results),
    },
    controllerRoles: ["arroyo-controller"],
    workerRoles: ["arroyo-node"],
    // API, controller and compiler in one process: an estimate for the preflight, not a limit.
    controllerMemoryMb: 512,
    workerMemoryMb: nodeMemoryLimitMb,

    controller(at, after) {
        const { config } = at;
        const controller = new ArroyoController(
            `${at.name}-arroyo`,
            {
                placement: at.placement,
                image: config.images.arroyo,
                storage: at.storage,
                checkpointIntervalSeconds: config.cluster.checkpointIntervalSeconds,
                externalHost: at.externalHost,
                clusterHost: at.clusterHost(dockerName(config.stack, "arroyo-controller")),
                hostNetwork: at.hostNetwork,
                retainData: config.retainData,
            },
            { parent: at.parent, dependsOn: after },
        );
        return {
            endpoints: { arroyoApiUrl: controller.apiUrl },
            worker: (w) =>
                new ArroyoNode(
                    `${w.name}-node`,
                    {
                        placement: w.placement,
                        workerName: w.worker.name,
                        image: config.images.arroyo,
                        storage: at.storage,
                        controllerEndpoint: controller.controllerEndpoint,
                        taskSlots: w.worker.taskSlots,
                        memoryPerSlotMb: config.cluster.memoryPerSlotMb,
                        // The same budget for every engine: what the config gives a worker.
                        cpus: config.cluster.cpusPerWorker,
                        advertisedHost: w.clusterHost(arroyoNodeContainerName(config.stack, w.worker.name)),
                        hostNetwork: w.hostNetwork,
                    },
                    // A node started before its controller answers only logs errors.
                    { parent: w.parent, dependsOn: [controller.ready] },
                ),
        };
    },
};
