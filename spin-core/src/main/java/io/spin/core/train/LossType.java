package io.spin.core.train;

/** SPIN loss forms on logits = (log pi(y|x) - log ref(y|x)) - (log pi(y'|x) - log ref(y'|x)). */
public enum LossType {
    /** -log sigmoid(beta * logits): the paper's loss, the DPO form. */
    SIGMOID,
    /** relu(1 - beta * logits). */
    HINGE;

    public static LossType parse(String name) {
        for (LossType t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown loss type '" + name + "'; known: sigmoid, hinge");
    }
}
