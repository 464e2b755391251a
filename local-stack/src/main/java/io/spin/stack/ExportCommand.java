package io.spin.stack;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.commons.PairSnapshot;
import io.spin.commons.kafka.PairReplay;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.GeneratedSample;
import io.spin.contract.HumanResponse;
import io.spin.contract.Keys;
import io.spin.contract.SpinTopic;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code spin export}: datasets out of the topics as JSONL, for other tools. */
@Command(name = "export", description = "Export from the topics as JSONL: humans (a dataset), samples (an iteration's raw "
        + "generations) or pairs (an iteration's preference pairs; --format trl gives prompt/chosen/rejected).")
public final class ExportCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    @CommandLine.ParentCommand
    SpinCli parent;
    @Parameters(index = "0", description = "humans | samples | pairs")
    String what;
    @Option(names = "--dataset", description = "Dataset id (for humans), as in the run's config.")
    String dataset;
    @Option(names = "--run", description = "Run id (for samples and pairs).")
    String runId;
    @Option(names = "--iteration", description = "Iteration (for samples and pairs).")
    Integer iteration;
    @Option(names = "--format", defaultValue = "FULL", description = "For pairs: full or trl.")
    PairSnapshot.Format format;
    @Option(names = "--out", description = "Output file (default: standard output).")
    Path out;

    @Override
    public Integer call() throws Exception {
        StackEndpoints e = parent.endpoints();
        TopicReader reader = new TopicReader(e.kafkaBootstrap(), e.registryApiV3());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rows = switch (what) {
            case "humans" -> humans(reader, require(dataset, "--dataset"), bytes);
            case "samples" -> samples(reader, require(runId, "--run"), require(iteration, "--iteration"), bytes);
            case "pairs" -> {
                var result = new PairReplay(reader).replay(require(runId, "--run"), java.util.Set.of(require(iteration, "--iteration")), n -> { })
                        .get(0);
                bytes.write(PairSnapshot.jsonl(result.pairs(), format));
                yield result.pairs().size();
            }
            default -> throw new IllegalArgumentException("export what? humans, samples or pairs, not '" + what + "'");
        };
        if (out == null) {
            System.out.write(bytes.toByteArray());
            System.out.flush();
        } else {
            Files.write(out, bytes.toByteArray());
            System.err.println(rows + " rows written to " + out);
        }
        if (rows == 0) {
            System.err.println("nothing to export: no " + what + " for " + (what.equals("humans") ? "dataset " + dataset
                    : "run " + runId + " iteration " + iteration) + " in the topics");
            return ExitCodes.NOT_FOUND;
        }
        return 0;
    }

    private static <T> T require(T value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " is required for this export");
        }
        return value;
    }

    /** The dataset as it was loaded, in its original line order and the input format (reusable as a dataset). */
    private static int humans(TopicReader reader, String dataset, OutputStream out) throws IOException {
        Map<String, HumanResponse> latest = new LinkedHashMap<>();
        reader.<Object>readAll(SpinTopic.HUMAN_RESPONSES.topicName(), r -> {
            if (r.value() instanceof HumanResponse h && h.getDatasetId().equals(dataset)) {
                latest.put(h.getPromptId(), h);
            }
        });
        List<HumanResponse> rows = new ArrayList<>(latest.values());
        rows.sort(Comparator.comparingInt(HumanResponse::getSourceLine));
        for (HumanResponse h : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", h.getPromptId());
            if (h.getContext() == null) {
                row.put("prompt", h.getPrompt());
                row.put("response", h.getResponse());
            } else {
                // a conversation goes back out as the messages it came in as
                List<Map<String, String>> messages = new ArrayList<>();
                h.getContext().forEach(t -> messages.add(turn(t.getRole(), t.getContent())));
                messages.add(turn("user", h.getPrompt()));
                messages.add(turn("assistant", h.getResponse()));
                row.put("messages", messages);
            }
            JSON.writeValue(out, row);
            out.write('\n');
        }
        return rows.size();
    }

    private static Map<String, String> turn(String role, String content) {
        Map<String, String> turn = new LinkedHashMap<>();
        turn.put("role", role);
        turn.put("content", content);
        return turn;
    }

    /** The iteration's raw samples, one per key (the first delivered), in (promptId, sampleIndex) order. */
    private static int samples(TopicReader reader, String runId, int iteration, OutputStream out) throws IOException {
        Map<String, GeneratedSample> byKey = new LinkedHashMap<>();
        reader.<Object>readAll(SpinTopic.SAMPLES.topicName(), r -> {
            if (r.value() instanceof GeneratedSample s && s.getRunId().equals(runId) && s.getIteration() == iteration) {
                byKey.putIfAbsent(Keys.sample(runId, iteration, s.getPromptId(), s.getSampleIndex()), s);
            }
        });
        List<GeneratedSample> rows = new ArrayList<>(byKey.values());
        rows.sort(Comparator.comparing(GeneratedSample::getPromptId).thenComparingInt(GeneratedSample::getSampleIndex));
        for (GeneratedSample s : rows) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("runId", s.getRunId());
            row.put("iteration", s.getIteration());
            row.put("datasetId", s.getDatasetId());
            row.put("promptId", s.getPromptId());
            row.put("sampleIndex", s.getSampleIndex());
            row.put("text", s.getText());
            row.put("tokenCount", s.getTokenCount());
            row.put("logProb", s.getLogProb());
            row.put("finishReason", s.getFinishReason().name());
            row.put("policyId", s.getPolicyId());
            row.put("replicaId", s.getReplicaId());
            row.put("generationMillis", s.getGenerationMillis());
            JSON.writeValue(out, row);
            out.write('\n');
        }
        return rows.size();
    }
}
