package io.spin.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaFinderTest {
    @TempDir
    Path jvms;

    private Path fakeJdk(String name, String version) throws IOException {
        Path home = jvms.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.createFile(home.resolve("bin/java"));
        java.toFile().setExecutable(true);
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    @Test
    void picksTheNewestJdkThatIsNewEnough() throws IOException {
        fakeJdk("jdk-17", "17.0.15");
        fakeJdk("jdk-21", "21.0.2");
        fakeJdk("jdk-25", "25");
        Map<String, String> env = Map.of("JAVA_HOME", jvms.resolve("jdk-17").toString());
        Path found = JavaFinder.find(99, Map.of("SPIN_REGISTRY_JAVA_HOME", fakeJdk("jdk-99", "99").toString()), jvms);
        assertEquals(jvms.resolve("jdk-99/bin/java"), found, "SPIN_REGISTRY_JAVA_HOME wins");
        assertEquals(jvms.resolve("jdk-99/bin/java"), JavaFinder.find(21, env, jvms), "the newest in the folder");
    }

    @Test
    void failsNamingEveryPlaceItLookedAndTheVersionItFound() throws IOException {
        fakeJdk("jdk-17", "17.0.15");
        fakeJdk("jdk-8", "1.8.0_392");
        StackException e = assertThrows(StackException.class, () -> JavaFinder.find(900, Map.of(), jvms));
        assertTrue(e.getMessage().contains(jvms.resolve("jdk-17") + " (Java 17)"), e.getMessage());
        assertTrue(e.getMessage().contains(jvms.resolve("jdk-8") + " (Java 8)"), e.getMessage());
        assertTrue(e.getMessage().contains("SPIN_REGISTRY_JAVA_HOME"), e.getMessage());
    }

    @Test
    void settingsRejectAPortThatIsNotANumber() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> StackSettings.defaults(jvms, jvms, Map.of("SPIN_KAFKA_PORT", "90x")));
        assertTrue(e.getMessage().contains("SPIN_KAFKA_PORT") && e.getMessage().contains("90x"), e.getMessage());
        assertEquals(29093, StackSettings.defaults(jvms, jvms, Map.of()).controllerPort());
    }
}
