/** Beyond this relative difference, the engine's own consumed count and Kafka's are flagged as disagreeing. */
export const ENGINE_KAFKA_TOLERANCE = 0.05;
