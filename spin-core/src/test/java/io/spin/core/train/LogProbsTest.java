package io.spin.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.core.TestPolicies;
import io.spin.core.model.Policy;

class LogProbsTest {

    /** The trainer scores an eval pair's two sides apart when it already has the human side: both must agree with the pair's pass. */
    @Test
    void responsesScoredOnTheirOwnGiveThePairsReferenceLogProbs() {
        try (Policy policy = TestPolicies.tiny(3)) {
            var f = policy.format();
            List<TokenizedPair> pairs = List.of(
                    new TokenizedPair("a", f.prompt("Define: lighthouse", 64).ids(), f.response("a tower with a light", 32).ids(), f.response("a boat", 32).ids()),
                    new TokenizedPair("b", f.prompt("x", 64).ids(), f.response("y", 32).ids(), f.response("a much longer answer than the human one", 48).ids()),
                    new TokenizedPair("c", f.prompt("Define: atom", 64).ids(), f.response("the smallest unit", 32).ids(), f.response("", 32).ids()));
            double[][] reference = SpinTrainer.referenceLogProbs(policy, pairs, 2);
            double[] chosen = LogProbs.of(policy, pairs.stream().map(TokenizedPair::prompt).toList(), pairs.stream().map(TokenizedPair::chosen).toList(), 3);
            double[] rejected = LogProbs.of(policy, pairs.stream().map(TokenizedPair::prompt).toList(), pairs.stream().map(TokenizedPair::rejected).toList(), 1);
            for (int i = 0; i < pairs.size(); i++) {
                assertEquals(reference[i][0], chosen[i], 1e-4, "chosen " + i);
                assertEquals(reference[i][1], rejected[i], 1e-4, "rejected " + i);
            }
        }
    }
}
