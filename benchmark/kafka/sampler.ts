// Reads what progress is measured from: the query's input topics' end offsets, its consumer
// groups' committed offsets and the results topic's end offsets (kafka/progress.ts turns them
// into figures without I/O).
import { Admin } from "kafkajs";
import { endOffsets, retrying } from "./admin";
import { OffsetCommitter } from "./commitOffsets";
import { ProgressSample, SourceGroup } from "./progress";

/**
 * Commits each group's offsets at its topic's current end, before the pipeline exists: with
 * 'source.offset' = 'group' the job starts exactly there (kafka/mod.rs: group -> Offset::Stored),
 * so it reads this run's load and nothing earlier, and nothing races partition assignment.
 * Returns the start offsets per table.
 */
export async function seedGroups(
    admin: Admin,
    committer: OffsetCommitter,
    groups: SourceGroup[],
): Promise<Map<string, number[]>> {
    const start = new Map<string, number[]>();
    for (const g of groups) {
        const existing = await retrying(`offsets of group ${g.groupId}`, () =>
            admin.fetchOffsets({ groupId: g.groupId, topics: [g.topic] }),
        );
        if (existing.some((t) => t.partitions.some((p) => Number(p.offset) >= 0))) {
            throw new Error(
                `consumer group '${g.groupId}' already has offsets on ${g.topic}: each run needs fresh groups (a run tag was reused?)`,
            );
        }
        const end = await endOffsets(admin, g.topic);
        await committer.commit(
            g.groupId,
            g.topic,
            end.map((offset, partition) => ({ partition, offset })),
        );
        start.set(g.table, end);
    }
    return start;
}

/** Reads the offsets a progress sample needs: a few small admin requests. */
export class KafkaProgressSampler {
    constructor(
        private readonly admin: Admin,
        private readonly groups: SourceGroup[],
        private readonly resultsTopic: string | undefined,
    ) {}

    async sample(): Promise<ProgressSample> {
        const time = Date.now();
        const tables = await Promise.all(
            this.groups.map(async (g) => {
                const [end, committed] = await Promise.all([
                    endOffsets(this.admin, g.topic),
                    this.admin.fetchOffsets({ groupId: g.groupId, topics: [g.topic] }),
                ]);
                const byPartition = new Map(
                    (committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
                );
                return {
                    table: g.table,
                    end,
                    committed: end.map((_, p) =>
                        (byPartition.get(p) ?? -1) >= 0 ? (byPartition.get(p) as number) : null,
                    ),
                };
            }),
        );
        const results = this.resultsTopic ? await endOffsets(this.admin, this.resultsTopic) : [];
        return { time, tables, results };
    }
}
