package io.spin.testresource;

import io.spin.stack.SharedStack;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the shared test stack when the JUnit launcher session of a test JVM closes. */
public final class SharedStackSessionListener implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        SharedStack.stop();
    }
}
