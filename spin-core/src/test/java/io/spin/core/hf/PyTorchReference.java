package io.spin.core.hf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * bench/hf/reference.py, the PyTorch eager reference, run as a process. Available where a Python with torch is
 * (Debian's python3-torch; SPIN_PYTHON names another interpreter); tests that need it skip elsewhere, saying so.
 */
public final class PyTorchReference {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String python;
    private final Path script;

    private PyTorchReference(String python, Path script) {
        this.python = python;
        this.script = script;
    }

    /** The reference, or null when no Python here imports torch. */
    public static PyTorchReference find(Path repositoryRoot) {
        Path script = repositoryRoot.resolve("bench/hf/reference.py");
        List<String> candidates = new ArrayList<>();
        if (System.getenv("SPIN_PYTHON") != null) {
            candidates.add(System.getenv("SPIN_PYTHON"));
        }
        candidates.addAll(List.of("/usr/bin/python3", "python3"));
        for (String python : candidates) {
            try {
                Process p = new ProcessBuilder(python, "-c", "import torch").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return new PyTorchReference(python, script);
                }
            } catch (IOException | InterruptedException e) {
                // not this one
            }
        }
        return null;
    }

    public double[][] logits(Path model, int[] ids) throws IOException {
        return JSON.readValue(run("logits", model.toString(), ids(ids)), double[][].class);
    }

    public int[] greedy(Path model, int[] ids, int n) throws IOException {
        return JSON.readValue(run("greedy", model.toString(), ids(ids), Integer.toString(n)), int[].class);
    }

    public double logProb(Path model, int[] prompt, int[] response) throws IOException {
        return Double.parseDouble(run("logprob", model.toString(), ids(prompt), ids(response)).trim());
    }

    private static String ids(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private String run(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(python, script.toString()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("reference", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + Files.readString(err));
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(err);
        }
    }
}
