package io.spin.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import io.spin.core.TestPolicies;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

class ScalarsTest {

    @Test
    void aConstantIsMadeOncePerDeviceTypeAndValueAndOutlivesWhoAskedForIt() {
        NDArray kept;
        try (NDManager m = NDManager.newBaseManager(); NDScope ignored = new NDScope()) {
            NDArray x = m.create(new float[] {1, 2});
            kept = Scalars.constant(x, 0.125f);
            assertSame(kept, Scalars.constant(x, 0.125f));
            assertNotSame(kept, Scalars.constant(x, 0.25f));
            NDArray half = Scalars.constant(x.toType(DataType.FLOAT16, false), 0.125f);
            assertEquals(DataType.FLOAT16, half.getDataType(), "of the operand's type, so it never promotes it");
            assertNotSame(kept, half);
            assertEquals(0.5f, x.mul(Scalars.constant(x, 0.25f)).getFloat(1), "2 x 0.25");
        }
        // the operand's manager and the scope are closed: the constant is still there for the next forward pass
        assertEquals(0.125f, kept.getFloat());
    }

    @Test
    void aForwardPassMakesNoScalarOnceItsConstantsExist() {
        for (String preset : new String[] {"tiny", "llama-tiny"}) { // GELU, LayerNorm / RMSNorm, attention
            try (Policy policy = Policy.create(ModelConfig.preset(preset), PromptFormat.DEFAULT_TEMPLATE, 3)) {
                int[] ids = policy.format().prompt("Define: a scalar", 64).ids();
                float[] first = TestPolicies.logits(policy, ids);
                int made = Scalars.made();
                float[] second = TestPolicies.logits(policy, ids);
                assertEquals(made, Scalars.made(), preset + ": the second forward pass made new scalars");
                assertEquals(first.length, second.length);
                for (int i = 0; i < first.length; i++) {
                    assertEquals(first[i], second[i], 0f, preset + " logit " + i);
                }
                assertTrue(Float.isFinite(first[0]));
            }
        }
    }
}
