package io.spin.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.spin.commons.PairSnapshot;

class SamplerDriftTest {
    private static PairSnapshot.Row row(int iteration, int[] ids, String finish, double logProb) {
        return new PairSnapshot.Row(iteration, "p", 0, List.of(), "q", "h", "r", ids, finish, logProb);
    }

    @Test
    void onlyThisIterationsWholeSamplesWithTokenIdsCompare() {
        List<PairSnapshot.Row> rows = List.of(
                row(3, new int[] {5, 6}, "EOS", -4.0),        // scored as 5 6 EOS: 3 tokens; |-4.5 - -4.0| = 0.5
                row(3, new int[] {5, 6, 7}, "LENGTH", -7.0),  // 3 tokens, no EOS; |-7.25 - -7.0| = 0.25
                row(3, new int[] {5, 6, 7, 8}, "LENGTH", -1), // cut to 3 by maxResponseTokens: not compared
                row(2, new int[] {5}, "EOS", -100),           // sampled by pi_2, an older policy: not compared
                row(3, null, "EOS", -100),                    // no token ids (an older writer): not compared
                row(3, new int[] {5}, "EOS", Double.NaN));    // no sampler log-prob in the snapshot: not compared
        List<int[]> rejected = List.of(new int[3], new int[3], new int[3], new int[2], new int[2], new int[2]);
        double[][] reference = {{0, -4.5}, {0, -7.25}, {0, -9}, {0, -1}, {0, -1}, {0, -1}};
        SamplerDrift drift = SamplerDrift.of(rows, rejected, reference, 3);
        assertEquals(2, drift.compared());
        assertEquals(0.375, drift.mean(), 1e-12);
        assertEquals(0.5, drift.max(), 1e-12);
    }
}
