package io.spin.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.core.train.LossType;
import picocli.CommandLine;

/** A whole experiment at smoke size with the real model and trainers: 2 iterations, a grid of 2 NLL coefficients. */
class ExperimentTest {
    static final Path ROOT = Path.of(System.getProperty("spin.root", "..")).toAbsolutePath().normalize();
    @TempDir
    static Path dir;
    static ExperimentResult result;

    @BeforeAll
    static void run() throws Exception {
        Path train = dir.resolve("train.jsonl");
        Path eval = dir.resolve("eval.jsonl");
        // 10 prompts at batch 4: the last batch of every epoch is short, so equal compute is not a mere multiple
        Files.write(train, Files.readAllLines(ROOT.resolve("data/wordnet/train.jsonl")).subList(0, 10));
        Files.write(eval, Files.readAllLines(ROOT.resolve("data/wordnet/eval.jsonl")).subList(0, 4));
        ExperimentSettings settings = new ExperimentSettings(train, eval, "tiny", 2, 1, 1e-3, 1, 4, 1, 2, 48, 32, 12, 1.0,
                LossType.SIGMOID, 3, List.of(0.5), List.of(1e-3), List.of(0.0, 1.0), null, null, 0, false);
        result = new Experiment(settings, new PrintStream(new ByteArrayOutputStream())).run(dir.resolve("work"));
    }

    @Test
    void continuedSftUsesTheSameStepsAndSequencesAsSpinRoundForRound() {
        ExperimentResult.Arm baseline = result.continuedSft().get(0);
        for (ExperimentResult.Arm spin : result.spin()) {
            assertEquals(2, spin.stages().size());
            for (int t = 0; t < 2; t++) {
                ExperimentResult.Stage s = spin.stages().get(t);
                ExperimentResult.Stage b = baseline.stages().get(t);
                // window 2: iteration 0 trains on 10 pairs (3 steps), iteration 1 on 20 pairs (5 steps); 2 sequences a pair
                assertEquals(t == 0 ? 3 : 5, s.steps());
                assertEquals(t == 0 ? 20 : 40, s.sequences());
                assertEquals(s.steps(), b.steps(), "steps of round " + t);
                assertEquals(s.sequences(), b.sequences(), "sequences of round " + t);
            }
        }
    }

    @Test
    void everyModelIsEvaluatedAndTheNllTermChangesTraining() {
        assertEquals(4, result.sft().eval().prompts());
        assertTrue(result.sft().eval().humanLogpPerToken() < 0);
        assertNull(result.continuedSft().get(0).beta());
        ExperimentResult.Stage paper = result.spin().get(0).stages().get(0);
        ExperimentResult.Stage withNll = result.spin().get(1).stages().get(0);
        // same pi_0 and the same self-play samples, different loss: the first iteration's data agrees, its training not
        assertEquals(paper.generatedSimilarity(), withNll.generatedSimilarity());
        assertNotEquals(paper.training().loss(), withNll.training().loss());
        assertTrue(withNll.training().loss() > paper.training().loss(), "the NLL term adds a positive amount to the loss");
    }

    @Test
    void writesJsonTableAndPlot() throws Exception {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        ExperimentCli.write(result, out);
        JsonNode json = new ObjectMapper().readTree(out.resolve("experiment.json").toFile());
        assertEquals(2, json.path("spin").size());
        assertEquals(1.0, json.path("spin").get(1).path("nllCoefficient").asDouble());
        assertEquals(2, json.path("continuedSft").get(0).path("stages").size());
        assertTrue(json.path("sft").path("training").path("rewardsMargin").isNull(), "no reward for SFT: null, not NaN");
        assertTrue(json.path("settings").path("trainFile").asText().endsWith("train.jsonl"));
        String table = Files.readString(out.resolve("experiment.md"));
        assertEquals(2 + 1 + 2 * 2 + 2, table.lines().count(), table);
        String svg = Files.readString(out.resolve("experiment.svg"));
        assertEquals(SvgPlot.PANELS.size() * 3, svg.split("<polyline").length - 1, "one line per arm and panel");
        assertTrue(svg.contains("stroke-dasharray"), "the baseline is dashed");
        // the JSON alone is enough to draw it again, identically
        Files.delete(out.resolve("experiment.svg"));
        assertEquals(0, new CommandLine(new ExperimentCli()).execute("--replot", out.toString()));
        assertEquals(svg, Files.readString(out.resolve("experiment.svg")));
    }

