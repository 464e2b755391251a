package io.spin.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModuleClosureTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void servicesAreBuiltFromTheirOwnModulesAndWhatTheyDependOnOutsideTests() throws Exception {
        List<String> kafkaOnly = List.of("schemas", "spin-commons", "spin-data", "spin-messaging", "spin-service-runtime", "spin-storage");
        List<String> withModels = with(with(kafkaOnly, "spin-checkpoints"), "spin-core");
        assertEquals(with(kafkaOnly, "orchestrator-service"), ModuleClosure.of(ROOT, "orchestrator-service"));
        assertEquals(with(kafkaOnly, "pair-builder-service"), ModuleClosure.of(ROOT, "pair-builder-service"));
        assertEquals(with(withModels, "trainer-service"), ModuleClosure.of(ROOT, "trainer-service"));
        assertEquals(with(withModels, "generator-service"), ModuleClosure.of(ROOT, "generator-service"));
    }

    @Test
    void aDependencyOnNoModuleIsNamed(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("pom.xml"), "<modules><module>a</module></modules>");
        Files.createDirectories(root.resolve("a"));
        Files.writeString(root.resolve("a/pom.xml"), "<parent><artifactId>p</artifactId></parent>\n  <artifactId>a</artifactId>"
                + "<dependencies><dependency><groupId>io.spin</groupId><artifactId>gone</artifactId></dependency></dependencies>");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModuleClosure.of(root, "a"));
        assertEquals("a/pom.xml depends on io.spin:gone, which is not a module of " + root.resolve("pom.xml"), e.getMessage());
    }

    private static List<String> with(List<String> modules, String module) {
        return java.util.stream.Stream.concat(modules.stream(), java.util.stream.Stream.of(module)).sorted().toList();
    }
}
