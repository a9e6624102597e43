import { OffsetCommitter } from "./commitOffsets";
import { AssignerProtocol, Consumer, ConsumerConfig, Kafka, PartitionAssigner } from "kafkajs";

/**
 * A partition assigner that gives the group's one member exactly `partitions` of `topic`.
 * kafkajs has no `assign()` (librdkafka's, which Arroyo's sources use); a consumer alone in its
 * own group with this assigner reads the same partitions, without depending on a rebalance.
 */
export function fixedAssigner(topic: string, partitions: number[]): PartitionAssigner {
    return () => ({
        name: "ArroyoPiFixedAssigner",
        version: 0,
        async assign({ members }) {
            return members.map((m, i) => ({
                memberId: m.memberId,
                memberAssignment: AssignerProtocol.MemberAssignment.encode({
                    version: 0,
                    assignment: i === 0 ? { [topic]: partitions } : {},
                    userData: Buffer.alloc(0),
                }),
            }));
        },
        protocol({ topics }) {
            return {
                name: "ArroyoPiFixedAssigner",
                metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
            };
        },
    });
}

export interface AssignedConsumerOptions {
    /** A group of this consumer's own: its committed offsets say where reading starts. */
    groupId: string;
    topic: string;
    partitions: number[];
    /** Offset to start each partition at (the next record to read). */
    startOffsets: Map<number, number>;
    consumerConfig?: Omit<ConsumerConfig, "groupId" | "partitionAssigners">;
}

/**
 * A connected consumer of exactly `partitions`, starting at `startOffsets`: the offsets are
 * committed to the consumer's own (new, empty) group before it joins, so no seek can race the
 * first fetch. The caller subscribes it to `topic` and runs it.
 */
export async function assignedConsumer(kafka: Kafka, opts: AssignedConsumerOptions): Promise<Consumer> {
    const committer = new OffsetCommitter(kafka);
    try {
        await committer.commit(
            opts.groupId,
            opts.topic,
            opts.partitions.map((p) => ({ partition: p, offset: opts.startOffsets.get(p) ?? 0 })),
        );
    } finally {
        await committer.disconnect();
    }
    const consumer = kafka.consumer({
        ...opts.consumerConfig,
        groupId: opts.groupId,
        partitionAssigners: [fixedAssigner(opts.topic, opts.partitions)],
    });
    await consumer.connect();
    return consumer;
}
