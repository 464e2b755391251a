package io.spin.data.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * LoRA as PEFT defines it: each targeted projection W (out x in) computes W x + (alpha / rank) B A x, with A (rank x in)
 * drawn as PEFT's kaiming-uniform and B (out x rank) zero, so a fresh adapter leaves the model unchanged. Targets are
 * the Llama family's module names.
 */
public record LoraConfig(int rank, double alpha, List<String> targets) {
    /** Every projection of a Llama-family layer, in the order PEFT's users list them. */
    public static final List<String> ALL_TARGETS = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    public static final int MAX_RANK = 1024;

    public LoraConfig {
        if (rank < 1 || rank > MAX_RANK) {
            throw new IllegalArgumentException("LoRA rank " + rank + " is not between 1 and " + MAX_RANK);
        }
        if (!(alpha > 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("LoRA alpha " + alpha + " is not a positive number");
        }
        targets = targets == null || targets.isEmpty() ? ALL_TARGETS : List.copyOf(new LinkedHashSet<>(targets));
        for (String t : targets) {
            if (!ALL_TARGETS.contains(t)) {
                throw new IllegalArgumentException("LoRA target '" + t + "' is not one of " + ALL_TARGETS);
            }
        }
    }

    /** Parses "q_proj,v_proj" (blank: every projection). */
    public static List<String> parseTargets(String list) {
        if (list == null || list.isBlank()) {
            return ALL_TARGETS;
        }
        return List.of(list.trim().split("\\s*,\\s*"));
    }

    /** alpha / rank: PEFT's scaling without rsLoRA. */
    public double scale() {
        return alpha / rank;
    }

    public Set<String> targetSet() {
        return Set.copyOf(targets);
    }
}
