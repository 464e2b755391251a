package io.spin.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.core.TestPolicies;
import io.spin.core.model.Policy;
import io.spin.core.train.TokenizedExample;

class EvaluatorTest {
    private static final String[] PROMPTS = {"Define: lighthouse", "x", "Define: the smallest unit of a chemical element"};
    private static final String[] RESPONSES = {"a tower with a light", "y", "an atom"};

    private static List<TokenizedExample> examples(Policy policy) {
        List<TokenizedExample> examples = new ArrayList<>();
        for (int i = 0; i < PROMPTS.length; i++) {
            examples.add(new TokenizedExample("e" + i, policy.format().prompt(PROMPTS[i], 64).ids(), policy.format().response(RESPONSES[i], 32).ids()));
        }
        return examples;
    }

    @Test
    void humanLogProbsGivenByTheCallerGiveTheSameResultAsTheEvaluatorsOwnPass() {
        try (Policy policy = TestPolicies.tiny(5)) {
            List<TokenizedExample> examples = examples(policy);
            Evaluator evaluator = new Evaluator(2, 3, 8);
            Evaluator.Result own = evaluator.evaluate(policy, examples, List.of(RESPONSES));
            Evaluator.Result given = evaluator.evaluate(policy, examples, List.of(RESPONSES), evaluator.humanLogProbs(policy, examples));
            assertEquals(own, given);
            assertTrue(own.humanLogpPerToken() < 0);
        }
    }

    @Test
    void theLogProbPerTokenIsTheSumOfTheHumanLogProbsOverAllTheirTokens() {
        try (Policy policy = TestPolicies.tiny(5)) {
            List<TokenizedExample> examples = examples(policy);
            int tokens = examples.stream().mapToInt(e -> e.response().length).sum();
            assertEquals(21 + 2 + 8, tokens, "each response is its bytes and an end token");
            Evaluator.Result r = new Evaluator(2, 8).evaluate(policy, examples, List.of(RESPONSES), new double[] {-2, -4, -6});
            assertEquals(-12.0 / 31, r.humanLogpPerToken(), 1e-12);
            assertEquals(3, r.prompts());
        }
    }

    @Test
    void greedyResponsesDoNotDependOnHowManyPromptsAreSampledTogether() {
        try (Policy policy = TestPolicies.tiny(9)) {
            List<TokenizedExample> examples = examples(policy);
            double[] logps = new double[] {-1, -1, -1};
            Evaluator.Result one = new Evaluator(1, 1, 12).evaluate(policy, examples, List.of(RESPONSES), logps);
            Evaluator.Result all = new Evaluator(1, 3, 12).evaluate(policy, examples, List.of(RESPONSES), logps);
            assertEquals(one.meanSimilarity(), all.meanSimilarity(), 1e-12);
            assertEquals(one.exactMatchRate(), all.exactMatchRate(), 1e-12);
        }
    }

    @Test
    void logProbsForAnotherNumberOfExamplesAreRefusedNamingBoth() {
        try (Policy policy = TestPolicies.tiny(5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Evaluator(2, 8).evaluate(policy, examples(policy), List.of(RESPONSES), new double[] {-1, -2}));
            assertTrue(e.getMessage().contains("3 eval examples") && e.getMessage().contains("2 log-probs"), e.getMessage());
        }
    }
}
