package io.spin.orchestrator;

import java.util.List;
import org.jboss.logging.Logger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import io.spin.commons.kafka.DeadLetters;
import io.spin.contract.CheckpointReady;
import io.spin.contract.ControlEvent;
import io.spin.contract.GenerationProgress;
import io.spin.contract.PairsCompleted;
import io.spin.contract.ServicePrincipal;

/**
 * What the orchestrator does with one service's report, as a pure function of the report and the run as the control
 * log tells it: append it to the log, ignore it (a late or repeated report: nothing to say about it), or refuse it (to
 * the dead-letter topic, with the reason). A service can report only what it knows: checkpoints come from the trainer
 * alone, pair snapshots from the pair builder alone, and no service can start, cancel or end a run but by failing it.
 */
sealed interface ReportCheck {
    Logger LOG = Logger.getLogger(ReportCheck.class);

    record Append(ControlEvent event) implements ReportCheck {
    }

    record Ignore(String why) implements ReportCheck {
    }

    record Refuse(String reason) implements ReportCheck {
    }

    /**
     * @param key the record's key
     * @param run the run named by the report, or null when the log has no such open run
     * @param endedBefore whether the run ended before this orchestrator started (so it is not in memory)
     */
    static ReportCheck of(ServicePrincipal reporter, String key, ControlEvent report, RunView run, boolean endedBefore) {
        Object payload = report.getPayload();
        String what = payload == null ? "an empty report" : payload.getClass().getSimpleName();
        if (!reporter.mayReport(payload)) {
            return new Refuse(reporter.user() + " may not report " + what + " (on " + reporter.reportTopic().topicName() + ")");
        }
        if (!report.getRunId().equals(key)) {
            return new Refuse(what + " of run " + report.getRunId() + " was keyed " + key + "; a report is keyed by its run id");
        }
        if (endedBefore || run != null && run.ended()) {
            return new Ignore(what + " of run " + report.getRunId() + ", which has ended");
        }
        if (run == null || run.config == null) {
            return new Refuse(what + " names run " + report.getRunId() + ", which the control log does not hold");
        }
        if (payload instanceof CheckpointReady c) {
            return c.getIteration() < 0 ? checkpointOfSft(run, report) : checkpointOfIteration(run, c.getIteration(), report);
        }
        if (payload instanceof GenerationProgress g && !(g.getPairsFrom().isEmpty() && g.getSamplesFrom().isEmpty())) {
            return new Refuse("GenerationProgress with topic offsets: only the orchestrator notes where an iteration begins");
        }
        if (payload instanceof PairsCompleted p) {
            RunView.Iteration it = run.iterations.get(p.getIteration());
            if (it == null || it.started == null) {
                return new Refuse("PairsCompleted of iteration " + p.getIteration() + " of run " + run.runId + ", which was never started");
            }
            return it.pairs != null ? new Ignore("a second PairsCompleted of iteration " + p.getIteration()) : new Append(report);
        }
        return new Append(report);
    }

    private static ReportCheck checkpointOfSft(RunView run, ControlEvent report) {
        if (!run.sftRequested) {
            return new Refuse("an SFT checkpoint of run " + run.runId + ", which asked for no SFT");
        }
        return run.sft != null ? new Ignore("a second SFT checkpoint") : new Append(report);
    }

    private static ReportCheck checkpointOfIteration(RunView run, int t, ControlEvent report) {
        RunView.Iteration it = run.iterations.get(t);
        if (it == null || it.pairs == null) {
            return new Refuse("a checkpoint of iteration " + t + " of run " + run.runId + ", whose pairs are not complete");
        }
        if (it.checkpoint == null || evalOfReported(it.checkpoint, (CheckpointReady) report.getPayload())) {
            return new Append(report);
        }
        return new Ignore("a second checkpoint of iteration " + t);
    }

    /**
     * The trainer reports an iteration's checkpoint first without its eval (the next iteration starts on it) and then
     * again with it: the same checkpoint, now evaluated. Only that repeat is appended, once.
     */
    private static boolean evalOfReported(CheckpointReady reported, CheckpointReady again) {
        return reported.getEval() == null && again.getEval() != null
                && reported.getCheckpoint().getManifestSha256().equals(again.getCheckpoint().getManifestSha256());
    }

    /** What the orchestrator writes for a check: the appended control event, a dead letter naming the reason, or nothing. */
    static List<ProducerRecord<String, Object>> records(ReportCheck check, ServicePrincipal reporter, ConsumerRecord<String, byte[]> record,
                                                        String producerId) {
        if (check instanceof Append append) {
            return List.of(Orchestrator.control(appended(reporter, append.event())));
        }
        if (check instanceof Refuse refuse) {
            LOG.warnf("refused a report of %s (%s-%d@%d): %s", reporter.user(), record.topic(), record.partition(), record.offset(),
                    refuse.reason());
            return List.of(DeadLetters.record(record, new IllegalArgumentException(refuse.reason()), producerId));
        }
        LOG.debugf("ignored a report of %s: %s", reporter.user(), ((Ignore) check).why());
        return List.of();
    }

    /**
     * The control event the orchestrator appends for an accepted report: the report's payload, time and writer, under
     * an event id in the reporter's own namespace, so a report can never take the id of another service's event (or of
     * the orchestrator's) and have the real one skipped as a repeat.
     */
    static ControlEvent appended(ServicePrincipal reporter, ControlEvent report) {
        return ControlEvent.newBuilder(report).setEventId(reporter.user() + ":" + report.getEventId()).build();
    }
}
