/** Beyond this relative difference, Arroyo's consumed count and Kafka's are flagged as disagreeing. */
export const ARROYO_KAFKA_TOLERANCE = 0.05;
