import * as kafka from "@pulumi/kafka";
import * as pulumi from "@pulumi/pulumi";
import { NEXMARK_TOPICS } from "../config/defaults";

export interface NexmarkTopicsArgs {
    /** `host:port` the deployer reaches the broker at. */
    bootstrapServers: string;
    /** One per worker slot at least, so every source subtask has a partition to read. */
    partitions: number;
    /** The broker's readiness: topics are only created once it answers. */
    brokerReady: pulumi.Resource;
}

/** The three Nexmark input topics, managed through the Kafka admin API. */
export class NexmarkTopics extends pulumi.ComponentResource {
    public readonly topics: Record<keyof typeof NEXMARK_TOPICS, kafka.Topic>;
    public readonly names: typeof NEXMARK_TOPICS = NEXMARK_TOPICS;

    constructor(name: string, args: NexmarkTopicsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("arroyo-pi:index:NexmarkTopics", name, {}, opts);
        const provider = new kafka.Provider(
            `${name}-admin`,
            // The provider defaults to TLS; the broker listens in plaintext on a private network.
            { bootstrapServers: [args.bootstrapServers], tlsEnabled: false, skipTlsVerify: false },
            { parent: this },
        );
        const topic = (kind: keyof typeof NEXMARK_TOPICS) =>
            new kafka.Topic(
                `${name}-${kind}`,
                { name: NEXMARK_TOPICS[kind], partitions: args.partitions, replicationFactor: 1 },
                { parent: this, provider, dependsOn: [args.brokerReady] },
            );
        this.topics = { person: topic("person"), auction: topic("auction"), bid: topic("bid") };
        this.registerOutputs({ names: this.names, partitions: args.partitions });
    }
}
