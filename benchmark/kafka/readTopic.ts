// Reads a topic whole, for verifying what a query wrote (verify.ts compares it without I/O).
import { Kafka, logLevel } from "kafkajs";
import { endOffsets } from "./admin";

/** Every record of a topic, from its start to its end offsets when called, as parsed JSON values. */
export async function readTopic(
    bootstrapServers: string,
    topic: string,
    groupId: string,
    timeoutMs = 300_000,
): Promise<Record<string, unknown>[]> {
    const kafka = new Kafka({
        clientId: "arroyo-pi-verify",
        brokers: bootstrapServers.split(","),
        logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map((await endOffsets(admin, topic)).map((end, partition) => [partition, end]));
    await admin.disconnect();
    const remaining = new Set([...ends].filter(([, end]) => end > 0).map(([p]) => p));
    const records: Record<string, unknown>[] = [];
    if (remaining.size === 0) return records;
    const consumer = kafka.consumer({ groupId, maxBytes: 16 * 1024 * 1024 });
    await consumer.connect();
    try {
        await consumer.subscribe({ topic, fromBeginning: true });
        await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(
                () =>
                    reject(
                        new Error(
                            `reading ${topic} took longer than ${timeoutMs / 1000} s (${records.length} records read)`,
                        ),
                    ),
                timeoutMs,
            );
            void consumer.run({
                eachBatch: async ({ batch }) => {
                    const end = ends.get(batch.partition) ?? 0;
                    for (const m of batch.messages) {
                        if (Number(m.offset) >= end) break;
                        if (m.value) records.push(JSON.parse(m.value.toString()) as Record<string, unknown>);
                    }
                    if (Number(batch.lastOffset()) + 1 >= end) remaining.delete(batch.partition);
                    if (remaining.size === 0) {
                        clearTimeout(timer);
                        resolve();
                    }
                },
            });
        });
    } finally {
        await consumer.disconnect();
        const cleanup = kafka.admin();
        await cleanup.connect();
        await cleanup.deleteGroups([groupId]).catch(() => undefined);
        await cleanup.disconnect();
    }
    return records;
}
