package io.spin.runtime;

import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

/**
 * An {@link Error} (out of memory, say) that escapes any thread of a service ends the process with status 1, so its
 * supervisor (Kubernetes, ./spin up's restart) starts it fresh: a thread that silently died left a service running but
 * deaf (the orchestrator's control-log thread, once). Services also run with -XX:+ExitOnOutOfMemoryError, which covers
 * an allocation that fails inside a thread that catches everything. Exceptions are left to each thread's own handling.
 */
@ApplicationScoped
public class FatalErrors {
    private static final Logger LOG = Logger.getLogger(FatalErrors.class);

    void install(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> {
            if (failure instanceof Error) {
                try {
                    LOG.errorf(failure, "an Error escaped thread %s; the process exits to be restarted", thread.getName());
                } finally {
                    Runtime.getRuntime().halt(1); // not exit(): shutdown hooks may need the memory that just ran out
                }
            } else if (previous != null) {
                previous.uncaughtException(thread, failure);
            } else {
                LOG.errorf(failure, "thread %s ended with an uncaught exception", thread.getName());
            }
        });
    }
}
