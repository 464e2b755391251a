package io.spin.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that read a run's report and the run list in a loop while the run changes (the API's readers, as dashboards
 * and scripts are), each noting every answer that is not a 200: reads must never meet a run half-updated.
 */
final class ConcurrentReaders implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger reads = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads;

    ConcurrentReaders(int clients, String orchestratorUrl, String runId) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<URI> uris = List.of(URI.create(orchestratorUrl + "/runs/" + runId), URI.create(orchestratorUrl + "/runs"));
        threads = java.util.stream.IntStream.range(0, clients).mapToObj(i -> new Thread(() -> {
            for (int n = i; running.get(); n++) {
                URI uri = uris.get(n % 2);
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                    reads.incrementAndGet();
                    if (r.statusCode() != 200) {
                        failures.add(uri + ": " + r.statusCode() + " " + r.body());
                    }
                    Thread.sleep(20); // readers, not a load test: the run keeps its 2 cores
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    failures.add(uri + ": " + e);
                }
            }
        }, "reader-" + i)).toList();
        threads.forEach(t -> {
            t.setDaemon(true);
            t.start();
        });
    }

    int reads() {
        return reads.get();
    }

    List<String> failures() {
        return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
