package io.spin.cli;

import io.spin.commons.stack.StackEndpoints;

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

import io.spin.commons.ChatTurns;
import io.spin.commons.DatasetCopies;
import io.spin.commons.PairSnapshot;
import io.spin.commons.kafka.IterationRange;
import io.spin.commons.kafka.PairReplay;
import io.spin.commons.kafka.TopicReader;
import io.spin.contract.GeneratedSample;
import io.spin.contract.HumanResponse;
import io.spin.contract.Keys;
import io.spin.contract.ObjectRef;
import io.spin.contract.SpinTopic;
import io.spin.storage.ObjectStorage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spin export}: datasets out of the topics as JSONL, for other tools; each kind of export a subcommand. */
@Command(name = "export", description = "Export from the topics as JSONL (or, through ./spin, a checkpoint in Hugging Face layout).",
        subcommands = {ExportCommand.Humans.class, ExportCommand.Samples.class, ExportCommand.Pairs.class, ExportCommand.Checkpoint.class})
public final class ExportCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    @CommandLine.ParentCommand
    SpinCli parent;
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "export what? humans, samples, pairs or checkpoint");
    }

    /** What every JSONL export shares: where the rows go, and exit 3 when there are none. */
    abstract static class Jsonl implements Callable<Integer> {
        @CommandLine.ParentCommand
        ExportCommand export;
        @Option(names = "--out", description = "Output file (default: standard output).")
        Path out;

        abstract int write(TopicReader reader, OutputStream bytes) throws Exception;

        abstract String what();

        @Override
        public Integer call() throws Exception {
            StackEndpoints e = export.parent.endpoints();
            TopicReader reader = new TopicReader(e.kafkaClientConfig(), e.registryApiV3());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int rows = write(reader, bytes);
            if (out == null) {
                System.out.write(bytes.toByteArray());
                System.out.flush();
            } else {
                Files.write(out, bytes.toByteArray());
                System.err.println(rows + " rows written to " + out);
            }
            if (rows == 0) {
                System.err.println("nothing to export: no " + what() + " in the topics");
                return ExitCodes.NOT_FOUND;
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "humans", description = "A dataset as it was loaded, in its line order and input form (reusable as a dataset).")
    static final class Humans extends Jsonl {
        @Option(names = "--dataset", required = true, description = "Dataset id, as in the run's config (ds-...).")
        String dataset;

        /** From the dataset's copy, as loaded; from the topic for a dataset loaded before copies existed. */
        @Override
        int write(TopicReader reader, OutputStream bytes) throws Exception {
            ObjectStorage storage = export.parent.endpoints().objectStorage();
            ObjectRef copy = DatasetCopies.find(storage, dataset);
            if (copy == null) {
                return humans(reader, dataset, bytes);
            }
            int[] rows = {0};
            new DatasetCopies(storage, reader, 1).forEach(copy, e -> {
                try {
                    writeHuman(e.id(), e.prompt(), e.response(), ChatTurns.toEvent(e.context()), bytes);
                    rows[0]++;
                } catch (IOException failure) {
                    throw new java.io.UncheckedIOException(failure);
                }
            });
            return rows[0];
        }

        @Override
        String what() {
            return "dataset " + dataset;
        }
    }

    @Command(name = "samples", description = "An iteration's raw generations, one per key, in (promptId, sampleIndex) order.")
    static final class Samples extends Jsonl {
        @Option(names = "--run", required = true, description = "Run id.")
        String runId;
        @Option(names = "--iteration", required = true, description = "Iteration.")
        int iteration;

        @Override
        int write(TopicReader reader, OutputStream bytes) throws IOException {
            return samples(reader, runId, iteration, bytes);
        }

        @Override
        String what() {
            return "samples of run " + runId + " iteration " + iteration;
        }
    }

    @Command(name = "pairs", description = "An iteration's preference pairs, rebuilt from the pairs topic (--format trl: TRL's columns).")
    static final class Pairs extends Jsonl {
        @Option(names = "--run", required = true, description = "Run id.")
        String runId;
        @Option(names = "--iteration", required = true, description = "Iteration.")
        int iteration;
        @Option(names = "--format", defaultValue = "FULL", description = "full (every field, as the snapshot) or trl (prompt, chosen, rejected).")
        PairSnapshot.Format format;

        @Override
        int write(TopicReader reader, OutputStream bytes) throws IOException {
            var result = new PairReplay(reader).replay(runId, java.util.Set.of(iteration), n -> { }).get(0);
            bytes.write(PairSnapshot.jsonl(result.pairs(), format));
            return result.pairs().size();
        }

        @Override
        String what() {
            return "pairs of run " + runId + " iteration " + iteration;
        }
    }

    /** Listed for --help; ./spin runs it in the model core's own JVM (model-export/), which reads DJL parameters. */
    @Command(name = "checkpoint", description = "A run's pi_T in Hugging Face layout: ./spin export checkpoint --run R --iteration T "
            + "--format hf --out DIR [--dtype float32|float16|bfloat16] (runs model-export/, which carries the model core).")
    static final class Checkpoint implements Callable<Integer> {
        @Override
        public Integer call() {
            System.err.println("spin export checkpoint runs in model-export/: call it through ./spin, which builds and starts it");
            return ExitCodes.USAGE;
        }
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
            writeHuman(h.getPromptId(), h.getPrompt(), h.getResponse(), h.getContext(), out);
        }
        return rows.size();
    }

    /** One dataset row in its input form: prompt and response, or a conversation as the messages it came in as. */
    private static void writeHuman(String id, String prompt, String response, List<io.spin.contract.ChatTurn> context, OutputStream out)
            throws IOException {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        if (context == null) {
            row.put("prompt", prompt);
            row.put("response", response);
        } else {
            List<Map<String, String>> messages = new ArrayList<>();
            context.forEach(t -> messages.add(ChatTurns.json(t.getRole(), t.getContent())));
            messages.add(ChatTurns.json("user", prompt));
            messages.add(ChatTurns.json("assistant", response));
            row.put("messages", messages);
        }
        JSON.writeValue(out, row);
        out.write('\n');
    }

    /**
     * The iteration's raw samples, one per key (the first delivered), in (promptId, sampleIndex) order; read only where
     * the iteration lies in the samples topic ({@link IterationRange}).
     */
    private static int samples(TopicReader reader, String runId, int iteration, OutputStream out) throws IOException {
        Map<String, GeneratedSample> byKey = new LinkedHashMap<>();
        IterationRange range = IterationRange.samples(reader.runHistory(runId), java.util.List.of(iteration));
        String iterationKeys = runId + Keys.SEP + iteration + Keys.SEP;
        reader.<Object>readRange(SpinTopic.SAMPLES.topicName(), range.startAt(), range.from(),
                key -> key != null && key.startsWith(iterationKeys), r -> {
            if (r.value() instanceof GeneratedSample s && s.getRunId().equals(runId) && s.getIteration() == iteration) {
                byKey.putIfAbsent(Keys.sample(runId, iteration, s.getPromptId(), s.getSampleIndex()), s);
            }
        }, () -> range.complete(Map.of(iteration, byKey.size())));
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
