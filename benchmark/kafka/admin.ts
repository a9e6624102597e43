import { Admin, ITopicConfig } from "kafkajs";

/**
 * Runs a Kafka admin request again while the broker answers with a retriable error. Right after
 * a topic or the first consumer group is created, a busy broker answers "not the correct
 * coordinator" or "does not host this topic-partition" for a while; kafkajs does not retry
 * those for group offsets or leader waits. Non-retriable errors fail at once.
 */
export async function retrying<T>(what: string, request: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        try {
            return await request();
        } catch (err) {
            const retriable = (err as { retriable?: boolean }).retriable === true;
            if (!retriable) throw err;
            if (Date.now() >= deadline)
                throw new Error(
                    `${what} did not succeed within ${Math.round(timeoutMs / 1000)} s; last error: ${(err as Error).message}`,
                    { cause: err },
                );
            await new Promise((r) => setTimeout(r, 250));
        }
    }
}

/**
 * Creates topics and waits until every partition has a leader that answers offset requests, so
 * the next request (a producer's, an offset read) does not meet a partition still being placed.
 */
export async function createTopicsAndWait(admin: Admin, topics: ITopicConfig[]): Promise<void> {
    await retrying(`creating ${topics.map((t) => t.topic).join(", ")}`, () =>
        admin.createTopics({ topics: topics.map((t) => ({ ...t, replicationFactor: 1 })), waitForLeaders: false }),
    );
    for (const t of topics) {
        await retrying(`leaders of ${t.topic}`, async () => {
            const offsets = await admin.fetchTopicOffsets(t.topic);
            if (offsets.length !== t.numPartitions)
                throw Object.assign(new Error(`${t.topic} has ${offsets.length} of ${t.numPartitions} partitions`), {
                    retriable: true,
                });
        });
    }
}

/**
 * A query's results topic, one partition per subtask. Engines stamp a window's output with the
 * window's event time, and under a fixed --base-time those instants can be months old. The
 * broker's time retention (log.retention.hours, 7 days by default) deletes a segment whose newest
 * record is older than that, and a segment whose first record is older than log.roll.hours is
 * rolled at the next write, so every write of such records starts a segment the next retention
 * check (every 5 min) deletes: the first windows' records vanished before the benchmark read
 * them. Time retention is off on the topic; the benchmark deletes the topic itself when done.
 */
export function resultsTopicConfig(topic: string, partitions: number): ITopicConfig {
    return { topic, numPartitions: partitions, configEntries: [{ name: "retention.ms", value: "-1" }] };
}

/**
 * The next offset to be written, per partition in partition order. Right after a topic is
 * created its leaders may not be known yet: retried while the broker says so.
 */
export async function endOffsets(admin: Admin, topic: string): Promise<number[]> {
    return (await retrying(`end offsets of ${topic}`, () => admin.fetchTopicOffsets(topic)))
        .sort((a, b) => a.partition - b.partition)
        .map((o) => Number(o.high));
}
