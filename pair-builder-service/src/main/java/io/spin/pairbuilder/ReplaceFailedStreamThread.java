package io.spin.pairbuilder;

import java.util.logging.Level;
import java.util.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * A stream thread that failed (the registry away, say: see DeadLetterHandler) is replaced by a new one, which resumes
 * from the last exactly-once commit, instead of the whole pair builder shutting down.
 */
@ApplicationScoped
public class ReplaceFailedStreamThread implements StreamsUncaughtExceptionHandler {
    private static final Logger LOG = Logger.getLogger(ReplaceFailedStreamThread.class.getName());

    @Override
    public StreamThreadExceptionResponse handle(Throwable exception) {
        LOG.log(Level.WARNING, "stream thread failed; replacing it (it resumes from the last commit)", exception);
        try {
            Thread.sleep(2000); // a failure that repeats at once (registry still away) does not spin
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
