package io.spin.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.spin.data.DatasetException;
import io.spin.core.train.LossType;
import io.spin.data.model.LoraConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./spin experiment}: SPIN against continued SFT at equal compute, written as JSON, a table and an SVG plot. */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains pi_0 by SFT, runs SPIN iterations from it for every combination of --beta, --lr and --nll,",
                "runs continued SFT from pi_0 with the same steps, sequences and schedule, and evaluates every model.",
                "Writes experiment.json, experiment.md and experiment.svg to --out. Runs in this process; no stack needed."})
public final class ExperimentCli implements Callable<Integer> {
    @Option(names = "--train", description = "Training JSONL (prompt/response or messages). Required unless --replot.")
    Path train;
    @Option(names = "--eval", description = "Eval JSONL, same forms. Required unless --replot.")
    Path eval;
    @Option(names = "--replot", description = "Only redraw experiment.md and experiment.svg from the experiment.json in this folder.")
    Path replot;
    @Option(names = "--iterations", defaultValue = "2", description = "SPIN iterations (default ${DEFAULT-VALUE}).")
    int iterations;
    @Option(names = "--model", defaultValue = "small", description = "Model preset: tiny, small, base (default ${DEFAULT-VALUE}).")
    String model;
    @Option(names = "--beta", split = ",", defaultValue = "0.1", description = "beta values of the grid (default ${DEFAULT-VALUE}).")
    List<Double> betas;
    @Option(names = "--lr", split = ",", defaultValue = "1e-4", description = "SPIN learning rates of the grid; continued SFT runs at each (default ${DEFAULT-VALUE}).")
    List<Double> learningRates;
    @Option(names = "--nll", split = ",", defaultValue = "0", description = "NLL coefficients on the human response (0 = the paper's SPIN; default ${DEFAULT-VALUE}).")
    List<Double> nll;
    @Option(names = "--loss", defaultValue = "sigmoid", description = "sigmoid or hinge (default ${DEFAULT-VALUE}).")
    String loss;
    @Option(names = "--sft-epochs", defaultValue = "4", description = "Epochs of SFT to pi_0 (default ${DEFAULT-VALUE}).")
    int sftEpochs;
    @Option(names = "--sft-lr", defaultValue = "1e-3", description = "SFT learning rate (default ${DEFAULT-VALUE}).")
    double sftLr;
    @Option(names = "--epochs", defaultValue = "1", description = "Epochs per SPIN iteration (default ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "16", description = "Pairs (SPIN) or examples (SFT) per step (default ${DEFAULT-VALUE}).")
    int batchSize;
    @Option(names = "--samples", defaultValue = "1", description = "Samples per prompt and iteration (default ${DEFAULT-VALUE}).")
    int samples;
    @Option(names = "--window", defaultValue = "1", description = "Iterations of pairs each SPIN iteration trains on (default ${DEFAULT-VALUE}).")
    int window;
    @Option(names = "--max-prompt-tokens", defaultValue = "64")
    int maxPromptTokens;
    @Option(names = "--max-response-tokens", defaultValue = "80")
    int maxResponseTokens;
    @Option(names = "--max-new-tokens", defaultValue = "72")
    int maxNewTokens;
    @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature of self-play (default ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--lora-rank", description = "Train LoRA adapters of this rank on pi_0 (frozen) in SPIN and continued SFT, "
            + "instead of every weight; needs a Llama-family model (--model llama-tiny or a Llama --base-model).")
    Integer loraRank;
    @Option(names = "--lora-alpha", description = "LoRA's lora_alpha (default 2 x rank).")
    Double loraAlpha;
    @Option(names = "--lora-targets", description = "Modules LoRA adapts, comma-separated (default every projection).")
    String loraTargets;
    @Option(names = "--micro-batch", defaultValue = "0", description = "Examples per forward and backward pass; gradients accumulate "
            + "into one step of --batch-size (default 0: the whole batch at once).")
    int microBatch;
    @Option(names = "--checkpoint-layers", description = "Activation checkpointing per decoder layer: keep each layer's input only "
            + "and recompute the layer in the backward (less memory, about one more forward per step).")
    boolean checkpointLayers;
    @Option(names = "--seed", defaultValue = "7")
    long seed;
    @Option(names = "--out", description = "Output folder (default experiments/<date-time>).")
    Path out;
    @Option(names = "--base-model", description = "A Hugging Face model directory (GPT2LMHeadModel: config.json, model.safetensors, "
            + "tokenizer.json, tokenizer_config.json) that SFT starts from, instead of a fresh --model.")
    Path baseModel;

    /** Metrics that do not apply (rewards of an SFT step) are NaN in memory and null in the JSON, which has no NaN. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule().addSerializer(Double.class, new NonFiniteAsNull()).addSerializer(double.class, new NonFiniteAsNull()));

    private static final class NonFiniteAsNull extends JsonSerializer<Double> {
        @Override
        public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws java.io.IOException {
            if (value == null || !Double.isFinite(value)) {
                out.writeNull();
            } else {
                out.writeNumber(value);
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExperimentCli()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (replot != null) {
            ExperimentResult result = JSON.readValue(replot.resolve("experiment.json").toFile(), ExperimentResult.class);
            writeViews(result, replot); // the JSON stays as it was measured
            System.out.print(ResultTable.markdown(result));
            return 0;
        }
        if (train == null || eval == null) {
            System.err.println("spin experiment: --train and --eval are required");
            return 2;
        }
        ExperimentSettings settings;
        try {
            settings = new ExperimentSettings(train, eval, model, iterations, sftEpochs, sftLr, epochs, batchSize, samples, window,
                    maxPromptTokens, maxResponseTokens, maxNewTokens, temperature, LossType.parse(loss), seed,
                    betas, learningRates, nll, baseModel,
                    loraRank == null ? null : new LoraConfig(loraRank, loraAlpha != null ? loraAlpha : 2.0 * loraRank, LoraConfig.parseTargets(loraTargets)),
                    microBatch, checkpointLayers);
        } catch (IllegalArgumentException e) {
            System.err.println("spin experiment: " + e.getMessage());
            return 2;
        }
        Path folder = out != null ? out : Path.of("experiments", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(folder);
        ExperimentResult result;
        try {
            result = new Experiment(settings, System.err).run(Files.createDirectories(folder.resolve("checkpoints")));
        } catch (DatasetException e) {
            System.err.println("spin experiment: " + e.getMessage());
            return 2;
        }
        write(result, folder);
        System.out.print(ResultTable.markdown(result));
        System.out.println("\nwrote " + folder.resolve("experiment.json") + ", experiment.md, experiment.svg");
        return 0;
    }

    static void write(ExperimentResult result, Path folder) throws java.io.IOException {
        JSON.writeValue(folder.resolve("experiment.json").toFile(), result);
        writeViews(result, folder);
    }

    static void writeViews(ExperimentResult result, Path folder) throws java.io.IOException {
        Files.writeString(folder.resolve("experiment.md"), ResultTable.markdown(result));
        Files.writeString(folder.resolve("experiment.svg"), SvgPlot.render(result));
    }
}
