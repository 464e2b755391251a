package io.spin.orchestrator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;

import org.junit.jupiter.api.Test;

/** The orchestrator does not start with writes open to anyone unless told so by name. */
class ApiTokenFilterTest {

    private static ApiTokenFilter filter(String token, boolean oidc, boolean insecure) {
        ApiTokenFilter filter = new ApiTokenFilter();
        filter.oidc = oidc;
        filter.api = new OrchestratorConfig.Api() {
            public Optional<String> token() { return Optional.ofNullable(token); }
            public boolean protectReads() { return false; }
            public String writeRole() { return "spin-writer"; }
            public boolean insecure() { return insecure; }
            public int maxEventStreams() { return 64; }
        };
        return filter;
    }

    @Test
    void noTokenAndNoOidcRefusesToStartUnlessInsecureIsSaid() {
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> filter(null, false, false).refuseOpenWrites(null));
        assertTrue(refused.getMessage().contains("SPIN_API_TOKEN") && refused.getMessage().contains("SPIN_OIDC_ENABLED")
                && refused.getMessage().contains("SPIN_API_INSECURE=true"), refused.getMessage());
        assertThrows(IllegalStateException.class, () -> filter("  ", false, false).refuseOpenWrites(null), "a blank token is none");
        assertDoesNotThrow(() -> filter("t0ken", false, false).refuseOpenWrites(null));
        assertDoesNotThrow(() -> filter(null, true, false).refuseOpenWrites(null));
        assertDoesNotThrow(() -> filter(null, false, true).refuseOpenWrites(null));
    }
}
