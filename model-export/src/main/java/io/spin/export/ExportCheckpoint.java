package io.spin.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.spin.contract.CheckpointReady;
import io.spin.contract.CheckpointRef;
import io.spin.contract.ControlEvent;
import io.spin.contract.RunRequested;
import io.spin.checkpoint.CheckpointStore;
import io.spin.core.hf.HfModels;
import io.spin.core.model.Policy;
import io.spin.commons.kafka.TopicReader;
import io.spin.data.hf.HfConfig;
import io.spin.data.hf.TensorType;
import io.spin.commons.stack.StackEndpoints;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./spin export checkpoint --run R --iteration T --format hf|peft --out DIR}: pi_T of a run (T = 0 is the model
 * the run started from, after SFT when there was one) written in Hugging Face layout, loadable by transformers and vLLM
 * (a LoRA run's adapters merged in), or, for a LoRA run, its adapters alone in PEFT's layout.
 */
@Command(name = "checkpoint", mixinStandardHelpOptions = true,
        description = "Write pi_T of a run in Hugging Face layout (config.json, model.safetensors, tokenizer files; a LoRA run's "
                + "adapters merged), or a LoRA run's adapters in PEFT's layout (adapter_config.json, adapter_model.safetensors).")
public final class ExportCheckpoint implements Callable<Integer> {
    static final int NOT_FOUND = 3;

    @Option(names = "--run", required = true, description = "Run id.")
    String run;
    @Option(names = "--iteration", required = true, description = "T: pi_T; 0 is the run's starting model (after SFT when it had one).")
    int iteration;
    @Option(names = "--format", defaultValue = "hf", description = "hf (the whole model, adapters merged) or peft (a LoRA run's adapters).")
    String format;
    @Option(names = "--dtype", description = "float32, float16 or bfloat16 (default: the imported model's own, else float32).")
    String dtype;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    @Option(names = "--home", description = "Stack folder with endpoints.properties (default: $SPIN_HOME or ./.spin).")
    Path home;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ExportCheckpoint()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!format.equals("hf") && !format.equals("peft")) {
            System.err.println("spin export checkpoint: --format '" + format + "' is not known; hf or peft");
            return 2;
        }
        TensorType type;
        try {
            type = dtype == null ? null : parseDtype(dtype);
        } catch (IllegalArgumentException e) {
            System.err.println("spin export checkpoint: --dtype " + e.getMessage());
            return 2;
        }
        StackEndpoints endpoints = StackEndpoints.fromEnvironment(System.getenv());
        if (endpoints == null) {
            Path stack = home != null ? home : Path.of(System.getenv().getOrDefault("SPIN_HOME", ".spin"));
            endpoints = StackEndpoints.read(stack.resolve("endpoints.properties"));
        }
        try {
            Path written = export(endpoints, run, iteration, out, type, format.equals("peft"), Files.createTempDirectory("spin-export-"));
            System.out.println("pi_" + iteration + " of " + run + " written to " + written);
            return 0;
        } catch (NotFound e) {
            System.err.println("spin export checkpoint: " + e.getMessage());
            return NOT_FOUND;
        } catch (IllegalArgumentException e) {
            System.err.println("spin export checkpoint: " + e.getMessage());
            return 2;
        }
    }

    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    /** Writes pi_T of the run to {@code out}; {@code type} null means the starting model's own dtype. */
    public static Path export(StackEndpoints endpoints, String runId, int t, Path out, TensorType type, Path cache) throws Exception {
        return export(endpoints, runId, t, out, type, false, cache);
    }

    /** As {@link #export}, the adapters alone in PEFT's layout when {@code peft}. */
    public static Path export(StackEndpoints endpoints, String runId, int t, Path out, TensorType type, boolean peft, Path cache)
            throws Exception {
        List<ControlEvent> history = new TopicReader(endpoints.kafkaClientConfig(), endpoints.registryApiV3()).runHistory(runId);
        RunRequested requested = history.stream().map(ControlEvent::getPayload).filter(p -> p instanceof RunRequested)
                .map(p -> (RunRequested) p).findFirst().orElseThrow(() -> new NotFound("no run '" + runId + "'"));
        CheckpointRef start = requested.getConfig().getSftCheckpoint();
        CheckpointRef wanted = null;
        int last = -1;
        for (ControlEvent e : history) {
            if (e.getPayload() instanceof CheckpointReady c) {
                last = Math.max(last, c.getIteration() + 1);
                if (c.getIteration() == t - 1) {
                    wanted = c.getCheckpoint(); // SFT's (iteration -1) is pi_0; SPIN iteration t-1's is pi_t
                }
            }
        }
        if (wanted == null && t == 0) {
            wanted = start;
        }
        if (wanted == null) {
            throw new NotFound("run " + runId + " has no pi_" + t + (last < 0 ? " (no checkpoint yet)" : "; it has pi_0 to pi_" + last));
        }
        CheckpointStore checkpoints = new CheckpointStore(endpoints.objectStorage(), cache);
        TensorType chosen = type != null ? type : peft ? TensorType.F32 : startingType(checkpoints, start);
        // through the store: a LoRA checkpoint is its adapters, loaded onto the base it names
        try (Policy policy = checkpoints.load(wanted.getUri(), wanted.getManifestSha256())) {
            if (peft) {
                if (policy.lora() == null) {
                    throw new IllegalArgumentException("pi_" + t + " of " + runId + " is a whole model, not LoRA adapters: export it with --format hf");
                }
                HfModels.savePeft(policy, out, policy.base().uri() + "@" + policy.base().manifestSha256(), chosen);
            } else {
                HfModels.save(policy, out, chosen);
            }
        }
        return out;
    }

    /** The dtype of the Hugging Face model the run started from, or float32 for a model SPIN created. */
    private static TensorType startingType(CheckpointStore checkpoints, CheckpointRef start) throws Exception {
        if (start == null) {
            return TensorType.F32;
        }
        Path dir = checkpoints.fetch(start.getUri(), start.getManifestSha256());
        Path config = dir.resolve("config.json");
        return Files.readString(config).contains("\"architectures\"") ? HfConfig.read(config).dtype() : TensorType.F32;
    }

    static TensorType parseDtype(String name) {
        TensorType type = TensorType.ofTorchName(name.toLowerCase(Locale.ROOT));
        if (type == null) {
            throw new IllegalArgumentException("'" + name + "' is not float32, float16 or bfloat16");
        }
        return type;
    }
}
