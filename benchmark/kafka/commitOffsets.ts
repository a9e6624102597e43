import { Kafka } from "kafkajs";
import { retrying } from "./admin";

interface Broker {
    offsetCommit(req: {
        groupId: string;
        groupGenerationId: number;
        memberId: string;
        retentionTime?: number;
        topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
    }): Promise<{
        responses: { topic: string; partitions: { partition: number; errorCode: number }[] }[];
    }>;
}
interface Cluster {
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    findGroupCoordinator(g: { groupId: string }): Promise<Broker>;
}

/**
 * Commits offsets to a consumer group without joining it, as a client that assigns its own
 * partitions does (librdkafka's commit after assign(), which Arroyo's Kafka source uses): an
 * OffsetCommit with generation -1 and no member id, which Kafka accepts for a group with no
 * members. kafkajs' admin.setOffsets instead joins the group with a consumer and waits for a
 * fetch (seconds each, and it refuses while another commit holds the group), so this sends the
 * request itself through kafkajs' own cluster and broker classes. kafkajs does not export them:
 * they are reached through the client's private cluster factory, pinned by package-lock to
 * kafkajs 2.2.4; an unknown kafkajs fails here with a message, never silently.
 */
export class OffsetCommitter {
    private readonly cluster: Cluster;
    private connected = false;

    constructor(kafka: Kafka) {
        const factory = Object.getOwnPropertySymbols(kafka).find(
            (s) => s.description === "private:Kafka:createCluster",
        );
        if (!factory)
            throw new Error(
                "this kafkajs has no private cluster factory: OffsetCommitter is written for kafkajs 2.2.x",
            );
        this.cluster = (kafka as unknown as Record<symbol, (o: object) => Cluster>)[factory]({
            allowAutoTopicCreation: false,
        });
    }

    async commit(groupId: string, topic: string, partitions: { partition: number; offset: number }[]): Promise<void> {
        if (!this.connected) {
            await this.cluster.connect();
            this.connected = true;
        }
        await retrying(`committing offsets of group ${groupId}`, async () => {
            const coordinator = await this.cluster.findGroupCoordinator({ groupId });
            const res = await coordinator.offsetCommit({
                groupId,
                groupGenerationId: -1,
                memberId: "",
                topics: [
                    {
                        topic,
                        partitions: partitions.map((p) => ({ partition: p.partition, offset: String(p.offset) })),
                    },
                ],
            });
            // kafkajs throws on a partition's error code already; this guards a response it let through.
            const failed = res.responses.flatMap((t) => t.partitions).filter((p) => p.errorCode !== 0);
            if (failed.length)
                throw Object.assign(
                    new Error(
                        `Kafka refused the commit of ${topic} partitions ${failed.map((p) => `${p.partition} (error ${p.errorCode})`).join(", ")}`,
                    ),
                    { retriable: true },
                );
        });
    }

    async disconnect(): Promise<void> {
        if (this.connected) await this.cluster.disconnect();
        this.connected = false;
    }
}
