package io.spin.commons.kafka;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;

import io.apicurio.registry.resolver.ParsedSchema;
import io.apicurio.registry.resolver.data.Record;
import io.apicurio.registry.resolver.strategy.ArtifactReference;
import io.apicurio.registry.resolver.strategy.ArtifactReferenceResolverStrategy;
import io.apicurio.registry.serde.data.SerdeRecord;
import io.spin.contract.SpinTopic;

/**
 * Where a writer finds its schema in the registry: a contract topic's own subject ({@code <topic>-value}, as Apicurio's
 * TopicIdStrategy), and for any other topic (Kafka Streams' changelogs and repartition topics) the subject of the
 * contract topic whose values have this record's schema. So internal topics need no schema of their own, which
 * matters because writers may not register (only the deployment step may).
 */
public class ContractSubjectStrategy implements ArtifactReferenceResolverStrategy<Schema, Object> {

    @Override
    public ArtifactReference artifactReference(Record<Object> data, ParsedSchema<Schema> schema) {
        String topic = ((SerdeRecord<Object>) data).metadata().getTopic();
        // the resolver asks before it parses the schema (schema is then null): the record knows its own
        Schema recordSchema = schema != null ? schema.getParsedSchema()
                : data.payload() instanceof GenericContainer record ? record.getSchema() : null;
        return ArtifactReference.builder().groupId(null).artifactId(subject(topic, recordSchema)).build();
    }

    static String subject(String topic, Schema schema) {
        for (SpinTopic t : SpinTopic.values()) {
            if (t.topicName().equals(topic)) {
                return t.valueSubject();
            }
        }
        for (SpinTopic t : SpinTopic.values()) {
            if (schema != null && t.valueSchema().getFullName().equals(schema.getFullName())) {
                return t.valueSubject();
            }
        }
        throw new IllegalArgumentException("topic " + topic + " is not in the contract and no contract topic holds "
                + (schema == null ? "values without a schema" : schema.getFullName() + " values"));
    }

    @Override
    public boolean loadSchema() {
        return false;
    }
}
