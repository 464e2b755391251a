package io.spin.stack;

import io.spin.commons.stack.StackEndpoints;

/** The integration tests against the real local processes (shared per test JVM, or given by SPIN_* variables). */
class LocalStackIntegrationTest extends StackIntegrationTests {
    @Override
    protected StackEndpoints endpoints() {
        return SharedStack.endpoints();
    }
}
