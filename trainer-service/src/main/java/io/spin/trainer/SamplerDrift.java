package io.spin.trainer;

import java.util.List;

import io.spin.commons.PairSnapshot;

/**
 * How far the sampler's log-prob of each rejected response is from the trainer's reference log-prob of the same
 * token ids under the same pi_t: in exact arithmetic both are equal, so the difference measures half precision,
 * batching and kernel drift between generation and training (verl reports the same). Only this iteration's samples
 * compare (older ones in the window came from older policies), and only those with token ids that maxResponseTokens
 * did not cut.
 */
record SamplerDrift(double mean, double max, int compared) {
    static SamplerDrift of(List<PairSnapshot.Row> rows, List<int[]> rejected, double[][] reference, int iteration) {
        double sum = 0;
        double max = 0;
        int n = 0;
        for (int i = 0; i < rows.size(); i++) {
            PairSnapshot.Row row = rows.get(i);
            if (row.iteration() != iteration || row.rejectedTokenIds() == null || Double.isNaN(row.rejectedLogProb())) {
                continue;
            }
            boolean eos = !"LENGTH".equals(row.rejectedFinishReason());
            if (rejected.get(i).length != row.rejectedTokenIds().length + (eos ? 1 : 0)) {
                continue; // cut by maxResponseTokens: the trainer scored fewer tokens than were sampled
            }
            double diff = Math.abs(reference[i][1] - row.rejectedLogProb());
            sum += diff;
            max = Math.max(max, diff);
            n++;
        }
        return new SamplerDrift(n == 0 ? 0 : sum / n, max, n);
    }
}
