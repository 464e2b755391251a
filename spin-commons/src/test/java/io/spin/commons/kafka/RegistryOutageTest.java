package io.spin.commons.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class RegistryOutageTest {
    // the chain Apicurio's deserializer throws when nothing listens at the registry's address (seen on these machines)
    private static RuntimeException refused() {
        return new RuntimeException(new RuntimeException(new java.util.concurrent.ExecutionException(
                new java.net.ConnectException("Connection refused"))));
    }

    @Test
    void anUnreachableRegistryIsAnOutageAnUnknownSchemaIsBadData() {
        assertTrue(RegistryOutage.isOutage(refused()));
        assertTrue(RegistryOutage.isOutage(new IllegalStateException(new java.net.SocketTimeoutException("read timed out"))));
        assertFalse(RegistryOutage.isOutage(new IllegalArgumentException("No content with id 424242 was found")));
        assertFalse(RegistryOutage.isOutage(new org.apache.avro.AvroRuntimeException("Malformed data. Length is negative: -40")));
    }

    @Test
    void decodingWaitsOutAnOutageAndGivesUpOnBadDataAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        String decoded = RegistryOutage.await(() -> {
            if (calls.incrementAndGet() < 3) {
                throw refused();
            }
            return "value";
        }, Duration.ofSeconds(5), Duration.ofMillis(5));
        assertEquals("value", decoded);
        assertEquals(3, calls.get(), "two refused connections, then the registry answered");

        IllegalArgumentException bad = new IllegalArgumentException("No content with id 7 was found");
        AtomicInteger badCalls = new AtomicInteger();
        assertSame(bad, assertThrows(IllegalArgumentException.class, () -> RegistryOutage.await(() -> {
            badCalls.incrementAndGet();
            throw bad;
        }, Duration.ofSeconds(5), Duration.ofMillis(5))));
        assertEquals(1, badCalls.get(), "bad data is not retried");

        assertThrows(RuntimeException.class, () -> RegistryOutage.await(() -> {
            throw refused();
        }, Duration.ofMillis(50), Duration.ofMillis(5)), "an outage longer than the patience is thrown");
    }
}
