package io.spin.pairbuilder;

import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

import io.spin.commons.kafka.DeadLetters;

/**
 * A record of any input topic that does not decode goes to the dead-letter topic with where it came from and why;
 * the topology goes on with the next record instead of stopping.
 */
public class DeadLetterHandler implements DeserializationExceptionHandler {
    /** Streams property (kafka-streams.spin.registry-api-url) the handler reads to write Avro dead letters. */
    static final String REGISTRY_URL = "spin.registry-api-url";
    private DeadLetters deadLetters;

    @Override
    public void configure(Map<String, ?> configs) {
        deadLetters = new DeadLetters(String.valueOf(configs.get("bootstrap.servers")), String.valueOf(configs.get(REGISTRY_URL)),
                "pair-builder");
    }

    @Override
    public DeserializationHandlerResponse handle(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
        if (io.spin.commons.kafka.RegistryOutage.isOutage(exception)) {
            // every record looks undecodable while the registry is away: stop (the stream thread is replaced and
            // resumes from its last commit) rather than dead-letter good data
            return DeserializationHandlerResponse.FAIL;
        }
        deadLetters.publish(record.topic(), record.partition(), record.offset(), record.key(), record.value(), exception);
        return DeserializationHandlerResponse.CONTINUE;
    }
}
