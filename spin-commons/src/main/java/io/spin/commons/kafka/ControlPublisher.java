package io.spin.commons.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.apicurio.registry.serde.avro.AvroKafkaSerializer;
import io.spin.contract.ControlEvent;
import io.spin.contract.ServicePrincipal;
import io.spin.contract.SpinTopic;

/**
 * Writes control events keyed by run id, durably (acks=all, idempotent), and waits until each is stored: a service's
 * reports on its own report topic ({@link ServicePrincipal#reportTopic()}), which the orchestrator appends to the
 * control log if the service may report them.
 */
public final class ControlPublisher implements Reports, AutoCloseable {
    private final KafkaProducer<String, Object> producer;
    private final String topic;

    /** A publisher of {@code service}'s reports. */
    public ControlPublisher(String bootstrap, String registryUrl, ServicePrincipal service) {
        this(bootstrap, registryUrl, service.reportTopic());
    }

    /** A publisher to {@code topic}: a report topic, or the control log for tools that act as the orchestrator. */
    public ControlPublisher(String bootstrap, String registryUrl, SpinTopic topic) {
        this.topic = topic.topicName();
        producer = new KafkaProducer<>(producerConfig(bootstrap, registryUrl));
    }

    /** Producer settings every SPIN writer uses: durable, idempotent, Apicurio Avro values. */
    public static Map<String, Object> producerConfig(String bootstrap, String registryUrl) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroKafkaSerializer.class);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, io.spin.contract.Limits.RECORD_BYTES);
        config.putAll(serializerConfig(registryUrl));
        return io.spin.contract.KafkaCredentials.secured(config);
    }

    /**
     * How every SPIN writer finds its value schemas: registered by the deployment step (the only one the registry lets
     * write), looked up by content, self-contained (dereferenced) as the deployment registers them. A writer whose
     * schema was never registered fails naming it, rather than registering it.
     */
    public static Map<String, Object> serializerConfig(String registryUrl) {
        return Map.of("apicurio.registry.url", registryUrl, "apicurio.registry.auto-register", false,
                "apicurio.registry.dereference-schema", true,
                "apicurio.registry.artifact-resolver-strategy", ContractSubjectStrategy.class.getName());
    }

    @Override
    public void publish(ControlEvent event) {
        try {
            producer.send(new ProducerRecord<>(topic, event.getRunId(), event)).get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing a control event", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not write control event " + event.getPayload().getClass().getSimpleName()
                    + " of run " + event.getRunId() + " to " + topic + ": " + e, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
