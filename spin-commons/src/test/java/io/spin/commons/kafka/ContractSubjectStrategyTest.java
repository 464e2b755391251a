package io.spin.commons.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.avro.Schema;
import org.junit.jupiter.api.Test;

import io.spin.contract.GeneratedSample;
import io.spin.contract.PreferencePair;

class ContractSubjectStrategyTest {

    @Test
    void contractTopicsUseTheirOwnSubjectAndInternalTopicsTheSubjectOfTheirRecordsTopic() {
        assertEquals("spin.samples-value", ContractSubjectStrategy.subject("spin.samples", GeneratedSample.getClassSchema()));
        assertEquals("spin.samples-value",
                ContractSubjectStrategy.subject("spin-pair-builder-pending-samples-changelog", GeneratedSample.getClassSchema()));
        assertEquals("spin.pairs-value", ContractSubjectStrategy.subject("spin-pair-builder-pairs-by-run-repartition", PreferencePair.getClassSchema()));
        Schema stranger = new Schema.Parser().parse("{\"type\":\"record\",\"name\":\"Stranger\",\"fields\":[]}");
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> ContractSubjectStrategy.subject("somewhere", stranger));
        assertEquals("topic somewhere is not in the contract and no contract topic holds Stranger values", refused.getMessage());
    }
}
