package io.spin.runtime;

import io.spin.contract.KafkaCredentials;
import io.spin.contract.Limits;
import io.spin.contract.SpinTopic;

/**
 * What every service's clients share, so no service's configuration repeats it: the process's Kafka credentials
 * ({@link KafkaCredentials}, from SPIN_KAFKA_USER ...) as {@code kafka.*} for the SmallRye channels and
 * {@code kafka-streams.*} for Kafka Streams (none when the process has no Kafka user), the record size bound of the
 * contract ({@link Limits#RECORD_BYTES}) for producers, consumers and Kafka Streams' own topics, and a quiet schema resolver
 * (it logs each schema it looks up, whole, at INFO), and how the reports and dead-letters channels find their schemas
 * ({@code ControlPublisher.serializerConfig}, as every SPIN writer).
 */
public class SpinClientsConfigSource extends MapConfigSource {
    public SpinClientsConfigSource() {
        super("spin-clients");
        properties.put("quarkus.log.category.\"DefaultSchemaResolver\".level", "WARN"); // its logger is named by the simple class name
        // every record within the contract's limits can be written and read (Limits.RECORD_BYTES, as on every topic)
        String recordBytes = Integer.toString(Limits.RECORD_BYTES);
        properties.put("kafka.max.request.size", recordBytes);
        properties.put("kafka.max.partition.fetch.bytes", recordBytes);
        properties.put("kafka-streams.producer.max.request.size", recordBytes);
        properties.put("kafka-streams.consumer.max.partition.fetch.bytes", recordBytes);
        properties.put("kafka-streams.topic." + SpinTopic.MAX_MESSAGE_BYTES, recordBytes); // its changelog and repartition topics
        // the reports and dead-letters channels find their schemas as every SPIN writer does: one definition
        for (String channel : new String[] {"reports", "dead-letters"}) {
            io.spin.commons.kafka.ControlPublisher.serializerConfig("${spin.registry-api-url}")
                    .forEach((key, value) -> properties.put("mp.messaging.outgoing." + channel + "." + key, String.valueOf(value)));
        }
        KafkaCredentials credentials = KafkaCredentials.current();
        if (credentials != null) {
            credentials.clientConfig().forEach((key, value) -> {
                properties.put("kafka." + key, value);
                properties.put("kafka-streams." + key, value);
            });
        }
    }
}
