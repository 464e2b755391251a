package io.spin.pairbuilder;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.jboss.logging.Logger;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;

import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.kafka.DeadLetters;
import io.spin.contract.RunFailed;
import io.spin.contract.SpinTopic;

/**
 * A pair that can never be written (over the topic's record bound, or not serializable) fails its run with the reason
 * and goes to the dead-letter topic (cut to fit); the topology goes on with every other run. Without this the stream
 * thread failed on the same record again at every replacement, and pairing stopped for every run. Anything else (a
 * changelog write, a broker away) fails as before: the thread is replaced and resumes from its last commit.
 */
public class UnwritablePairHandler implements ProductionExceptionHandler {
    private static final Logger LOG = Logger.getLogger(UnwritablePairHandler.class);
    private ControlPublisher control;
    private DeadLetters deadLetters;
    private ControlEvents events;

    @Override
    public void configure(Map<String, ?> configs) {
        String bootstrap = String.valueOf(configs.get("bootstrap.servers"));
        String registry = String.valueOf(configs.get(DeadLetterHandler.REGISTRY_URL));
        control = new ControlPublisher(bootstrap, registry, io.spin.contract.ServicePrincipal.PAIR_BUILDER);
        deadLetters = new DeadLetters(bootstrap, registry, "pair-builder");
        events = new ControlEvents(ControlEvents.instanceId("pair-builder", null));
    }

    @Override
    public ProductionExceptionHandlerResponse handle(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        boolean neverFits = exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException;
        return neverFits ? failRun(record.topic(), record.key(), record.value(), exception) : ProductionExceptionHandlerResponse.FAIL;
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ProductionExceptionHandlerResponse handleSerializationException(ErrorHandlerContext context, ProducerRecord record,
                                                                          Exception exception, SerializationExceptionOrigin origin) {
        if (io.spin.commons.kafka.RegistryOutage.isOutage(exception)) {
            return ProductionExceptionHandlerResponse.FAIL; // the registry is away: retry from the last commit, fail nothing
        }
        byte[] key = record.key() instanceof String s ? s.getBytes(StandardCharsets.UTF_8) : null;
        return failRun(record.topic(), key, null, exception instanceof SerializationException ? exception : new SerializationException(exception));
    }

    private ProductionExceptionHandlerResponse failRun(String topic, byte[] key, byte[] value, Exception exception) {
        if (!SpinTopic.PAIRS.topicName().equals(topic) || key == null) {
            return ProductionExceptionHandlerResponse.FAIL;
        }
        String pairKey = new String(key, StandardCharsets.UTF_8);
        String runId = pairKey.substring(0, Math.max(0, pairKey.indexOf('/')));
        if (runId.isEmpty()) {
            return ProductionExceptionHandlerResponse.FAIL;
        }
        String reason = "the pair " + pairKey + " cannot be written to " + topic + (value == null ? "" : " (" + value.length + " bytes)")
                + ": " + exception.getMessage();
        LOG.errorf("run %s fails: %s", runId, reason);
        deadLetters.publish(topic, -1, -1L, key, value, exception);
        control.publish(events.of(runId, RunFailed.newBuilder().setComponent("pair-builder").setReason(reason).build()));
        return ProductionExceptionHandlerResponse.CONTINUE;
    }
}
