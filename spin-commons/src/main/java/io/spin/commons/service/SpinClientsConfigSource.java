package io.spin.commons.service;

import io.spin.contract.KafkaCredentials;

/**
 * What every service's clients share, so no service's configuration repeats it: the process's Kafka credentials
 * ({@link KafkaCredentials}, from SPIN_KAFKA_USER ...) as {@code kafka.*} for the SmallRye channels and
 * {@code kafka-streams.*} for Kafka Streams (none when the process has no Kafka user), and a quiet schema resolver
 * (it logs each schema it looks up, whole, at INFO).
 */
public class SpinClientsConfigSource extends MapConfigSource {
    public SpinClientsConfigSource() {
        super("spin-clients");
        properties.put("quarkus.log.category.\"DefaultSchemaResolver\".level", "WARN"); // its logger is named by the simple class name
        KafkaCredentials credentials = KafkaCredentials.current();
        if (credentials != null) {
            credentials.clientConfig().forEach((key, value) -> {
                properties.put("kafka." + key, value);
                properties.put("kafka-streams." + key, value);
            });
        }
    }
}
