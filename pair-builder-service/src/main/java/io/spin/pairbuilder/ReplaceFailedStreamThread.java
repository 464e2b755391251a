package io.spin.pairbuilder;

import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

import io.quarkus.runtime.Quarkus;

/**
 * A stream thread that failed (the registry away, say: see DeadLetterHandler) is replaced by a new one, which resumes
 * from the last exactly-once commit, instead of the whole pair builder shutting down. Bounded: replacements back off
 * (2, 4, 8 ... 60 s), and after {@link #ATTEMPTS} failures with no {@link #STEADY_MS} of steady work between them, or at
 * once on an {@link Error} (out of memory, say), the process exits with status 1 so its supervisor (Kubernetes,
 * ./spin up) restarts it fresh, instead of replacing a thread forever.
 */
@ApplicationScoped
public class ReplaceFailedStreamThread implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(ReplaceFailedStreamThread.class);
    static final int ATTEMPTS = 8;
    static final long STEADY_MS = 10 * 60_000L;
    private int failures;
    private long lastFailure;

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        if (causedByError(exception)) {
            LOG.error("stream thread failed with an Error; the pair builder exits to be restarted", exception);
            return exit();
        }
        long now = System.currentTimeMillis();
        failures = now - lastFailure > STEADY_MS ? 1 : failures + 1;
        lastFailure = now;
        if (failures > ATTEMPTS) {
            LOG.errorf(exception, "stream thread failed %d times in a row; the pair builder exits to be restarted", failures);
            return exit();
        }
        long backOff = backOffMs(failures);
        LOG.warnf(exception, "stream thread failed (%d of %d); replacing it in %d ms (it resumes from the last commit)", failures, ATTEMPTS,
                backOff);
        try {
            Thread.sleep(backOff); // a failure that repeats at once (registry still away) does not spin
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    static long backOffMs(int failures) {
        return Math.min(60_000L, 1000L << Math.min(failures, 6));
    }

    static boolean causedByError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof Error) {
                return true;
            }
        }
        return false;
    }

    private static StreamThreadExceptionResponse exit() {
        Quarkus.asyncExit(1);
        return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }
}
