package io.spin.orchestrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(30) // an actor that waited for itself would hang
class RunActorTest {

    @Test
    void tasksRunOneAtATimeInTheOrderGiven() throws Exception {
        try (RunActor actor = new RunActor("test-actor")) {
            List<Integer> seen = new ArrayList<>(); // no lock: only the actor touches it
            CountDownLatch gate = new CountDownLatch(1);
            actor.tell(() -> await(gate)); // holds the actor while the others queue
            for (int i = 0; i < 100; i++) {
                int n = i;
                actor.tell(() -> seen.add(n));
            }
            gate.countDown();
            assertEquals(100, actor.ask(seen::size), "an ask queues behind every task told before it");
            assertEquals(java.util.stream.IntStream.range(0, 100).boxed().toList(), actor.ask(() -> List.copyOf(seen)));
        }
    }

    @Test
    void anAskOnTheActorRunsAtOnceInsteadOfWaitingForItself() {
        try (RunActor actor = new RunActor("test-actor")) {
            String name = actor.ask(() -> actor.ask(() -> Thread.currentThread().getName()));
            assertEquals("test-actor", name);
        }
    }

    @Test
    void anAskedFailureReachesTheCallerAndTheActorGoesOn() {
        try (RunActor actor = new RunActor("test-actor")) {
            IllegalStateException failure = new IllegalStateException("broker away");
            assertSame(failure, assertThrows(IllegalStateException.class, () -> actor.ask(() -> {
                throw failure;
            })));
            actor.tell(() -> {
                throw new IllegalArgumentException("a told task that fails is logged");
            });
            assertEquals(42, actor.ask(() -> 42));
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
