package io.spin.orchestrator;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * The orchestrator's one ordered actor: the run book changes, and decisions are taken, only on its thread, one task at
 * a time in the order the tasks were given. Other threads hand it work ({@link #tell}) or wait for an answer
 * ({@link #ask}); so the book needs no lock and no two steps of a run (or of two runs) ever interleave. Readers that
 * must not wait (REST, SSE, metrics) read the immutable snapshots the book publishes instead.
 * <p>
 * A task must never wait for another thread that itself asks the actor (it would wait for itself): the actor's tasks
 * write to Kafka and read the book, nothing else.
 */
final class RunActor implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RunActor.class);

    private final ExecutorService executor;
    private volatile Thread thread;

    RunActor(String name) {
        executor = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, name);
            thread = t;
            return t;
        });
    }

    /** Queues the work after everything given before; a failure is logged, and the actor goes on. */
    void tell(Runnable work) {
        executor.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                LOG.error("orchestrator task failed", e);
            }
        });
    }

    /** Runs the work on the actor, after everything given before, and returns its answer (on the actor: at once). */
    <T> T ask(Supplier<T> work) {
        if (Thread.currentThread() == thread) {
            return work.get();
        }
        CompletableFuture<T> answer = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                answer.complete(work.get());
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            } catch (Error e) {
                answer.completeExceptionally(e);
                throw e; // on to the thread's handler too (FatalErrors ends the process)
            }
        });
        try {
            return answer.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** {@link #ask} for work with no answer. */
    void perform(Runnable work) {
        ask(() -> {
            work.run();
            return null;
        });
    }

    /** Lets the task at work finish (bounded), and drops those still queued. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
