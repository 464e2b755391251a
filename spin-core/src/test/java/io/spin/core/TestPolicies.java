package io.spin.core;

import io.spin.data.model.ModelConfig;
import io.spin.core.model.Policy;
import io.spin.data.text.PromptFormat;

/** Small models for tests. */
public final class TestPolicies {
    private TestPolicies() {
    }

    public static Policy tiny(long seed) {
        return Policy.create(ModelConfig.preset("tiny"), PromptFormat.DEFAULT_TEMPLATE, seed);
    }
}
