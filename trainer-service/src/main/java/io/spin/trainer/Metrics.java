package io.spin.trainer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spin.contract.EvalMetrics;
import io.spin.contract.TrainingMetrics;
import io.spin.core.eval.Evaluator;
import io.spin.core.train.TrainingSummary;

/** Summaries as contract records and as the free-form maps a checkpoint manifest keeps. */
final class Metrics {
    private Metrics() {
    }

    static TrainingMetrics training(TrainingSummary s, boolean spin, List<Integer> window) {
        return training(s, spin, window, null);
    }

    static TrainingMetrics training(TrainingSummary s, boolean spin, List<Integer> window, SamplerDrift drift) {
        TrainingMetrics.Builder b = TrainingMetrics.newBuilder().setSteps(s.steps()).setSequences(s.sequences()).setLoss(s.loss())
                .setWindowIterations(window);
        if (drift != null && drift.compared() > 0) {
            b.setSamplerLogpDiffMean(drift.mean()).setSamplerLogpDiffMax(drift.max()).setSamplerLogpCompared(drift.compared());
        }
        if (spin) {
            b.setRewardsReal(s.rewardsReal()).setRewardsGenerated(s.rewardsGenerated()).setRewardsMargin(s.rewardsMargin())
                    .setRewardsAccuracy(s.rewardsAccuracy()).setLogpsReal(s.logpsReal()).setLogpsGenerated(s.logpsGenerated());
        }
        return b.build();
    }

    static EvalMetrics eval(Evaluator.Result r, Double rewardAccuracy) {
        return EvalMetrics.newBuilder().setHumanLogpPerToken(r.humanLogpPerToken()).setExactMatchRate(r.exactMatchRate())
                .setMeanSimilarity(r.meanSimilarity()).setRewardAccuracy(rewardAccuracy).setPrompts(r.prompts()).build();
    }

    static Map<String, Object> asMap(TrainingMetrics t, EvalMetrics e) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("training", t.toString());
        map.put("eval", e == null ? null : e.toString());
        return map;
    }
}
