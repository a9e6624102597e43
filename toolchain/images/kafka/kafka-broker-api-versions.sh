#!/bin/sh
# bin/kafka-broker-api-versions.sh of Kafka's distribution (the deployment's health check calls it):
# the tool's class on the image's jars.
exec java -Xmx128m -Dlog4j2.configurationFile=/etc/kafka/docker/tools-log4j2.yaml -cp '/opt/kafka/libs/*' org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
