package io.spin.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.api.Test;

/**
 * The registry's rule, FULL_TRANSITIVE, checked before any registry sees the contract: each topic's value schema
 * must read every earlier version's records (backward) and be read by every earlier version (forward). The earlier
 * versions are kept in test resources (contract-history/DATE/SUBJECT.avsc), as released; a change that breaks an
 * installed registry (a type appended to the control union, a field without a default) fails here.
 */
class ContractHistoryTest {

    @Test
    void everyTopicsSchemaReadsAndIsReadByEveryEarlierVersion() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Path version : versions()) {
            for (SpinTopic topic : SpinTopic.values()) {
                Path earlier = version.resolve(topic.valueSubject() + ".avsc");
                if (!Files.exists(earlier)) {
                    continue; // a topic that version did not have
                }
                Schema old;
                try (InputStream in = Files.newInputStream(earlier)) {
                    old = new Schema.Parser().parse(in);
                }
                Schema now = topic.valueSchema();
                assertEquals(SchemaCompatibilityType.COMPATIBLE, SchemaCompatibility.checkReaderWriterCompatibility(now, old).getType(),
                        topic.valueSubject() + " cannot read records of " + version.getFileName() + ": "
                                + SchemaCompatibility.checkReaderWriterCompatibility(now, old).getResult().getIncompatibilities());
                assertEquals(SchemaCompatibilityType.COMPATIBLE, SchemaCompatibility.checkReaderWriterCompatibility(old, now).getType(),
                        "readers of " + version.getFileName() + " cannot read " + topic.valueSubject() + " as written now: "
                                + SchemaCompatibility.checkReaderWriterCompatibility(old, now).getResult().getIncompatibilities());
                checked.add(version.getFileName() + "/" + topic.valueSubject());
            }
        }
        assertTrue(checked.contains("2026-12-06/spin.control-value"), checked.toString());
    }

    @Test
    void aTypeAppendedToTheControlUnionIsWhatTheRuleRefuses() throws Exception {
        Schema old = new Schema.Parser().parse(versions().get(0).resolve("spin.control-value.avsc").toFile());
        String appended = ControlEvent.getClassSchema().toString().replace("]}],\"doc\":\"The event itself.",
                "]},{\"type\":\"record\",\"name\":\"Extra\",\"fields\":[]}],\"doc\":\"The event itself.");
        Schema extended = new Schema.Parser().parse(appended);
        assertFalse(extended.toString().equals(ControlEvent.getClassSchema().toString()), "the union got a type");
        assertEquals(SchemaCompatibilityType.INCOMPATIBLE, SchemaCompatibility.checkReaderWriterCompatibility(old, extended).getType(),
                "an earlier reader meets a type its union lacks");
    }

    private static List<Path> versions() throws IOException, URISyntaxException {
        Path root = Path.of(ContractHistoryTest.class.getResource("/contract-history").toURI());
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        }
    }
}
