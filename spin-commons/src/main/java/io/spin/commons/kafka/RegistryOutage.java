package io.spin.commons.kafka;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Tells a record that cannot be decoded apart from a schema registry that cannot be reached. The first is bad data
 * (dead-lettered, skipped); the second is a passing outage, during which every record would look bad: dead-lettering
 * them would skip good data, so readers wait for the registry instead.
 */
public final class RegistryOutage {
    private RegistryOutage() {
    }

    /** True when the failure comes from not reaching the registry (connection refused, timed out, host unknown). */
    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException
                    || t instanceof java.net.UnknownHostException || t instanceof java.net.NoRouteToHostException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes, waiting (1 s, 2 s, ... at most 30 s apart) while the registry cannot be reached, for at most
     * {@code patience}; any other failure is thrown at once, as is an outage that outlasts the patience.
     */
    public static <T> T await(Supplier<T> decode, Duration patience) {
        return await(decode, patience, Duration.ofSeconds(1));
    }

    static <T> T await(Supplier<T> decode, Duration patience, Duration firstPause) {
        long deadline = System.nanoTime() + patience.toNanos();
        long pause = firstPause.toMillis();
        while (true) {
            try {
                return decode.get();
            } catch (RuntimeException e) {
                if (!isOutage(e) || System.nanoTime() + pause * 1_000_000 > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                pause = Math.min(30_000, pause * 2);
            }
        }
    }
}
