// Flink as the cluster runs it: a session cluster's JobManager and SQL Gateway on the controller
// host, one TaskManager per worker, and its own MinIO user.
import { FLINK_CONTROLLER_MB, FLINK_MINIO_USER } from "../../config/defaults";
import type { EngineDeployment } from "../engine";
import { FlinkJobManager, flinkJobManagerName } from "./jobManager";
import { flinkPolicy } from "./policy";
import { FlinkSqlGateway } from "./sqlGateway";
import { FlinkTaskManager, flinkTaskManagerName } from "./taskManager";

export const flinkDeployment: EngineDeployment = {
    // Its containers get the Kafka SQL connector from the deploying machine's cache (pinned hash).
    toolchain: ["flink-connector"],
    imageStep: "flink-image",
    image: (config) => config.images.flink,
    settings: (config) => ({ ...config.flink }),
    hostCheck: () => undefined,
    minioUser: { user: FLINK_MINIO_USER, policyName: "flink-checkpoints", policy: (b) => flinkPolicy(b.checkpoints) },
    controllerRoles: ["flink-jobmanager", "flink-sql-gateway"],
    workerRoles: ["flink-taskmanager"],
    // The JobManager's process size and the SQL Gateway's container limit.
    controllerMemoryMb: FLINK_CONTROLLER_MB.jobManager + FLINK_CONTROLLER_MB.sqlGateway,
    // A TaskManager's process memory, which is also its container's limit.
    workerMemoryMb: (taskSlots, memoryPerSlotMb) => taskSlots * memoryPerSlotMb,

    controller(at, after) {
        const { config } = at;
        const jobManagerHost = at.clusterHost(flinkJobManagerName(config.stack));
        const common = {
            placement: at.placement,
            image: config.images.flink,
            storage: at.storage,
            settings: config.flink,
            externalHost: at.externalHost,
            hostNetwork: at.hostNetwork,
        };
        const jobManager = new FlinkJobManager(
            `${at.name}-flink-jobmanager`,
            { ...common, clusterHost: jobManagerHost },
            { parent: at.parent, dependsOn: after },
        );
        const gateway = new FlinkSqlGateway(
            `${at.name}-flink-sql-gateway`,
            { ...common, jobManagerHost, checkpointIntervalSeconds: config.cluster.checkpointIntervalSeconds },
            { parent: at.parent, dependsOn: [jobManager.ready] },
        );
        return {
            endpoints: { flinkRestUrl: jobManager.restUrl, flinkSqlGatewayUrl: gateway.url },
            worker: (w) =>
                new FlinkTaskManager(
                    `${w.name}-flink-taskmanager`,
                    {
                        placement: w.placement,
                        workerName: w.worker.name,
                        image: config.images.flink,
                        storage: at.storage,
                        settings: config.flink,
                        jobManagerHost,
                        taskSlots: w.worker.taskSlots,
                        memoryPerSlotMb: config.cluster.memoryPerSlotMb,
                        // The same budget for every engine: what the config gives a worker.
                        cpus: config.cluster.cpusPerWorker,
                        advertisedHost: w.clusterHost(flinkTaskManagerName(config.stack, w.worker.name)),
                        hostNetwork: w.hostNetwork,
                    },
                    { parent: w.parent, dependsOn: [jobManager.ready] },
                ),
        };
    },
};
