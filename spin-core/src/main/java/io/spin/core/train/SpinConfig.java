package io.spin.core.train;

/**
 * SPIN training of pi_{t+1} from pi_t.
 *
 * @param training optimisation settings
 * @param beta inverse temperature of the implicit reward; larger is stricter about staying near the reference
 * @param loss sigmoid (the paper) or hinge
 * @param nllCoefficient weight of an added per-token negative log-likelihood of the human response (0 = off, the paper)
 */
public record SpinConfig(TrainingConfig training, double beta, LossType loss, double nllCoefficient) {
    public SpinConfig {
        if (!(beta > 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be > 0, not " + beta);
        }
        if (!(nllCoefficient >= 0) || Double.isInfinite(nllCoefficient)) {
            throw new IllegalArgumentException("nllCoefficient must be >= 0, not " + nllCoefficient);
        }
    }
}
