package io.spin.cli;

import io.spin.commons.stack.StackEndpoints;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import io.spin.storage.ObjectStorage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spin run}: submit a run to the running system, follow it, write its report. */
@Command(name = "run", description = "Run SPIN on a dataset: SFT (unless --sft-checkpoint) then N self-play iterations.")
public final class RunCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    SpinCli parent;

    @Option(names = "--train", required = true, description = "JSONL with {prompt, response} or {messages: [...]} per line.")
    Path train;
    @Option(names = "--eval", description = "JSONL eval set (same forms).")
    Path eval;
    @Option(names = "--iterations", description = "SPIN iterations (default 2).")
    Integer iterations;
    @Option(names = "--beta", split = ",", description = "beta, or one per iteration: 0.1 or 0.1,0.1,5.0 (default 0.1).")
    List<Double> beta;
    @Option(names = "--lr", split = ",", description = "SPIN learning rate, or one per iteration (default 5e-4).")
    List<Double> learningRate;
    @Option(names = "--loss", description = "sigmoid (default) or hinge.")
    String loss;
    @Option(names = "--nll", description = "Weight of an added NLL term on the human response (default 0).")
    Double nll;
    @Option(names = "--window", description = "Iterations of pairs per training (default 2: t and t-1).")
    Integer window;
    @Option(names = "--epochs", description = "Epochs per SPIN iteration (default 1).")
    Integer epochs;
    @Option(names = "--batch-size", description = "Pairs or sequences per step (default 8).")
    Integer batchSize;
    @Option(names = "--model", description = "Model preset for SFT from scratch: tiny, small, base (default tiny).")
    String model;
    @Option(names = "--sft-epochs", description = "SFT epochs (default 3).")
    Integer sftEpochs;
    @Option(names = "--sft-lr", description = "SFT learning rate (default 1e-3).")
    Double sftLearningRate;
    @Option(names = "--sft-checkpoint", description = "Start from this model instead of SFT: a checkpoint, s3://bucket/prefix/@<manifest-sha256>, "
            + "or a directory in Hugging Face layout (Llama, Mistral, Qwen2 or GPT-2), imported first.")
    String sftCheckpoint;
    @Option(names = "--base-model", description = "Run SFT from this model instead of a fresh --model: a checkpoint, "
            + "s3://bucket/prefix/@<manifest-sha256>, or a directory in Hugging Face layout (Llama, Mistral, Qwen2 or GPT-2), imported first.")
    String baseModel;
    @Option(names = "--micro-batch", description = "Pairs (or SFT sequences) per forward and backward pass; their gradients "
            + "accumulate into one step of --batch-size with the whole batch's loss (default: the whole batch at once).")
    Integer microBatch;
    @Option(names = "--checkpoint-layers", description = "Activation checkpointing per decoder layer: the trainer keeps each "
            + "layer's input only and recomputes the layer in the backward (less memory, about one more forward per step).")
    boolean checkpointLayers;
    @Option(names = "--lora-rank", description = "Train LoRA adapters of this rank (r) on a frozen base instead of every weight "
            + "(a Llama-family model: --model llama-tiny, or --base-model / --sft-checkpoint). Checkpoints then hold the adapters only.")
    Integer loraRank;
    @Option(names = "--lora-alpha", description = "LoRA's lora_alpha: the adapters' term is scaled by alpha / rank (default 2 x rank).")
    Double loraAlpha;
    @Option(names = "--lora-targets", description = "Modules LoRA adapts, comma-separated (default: q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj).")
    String loraTargets;
    @Option(names = "--samples", description = "Samples per prompt (default 1).")
    Integer samples;
    @Option(names = "--temperature", description = "Sampling temperature (default 1.0).")
    Double temperature;
    @Option(names = "--top-p", description = "Nucleus sampling (default 1.0).")
    Double topP;
    @Option(names = "--top-k", description = "Top-k sampling, 0 = off (default 0).")
    Integer topK;
    @Option(names = "--max-new-tokens", description = "Tokens per generated response (default: --max-response-tokens).")
    Integer maxNewTokens;
    @Option(names = "--max-prompt-tokens", description = "Prompt token limit (default 96).")
    Integer maxPromptTokens;
    @Option(names = "--max-response-tokens", description = "Response token limit (default 96).")
    Integer maxResponseTokens;
    @Option(names = "--converge-similarity", description = "Stop when generated vs human mean similarity reaches this.")
    Double convergeSimilarity;
    @Option(names = "--converge-exact", description = "Stop when the exact-match rate reaches this.")
    Double convergeExact;
    @Option(names = "--seed", description = "Seed (default 0).")
    Long seed;
    @Option(names = "--generation-stall", description = "Fail an iteration whose generation makes no progress for this many seconds (default 1800).")
    Integer generationStallSeconds;
    @Option(names = "--report", description = "Where to write the report JSON (default .spin/reports/<runId>.json).")
    Path report;
    @Option(names = "--orchestrator", description = "Orchestrator URL (default: the local one).")
    String orchestrator;
    @Option(names = "--no-wait", description = "Submit and return the run id without following it.")
    boolean noWait;

    @Override
    public Integer call() throws Exception {
        StackEndpoints endpoints = parent.endpoints();
        ObjectStorage storage = endpoints.objectStorage();
        RunClient client = new RunClient(orchestrator != null ? orchestrator : parent.services(1).orchestratorUrl(), storage, System.out);
        String runId = client.submit(request(client));
        System.out.println("run " + runId + " submitted");
        if (noWait) {
            return 0;
        }
        JsonNode run = client.follow(runId, Duration.ofSeconds(1));
        RunClient.printTable(run, System.out);
        Path file = report != null ? report : parent.stackHome().resolve("reports").resolve(runId + ".json");
        RunClient.writeReport(run, file);
        System.out.println("report: " + file);
        return switch (run.path("status").asText()) {
            case "COMPLETED" -> ExitCodes.OK;
            case "CANCELLED" -> ExitCodes.RUN_CANCELLED;
            default -> ExitCodes.RUN_FAILED;
        };
    }

    Map<String, Object> request(RunClient client) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("trainDataset", client.upload(train));
        if (eval != null) {
            r.put("evalDataset", client.upload(eval));
        }
        putIfSet(r, "iterations", iterations);
        if (beta != null) {
            r.put("beta", beta);
        }
        if (learningRate != null) {
            r.put("learningRate", learningRate);
        }
        putIfSet(r, "lossType", loss);
        putIfSet(r, "nllCoefficient", nll);
        putIfSet(r, "window", window);
        putIfSet(r, "epochs", epochs);
        putIfSet(r, "batchSize", batchSize);
        putIfSet(r, "microBatch", microBatch);
        putIfSet(r, "checkpointLayers", checkpointLayers ? Boolean.TRUE : null);
        putIfSet(r, "modelPreset", model);
        putIfSet(r, "sftEpochs", sftEpochs);
        putIfSet(r, "sftLearningRate", sftLearningRate);
        putIfSet(r, "samplesPerPrompt", samples);
        putIfSet(r, "maxPromptTokens", maxPromptTokens);
        putIfSet(r, "maxResponseTokens", maxResponseTokens);
        putIfSet(r, "seed", seed);
        putIfSet(r, "generationStallSeconds", generationStallSeconds);
        putCheckpoint(r, client, "sftCheckpoint", "--sft-checkpoint", sftCheckpoint);
        putCheckpoint(r, client, "baseModel", "--base-model", baseModel);
        Map<String, Object> sampling = new LinkedHashMap<>();
        putIfSet(sampling, "temperature", temperature);
        putIfSet(sampling, "topP", topP);
        putIfSet(sampling, "topK", topK);
        putIfSet(sampling, "maxNewTokens", maxNewTokens);
        if (!sampling.isEmpty()) {
            r.put("sampling", sampling);
        }
        Map<String, Object> convergence = new LinkedHashMap<>();
        putIfSet(convergence, "meanSimilarity", convergeSimilarity);
        putIfSet(convergence, "exactMatchRate", convergeExact);
        if (!convergence.isEmpty()) {
            r.put("convergence", convergence);
        }
        if (loraRank != null) {
            Map<String, Object> lora = new LinkedHashMap<>();
            lora.put("rank", loraRank);
            lora.put("alpha", loraAlpha != null ? loraAlpha : 2.0 * loraRank);
            if (loraTargets != null) {
                lora.put("targets", java.util.List.of(loraTargets.trim().split("\\s*,\\s*"))); // checked by the orchestrator
            }
            r.put("lora", lora);
        } else if (loraAlpha != null || loraTargets != null) {
            throw new IllegalArgumentException("--lora-alpha and --lora-targets need --lora-rank");
        }
        r.put("requestedBy", "spin-cli:" + System.getProperty("user.name"));
        return r;
    }

    /** A checkpoint option: a local model directory (imported first) or s3://bucket/prefix/@<manifest-sha256>. */
    private static void putCheckpoint(Map<String, Object> r, RunClient client, String field, String option, String value) {
        if (value == null) {
            return;
        }
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of(value))) {
            HfModelUpload.Stored imported = client.importModel(java.nio.file.Path.of(value));
            r.put(field, Map.of("uri", imported.uri(), "manifestSha256", imported.manifestSha256()));
            return;
        }
        int at = value.lastIndexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException(option + " must be a model directory or s3://bucket/prefix/@<manifest-sha256>");
        }
        r.put(field, Map.of("uri", value.substring(0, at), "manifestSha256", value.substring(at + 1)));
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
