package io.spin.trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.spin.commons.ControlEvents;
import io.spin.commons.kafka.ControlPublisher;
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
record JobContext(TrainerState state, TrainingData data, CheckpointStore checkpoints, ControlPublisher publisher,
                  ControlEvents events, Path workDir) {

    /** Thrown from the progress callback when the run was cancelled or ended meanwhile. */
    static final class Cancelled extends RuntimeException {
        Cancelled(String runId) {
            super("run " + runId + " was cancelled");
        }
    }

    /** Emits TrainingProgress about 25 times per job (and at the last step) and stops a cancelled run. */
    TrainingListener progress(String runId, int iteration) {
        return (StepMetrics m) -> {
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

    /** Saves the policy as runs/&lt;run&gt;/iter-&lt;index&gt;/checkpoint/ and returns where it is. */
    CheckpointRef save(Policy policy, String runId, int policyIndex, CheckpointRef parent, Map<String, Object> training,
                       Map<String, Object> metrics) throws IOException {
        String id = runId + "/iter-" + policyIndex;
        Path local = Files.createTempDirectory(workDir, "checkpoint-");
        Manifest.Parent manifestParent = parent == null ? null
                : new Manifest.Parent(parent.getId(), parent.getUri(), parent.getManifestSha256());
        CheckpointFiles.save(policy, (AdamW) null, local, id, manifestParent, training, metrics);
        CheckpointStore.Stored stored = checkpoints.upload(local, "runs/" + runId + "/iter-" + policyIndex + "/checkpoint/");
        return CheckpointRef.newBuilder().setId(id).setUri(stored.uri()).setManifestSha256(stored.manifestSha256()).build();
    }
}
