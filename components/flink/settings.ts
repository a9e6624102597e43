// Flink's settings as the cluster runs them, in one place: what every process shares, what the SQL
// Gateway's sessions start with (the jobs are built there, not on the JobManager), and the two
// profiles. The deployment and the real Flink of the tests (toolchain/flinkCluster.ts) both take
// them from here, so what the tests measure is what the Pis run.
import { FLINK_PORTS, FlinkSettingsOptions } from "../../config/defaults";

export type { FlinkSettingsOptions };

/** A lost Pi is seen within this (Flink's default, 50 s, is most of a measured window). */
export const FLINK_HEARTBEAT = { intervalMs: 3_000, timeoutMs: 15_000 } as const;

/** Restarts after a failure: a few, so a job that cannot run again fails instead of retrying for ever. */
export const FLINK_RESTARTS = { attempts: 5, delaySeconds: 10 } as const;

/**
 * The SQL Gateway's JVM: its container has FLINK_CONTROLLER_MB.sqlGateway (768 MB), where the
 * JVM's own default would take a quarter as heap; the planner it loads needs the metaspace.
 */
export const FLINK_GATEWAY_JVM_OPTS = "-Xms256m -Xmx384m -XX:MaxMetaspaceSize=192m";

/** What every Flink process of the cluster shares (JobManager, TaskManagers, SQL Gateway). */
export function flinkClusterSettings(o: FlinkSettingsOptions): Record<string, string> {
    return {
        // Keyed state in RocksDB, in the managed memory Flink sets aside for it (40 % of a
        // TaskManager's Flink memory, idle with the heap backend), checkpointed incrementally.
        "state.backend.type": "rocksdb",
        "execution.checkpointing.incremental": "true",
        "restart-strategy.type": "fixed-delay",
        "restart-strategy.fixed-delay.attempts": String(FLINK_RESTARTS.attempts),
        "restart-strategy.fixed-delay.delay": `${FLINK_RESTARTS.delaySeconds} s`,
        "heartbeat.interval": String(FLINK_HEARTBEAT.intervalMs),
        "heartbeat.timeout": String(FLINK_HEARTBEAT.timeoutMs),
        // The JobManager's REST API answers on the Pi's network: no jar upload or run through it.
        "web.submit.enable": "false",
        ...(o.prometheusReporter
            ? {
                  "metrics.reporter.prom.factory.class":
                      "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
                  // A range: with host networking the JobManager and the gateway share the controller Pi's ports.
                  "metrics.reporter.prom.port": `${FLINK_PORTS.prometheus}-${FLINK_PORTS.prometheus + 2}`,
              }
            : {}),
        ...(o.profile === "nexmark"
            ? {
                  "execution.checkpointing.local-backup.enabled": "true",
                  "execution.state-recovery.from-local": "true",
              }
            : {}),
    };
}

/** What a session of the SQL Gateway starts with: every job the benchmark submits is built from these. */
export function flinkSessionSettings(
    o: FlinkSettingsOptions & { checkpointIntervalSeconds: number },
): Record<string, string> {
    return {
        "execution.checkpointing.interval": `${o.checkpointIntervalSeconds} s`,
        "execution.checkpointing.mode": "EXACTLY_ONCE",
        ...(o.profile === "nexmark"
            ? {
                  "table.exec.mini-batch.enabled": "true",
                  "table.exec.mini-batch.allow-latency": "2 s",
                  "table.exec.mini-batch.size": "50000",
                  "table.optimizer.distinct-agg.split.enabled": "true",
              }
            : {}),
    };
}