    @Test
    void anExperimentStartsFromAHuggingFaceBaseModel() throws Exception {
        // a Qwen2-shaped model (grouped key/value heads, q/k/v biases) in Hugging Face layout with a tokenizer.json of
        // its own, as a user brings it
        Path base = dir.resolve("base-qwen2");
        io.spin.core.text.HuggingFaceTokenizer tokenizer = io.spin.core.text.HuggingFaceTokenizer.load(
                ROOT.resolve("spin-core/src/test/resources/hf/tokenizer.json"), "[BOS]", "[EOS]", "[PAD]");
        try (io.spin.core.model.Policy policy = io.spin.core.model.Policy.create(new io.spin.data.model.ModelConfig(1, 32, 4, 128,
                tokenizer.vocabSize(), 48, "silu", 1e-6, "Qwen2ForCausalLM", 2, 1e6, true, true), new io.spin.data.text.PromptFormat(io.spin.data.text.PromptFormat.DEFAULT_TEMPLATE, tokenizer), 9)) {
            io.spin.core.hf.HfModels.save(policy, base, io.spin.data.hf.TensorType.F32);
        }
        Path train = dir.resolve("train.jsonl");
        Path eval = dir.resolve("eval.jsonl");
        ExperimentSettings settings = new ExperimentSettings(train, eval, "tiny", 1, 1, 1e-3, 1, 4, 1, 1, 48, 32, 8, 1.0,
                LossType.SIGMOID, 3, List.of(0.5), List.of(1e-3), List.of(0.0), base, null, 0, false);
        ExperimentResult fromBase = new Experiment(settings, new PrintStream(new ByteArrayOutputStream())).run(dir.resolve("work-base"));
        assertEquals(10, fromBase.trainPrompts());
        assertTrue(Double.isFinite(fromBase.sft().eval().humanLogpPerToken()));
        assertEquals(1, fromBase.spin().get(0).stages().size());
        try (io.spin.core.model.Policy pi0 = io.spin.core.checkpoint.CheckpointFiles.load(dir.resolve("work-base/pi_0"), null)) {
            assertEquals(tokenizer.name(), pi0.format().tokenizer().name(), "pi_0 keeps the base model's tokenizer");
            assertEquals(32, pi0.config().width());
            assertEquals("Qwen2ForCausalLM", pi0.config().architecture(), "pi_0 keeps the base model's architecture");
            assertEquals(2, pi0.config().kvHeads());
        }
    }

    @Test
    void settingsOutOfRangeAreRefusedNamingTheOption() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err));
        try {
            int exit = new CommandLine(new ExperimentCli()).execute("--train", "x.jsonl", "--eval", "y.jsonl", "--iterations", "2",
                    "--window", "3");
            assertEquals(2, exit);
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains("--window must be in 1..2"), err.toString());
    }

    @Test
    void aLoraExperimentTrainsAdaptersOnAFrozenPi0InMicroBatches() throws Exception {
        Path train = dir.resolve("train.jsonl");
        Path eval = dir.resolve("eval.jsonl");
        ExperimentSettings settings = new ExperimentSettings(train, eval, "llama-tiny", 1, 1, 1e-3, 1, 4, 1, 1, 48, 32, 8, 1.0,
                LossType.SIGMOID, 3, List.of(0.5), List.of(1e-2), List.of(0.0), null, new io.spin.data.model.LoraConfig(4, 8, null), 2, true);
        ExperimentResult lora = new Experiment(settings, new PrintStream(new ByteArrayOutputStream())).run(dir.resolve("work-lora"));
        ExperimentResult.Stage pi1 = lora.spin().get(0).stages().get(0);
        assertTrue(Double.isFinite(pi1.eval().humanLogpPerToken()), "pi_1 = pi_0 + adapters, evaluated");
        assertTrue(Double.isFinite(lora.continuedSft().get(0).stages().get(0).eval().humanLogpPerToken()));
    }
}
