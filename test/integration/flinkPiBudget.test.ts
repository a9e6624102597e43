// Flink as pi-cluster runs it, on one TaskManager of the shipped budget: the same settings as the
// deployment (components/flink/settings.ts: RocksDB state in managed memory, incremental
// checkpoints, bounded restarts) and the TaskManager process size of one worker of
// Pulumi.pi-cluster.yaml. The stateful queries a heap-only Flink of 1 GB could not hold (issue 27)
// run each for a measured window at a stated rate: no restart, no OutOfMemoryError, sustainable.
// What it cannot copy from a Pi: the CPU limit (this machine has 2 cores for everything).
import { runBenchmark } from "../../benchmark/run";
import { selectQueries } from "../../benchmark/queries";
import { FlinkEngine } from "../../benchmark/engines/flink";
import { QueryRun } from "../../benchmark/report/types";
import { parseClusterConfig } from "../../config/schema";
import { RunningBroker, startKafkaBroker } from "../../toolchain/kafkaBroker";
import { RunningFlink, startFlinkCluster } from "../../toolchain/flinkCluster";
import { flinkOutputs, NEXMARK_TOPICS } from "../helpers/doubleCluster";
import { rawConfig } from "../helpers/stackConfig";

const piCluster = parseClusterConfig(rawConfig("pi-cluster", { engine: "flink" }));
const worker = piCluster.workers[0];
const TASK_MANAGER_MB = worker.taskSlots * piCluster.cluster.memoryPerSlotMb;
/** Events per second every one of these queries keeps up with here, on one slot (the stated rate). */
const RATE = 1_000;
const QUERIES = ["q3", "q4", "q7", "q20"];

/** The memory split Flink reports for a TaskManager (REST /taskmanagers/:id memoryConfiguration), bytes. */
interface MemoryConfiguration {
    taskHeap: number;
    managedMemory: number;
    networkMemory: number;
    totalProcessMemory: number;
}

let broker: RunningBroker;
let flink: RunningFlink;
const runs = new Map<string, QueryRun>();
let memory: MemoryConfiguration;
let taskManagerId: string;

beforeAll(async () => {
    [broker, flink] = await Promise.all([
        startKafkaBroker({ topics: Object.fromEntries(Object.values(NEXMARK_TOPICS).map((t) => [t, 1])) }),
        startFlinkCluster({
            taskManagers: 1,
            slotsPerTaskManager: worker.taskSlots,
            taskManagerMb: TASK_MANAGER_MB,
            settings: piCluster.flink,
        }),
    ]);
    const [tm] = ((await (await fetch(`${flink.restUrl}/taskmanagers`)).json()) as { taskmanagers: { id: string }[] })
        .taskmanagers;
    taskManagerId = tm.id;
    memory = (
        (await (await fetch(`${flink.restUrl}/taskmanagers/${tm.id}`)).json()) as {
            memoryConfiguration: MemoryConfiguration;
        }
    ).memoryConfiguration;
    const mb = (b: number) => Math.round(b / 2 ** 20);
    console.log(
        `Flink TaskManager at pi-cluster's ${TASK_MANAGER_MB} MB: task heap ${mb(memory.taskHeap)} MB, managed ${mb(memory.managedMemory)} MB, network ${mb(memory.networkMemory)} MB, process ${mb(memory.totalProcessMemory)} MB`,
    );
    for (const run of await runBenchmark({
        outputs: flinkOutputs(broker.bootstrapServers, flink, { partitions: 1, totalSlots: worker.taskSlots }),
        engine: new FlinkEngine(flink.restUrl, flink.gatewayUrl),
        queries: selectQueries(QUERIES, "flink"),
        parallelism: worker.taskSlots,
        checkpointIntervalSeconds: 2,
        seed: 11,
        threads: 1,
        sampleIntervalMs: 500,
        metricsIntervalMs: 1_000,
        hostMetrics: false,
        thermal: false,
        lagThreshold: 0.05,
        eventsPerSecond: RATE,
        totalEvents: 45_000,
        warmupEvents: 15_000,
        runTag: "pibudget",
        drainMs: 30_000,
    }))
        runs.set(run.id, run);
}, 1_500_000);

afterAll(async () => {
    await flink?.stop();
    await broker?.stop();
});

describe(`Flink at pi-cluster's budget (${TASK_MANAGER_MB} MB, ${worker.taskSlots} slot), ${RATE} events/s`, () => {
    it("gives RocksDB managed memory and leaves the tasks a heap of their own", () => {
        expect(memory.totalProcessMemory).toBe(TASK_MANAGER_MB * 2 ** 20);
        // At 1 GB with the heap backend (issue 27): 26 MB of task heap, the managed memory idle.
        expect(memory.taskHeap).toBeGreaterThan(256 * 2 ** 20);
        expect(memory.managedMemory).toBeGreaterThan(256 * 2 ** 20);
    });

    it.each(QUERIES)(
        "%s runs on RocksDB with incremental checkpoints: no restart, sustainable, every event consumed",
        async (id) => {
            const q = runs.get(id)!;
            const config = (await (await fetch(`${flink.restUrl}/jobs/${q.jobId}/checkpoints/config`)).json()) as {
                state_backend: string;
                state_changelog_enabled?: boolean;
                checkpoint_storage: string;
            };
            const last = q.samples.progress[q.samples.progress.length - 1];
            console.log(
                `${id} at ${RATE} ev/s: ${q.figures.kafka.verdict}, consumed ${last.consumed} of ${last.input}, checkpoints ${q.figures.checkpoints.inWindow} in window, state backend ${config.state_backend}, storage ${config.checkpoint_storage}`,
            );
            expect(config.state_backend).toBe("EmbeddedRocksDBStateBackend");
            expect(q.validity).toEqual({ valid: true, reasons: [] });
            expect(q.figures.kafka.verdict).toBe("sustainable");
            expect(last.consumed).toBe(last.input);
            expect(q.figures.checkpoints.inWindow).toBeGreaterThan(0);
        },
    );

    it("no Flink process ran out of memory, and the TaskManager of the start ran every query", async () => {
        // The logs are whole, warnings and errors, stderr included (where a JVM reports its OOM).
        expect(flink.logLines(/OutOfMemoryError|Java heap space|GC overhead limit/)).toEqual([]);
        const now = (
            (await (await fetch(`${flink.restUrl}/taskmanagers`)).json()) as { taskmanagers: { id: string }[] }
        ).taskmanagers;
        expect(now.map((t) => t.id)).toEqual([taskManagerId]);
    });
});
