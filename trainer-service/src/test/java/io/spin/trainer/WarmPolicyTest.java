package io.spin.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import io.spin.core.model.Policy;
import io.spin.data.model.ModelConfig;
import io.spin.data.text.PromptFormat;

class WarmPolicyTest {
    private static Policy tiny() {
        return Policy.create(ModelConfig.preset("tiny"), PromptFormat.DEFAULT_TEMPLATE, 1);
    }

    @Test
    void theKeptPolicyIsHandedOverOnlyForItsOwnCheckpointAndAReplacedOneIsClosed() {
        WarmPolicy warm = new WarmPolicy();
        Policy first = tiny();
        warm.keep("a", first);
        assertNull(warm.take("b"), "another checkpoint is loaded, not this one");
        assertSame(first, warm.take("a"));
        assertNull(warm.take("a"), "handed over once: the job owns it now");
        warm.keep("c", first);
        Policy second = tiny();
        warm.keep("d", second);
        assertFalse(first.manager().isOpen(), "the one kept before is closed");
        assertTrue(second.manager().isOpen());
        warm.close();
        assertFalse(second.manager().isOpen());
    }

    @Test
    void whatWasPreparedFromTheKeptPolicyIsHandedOverOnceForItsPurposeAndGoesWithIt() {
        WarmPolicy warm = new WarmPolicy();
        Policy policy = tiny();
        warm.keep("a", policy);
        warm.prepare("run/1/a", "eval pairs of iteration 1");
        assertNull(warm.takePrepared("run/2/a", String.class), "another iteration's");
        assertNull(warm.takePrepared("run/1/a", Integer.class), "another kind of thing");
        assertSame(policy, warm.take("a"), "taking the policy leaves what was prepared for its job");
        assertEquals("eval pairs of iteration 1", warm.takePrepared("run/1/a", String.class));
        assertNull(warm.takePrepared("run/1/a", String.class), "handed over once");
        warm.keep("a", policy);
        warm.prepare("run/1/a", "stale");
        warm.keep("b", tiny());
        assertNull(warm.takePrepared("run/1/a", String.class), "a newly kept policy drops what was prepared from the old one");
        warm.close();
    }
}
