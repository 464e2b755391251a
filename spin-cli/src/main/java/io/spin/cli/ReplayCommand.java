package io.spin.cli;

import io.spin.stack.StackException;

import io.spin.commons.stack.StackEndpoints;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

import io.spin.commons.PairSnapshot;
import io.spin.commons.kafka.PairReplay;
import io.spin.commons.kafka.TopicReader;
import io.spin.storage.ObjectStorage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spin replay}: rebuild iterations' pair datasets from the pairs topic and check them against their snapshots. */
@Command(name = "replay", description = "Rebuild an iteration's preference dataset from the pairs topic alone and check it "
        + "byte for byte against the snapshot recorded for it. Needs only the broker and the registry.")
public final class ReplayCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    SpinCli parent;
    @Option(names = "--run", required = true, description = "Run id.")
    String runId;
    @Option(names = "--iteration", description = "Iteration t (or --all).")
    Integer iteration;
    @Option(names = "--all", description = "Every iteration of the run.")
    boolean all;
    @Option(names = "--out", description = "Write the dataset to this file (a folder with --all), or to s3://bucket/key.")
    String out;
    @Option(names = "--format", defaultValue = "FULL", description = "full (every field, as the snapshot) or trl (prompt, chosen, rejected).")
    PairSnapshot.Format format;

    @Override
    public Integer call() throws Exception {
        if (all == (iteration != null)) {
            throw new IllegalArgumentException("give --iteration T or --all");
        }
        PairSnapshot.Format columns = format;
        StackEndpoints e = parent.endpoints();
        ObjectStorage storage = new ObjectStorage(e.s3Endpoint(), e.s3AccessKey(), e.s3SecretKey(), e.bucket(), 2, java.time.Duration.ofMillis(200));
        PairReplay replay = new PairReplay(new TopicReader(e.kafkaClientConfig(), e.registryApiV3()));
        List<PairReplay.Result> results = replay.replay(runId, all ? null : Set.of(iteration),
                n -> System.err.printf("\rread %,d pair records", n));
        System.err.println();
        if (results.isEmpty() || results.stream().allMatch(r -> r.pairs().isEmpty())) {
            throw new StackException("no pairs of run " + runId + (all ? "" : " iteration " + iteration) + " in the pairs topic");
        }
        boolean allIdentical = true;
        for (PairReplay.Result r : results) {
            String verdict;
            if (r.recorded() == null) {
                verdict = "no PairsCompleted recorded for it (iteration incomplete?)";
                allIdentical = false;
            } else if (r.identical()) {
                verdict = "byte-identical to the recorded snapshot " + r.recorded().getSnapshot().getUri();
            } else {
                allIdentical = false;
                verdict = "DIFFERS from the recorded snapshot: recorded " + r.recorded().getPairCount() + " pairs, sha256 "
                        + r.recorded().getSnapshot().getSha256() + "; rebuilt " + r.pairs().size() + " pairs";
                try {
                    byte[] snapshot = storage.getBytes(storage.keyOf(r.recorded().getSnapshot().getUri()));
                    List<String> diff = r.differences(snapshot);
                    verdict += diff.isEmpty() ? " (same keys, different content)" : "; keys " + String.join(", ", diff.subList(0, Math.min(20, diff.size())));
                } catch (RuntimeException unreadable) {
                    verdict += " (snapshot unreadable: " + unreadable.getMessage() + ")";
                }
            }
            System.out.printf("iteration %d: %d pairs, sha256 %s: %s%n", r.iteration(), r.pairs().size(), r.sha256(), verdict);
            if (out != null) {
                write(storage, r, PairSnapshot.jsonl(r.pairs(), columns));
            }
        }
        return allIdentical ? ExitCodes.OK : ExitCodes.MISMATCH;
    }

    private void write(ObjectStorage storage, PairReplay.Result r, byte[] bytes) throws Exception {
        String name = "iter-" + r.iteration() + ".jsonl";
        if (out.startsWith("s3://")) {
            String key = storage.keyOf(all ? (out.endsWith("/") ? out : out + "/") + name : out);
            storage.putBytes(key, bytes, "application/x-ndjson");
            System.out.println("  written to " + storage.uri(key));
        } else {
            Path target = all ? Path.of(out).resolve(name) : Path.of(out);
            if (target.getParent() != null) {
                Files.createDirectories(target.getParent());
            }
            Files.write(target, bytes);
            System.out.println("  written to " + target);
        }
    }
}
