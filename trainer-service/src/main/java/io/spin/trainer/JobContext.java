package io.spin.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
import io.spin.commons.storage.ObjectStorage;
import io.spin.contract.CheckpointRef;
import io.spin.contract.TrainingProgress;
import io.spin.core.checkpoint.CheckpointFiles;
import io.spin.core.checkpoint.CheckpointStore;
import io.spin.core.checkpoint.Manifest;
import io.spin.core.model.Policy;
import io.spin.core.train.AdamW;
import io.spin.core.train.StepMetrics;
import io.spin.core.train.TrainingListener;

/** What a training job uses: data, checkpoints, the control log, and the run's cancellation flag. */
record JobContext(TrainerState state, TrainingData data, CheckpointStore checkpoints, ObjectStorage storage,
                  ControlPublisher publisher, ControlEvents events, Path workDir, int checkpointEvery) {

    /** Where a job stopped: the weights and optimizer state saved after {@code step}. */
    record Resume(Policy policy, AdamW optimizer, int step) {
    }

    /** Thrown from the progress callback when the run was cancelled or ended meanwhile. */
    static final class Cancelled extends RuntimeException {
        Cancelled(String runId) {
            super("run " + runId + " was cancelled");
        }
    }

    /**
     * Emits TrainingProgress about 25 times per job (and at the last step), saves the in-iteration checkpoint every
     * {@code checkpointEvery} steps, and stops a cancelled run.
     */
    TrainingListener progress(String runId, int iteration, int policyIndex, String parentSha, Policy policy, AdamW optimizer) {
        return (StepMetrics m) -> {
            if (checkpointEvery > 0 && m.step() % checkpointEvery == 0 && m.step() < m.totalSteps()) {
                savePartial(runId, policyIndex, parentSha, policy, optimizer, m.step());
            }
            int every = Math.max(1, m.totalSteps() / 25);
            if (m.step() % every == 0 || m.step() == m.totalSteps()) {
                publisher.publish(events.of(runId, TrainingProgress.newBuilder().setIteration(iteration).setStep(m.step())
                        .setTotalSteps(m.totalSteps()).setLoss(m.loss()).build()));
            }
            if (state.isCancelled(runId)) {
                throw new Cancelled(runId);
            }
        };
    }

    private static String partialPrefix(String runId, int policyIndex) {
        return "runs/" + runId + "/iter-" + policyIndex + "/partial/";
    }

    /** The job's in-iteration checkpoint: weights, AdamW state and step, uploaded with its manifest last. */
    void savePartial(String runId, int policyIndex, String parentSha, Policy policy, AdamW optimizer, int step) {
        try {
            Path local = Files.createTempDirectory(workDir, "partial-");
            CheckpointFiles.save(policy, optimizer, local, runId + "/iter-" + policyIndex + "/partial", null,
                    Map.of("step", step, "parentSha256", parentSha == null ? "" : parentSha), Map.of());
            checkpoints.upload(local, partialPrefix(runId, policyIndex));
            deleteTree(local);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("could not save the in-iteration checkpoint of " + runId + " at step " + step, e);
        }
    }

    /** The job's in-iteration checkpoint if one was saved for the same parent, else null. */
    Resume resume(String runId, int policyIndex, String parentSha) throws IOException {
        String manifestKey = partialPrefix(runId, policyIndex) + Manifest.FILE_NAME;
        if (!storage.exists(manifestKey)) {
            return null;
        }
        String sha = io.spin.commons.Sha256.of(storage.getBytes(manifestKey));
        Path dir = checkpoints.fetch(storage.uri(partialPrefix(runId, policyIndex)), sha);
        Manifest manifest = CheckpointFiles.readManifest(dir);
        if (!String.valueOf(manifest.training().get("parentSha256")).equals(parentSha == null ? "" : parentSha)) {
            return null;
        }
        Policy policy = CheckpointFiles.load(dir, sha);
        AdamW optimizer = AdamW.defaults(0.0);
        CheckpointFiles.loadOptimizer(dir, optimizer, policy.manager());
        return new Resume(policy, optimizer, ((Number) manifest.training().get("step")).intValue());
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Saves the policy as runs/&lt;run&gt;/iter-&lt;index&gt;/checkpoint/ and returns where it is. */
    CheckpointRef save(Policy policy, String runId, int policyIndex, CheckpointRef parent, Map<String, Object> training,
                       Map<String, Object> metrics) throws IOException {
        String id = runId + "/iter-" + policyIndex;
        Path local = Files.createTempDirectory(workDir, "checkpoint-");
        Manifest.Parent manifestParent = parent == null ? null
                : new Manifest.Parent(parent.getId(), parent.getUri(), parent.getManifestSha256());
        CheckpointFiles.save(policy, (AdamW) null, local, id, manifestParent, training, metrics);
        CheckpointStore.Stored stored = checkpoints.upload(local, "runs/" + runId + "/iter-" + policyIndex + "/checkpoint/");
        deleteTree(local);
        return CheckpointRef.newBuilder().setId(id).setUri(stored.uri()).setManifestSha256(stored.manifestSha256()).build();
    }
}
