package io.spin.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.stack.LocalServices;
import io.spin.stack.SharedStack;

/**
 * SpinRunIT's whole run (SFT + 2 iterations, the same checks) with every service in a container from the images
 * ./spin images builds, configured from k8s/base as ./spin up --containers configures them. Skips, saying why, where
 * there is no Docker daemon or an image is not built; fails then where SPIN_CONTAINER_TESTS=required (CI).
 */
class ContainerSpinRunIT {
    static LocalServices services;

    @BeforeAll
    static void start() throws Exception {
        String why = LocalServices.whyNoContainers();
        if (why != null) {
            if ("required".equals(System.getenv("SPIN_CONTAINER_TESTS"))) {
                Assertions.fail("the container tests are required here, but: " + why);
            }
            Assumptions.abort(why);
        }
        SpinRunIT.endpoints = SharedStack.endpoints();
        SpinRunIT.storage = SpinRunIT.endpoints.objectStorage();
        SpinRunIT.home = Files.createTempDirectory("spin-e2e-containers-");
        services = new LocalServices(SpinRunIT.home, SpinRunIT.ROOT, SpinRunIT.freeBlock(), 1, System.out).inContainers();
        SpinRunIT.services = services;
        services.up(SpinRunIT.endpoints);
    }

    @AfterAll
    static void stop() throws IOException {
        if (services != null) {
            services.down();
        }
    }

    @Test
    void everyServiceRunsAsUser185OnAReadOnlyRootWithWritableFoldersOnlyWhereItsDeploymentHasThem() throws Exception {
        for (String name : List.of("orchestrator", "generator", "pair-builder", "trainer")) {
            JsonNode c = new ObjectMapper().readTree(services.inspectContainer(name)).get(0);
            assertEquals("185:185", c.path("Config").path("User").asText(), name);
            assertTrue(c.path("HostConfig").path("ReadonlyRootfs").asBoolean(), name + " has a read-only root");
            assertEquals("host", c.path("HostConfig").path("NetworkMode").asText(), name);
            List<String> writable = new ArrayList<>();
            c.path("Mounts").forEach(m -> writable.add(m.path("Destination").asText()));
            writable.sort(null);
            // k8s/base mounts these emptyDirs in every service (and the cluster CA, which is not needed on loopback)
            assertEquals(List.of("/tmp", "/var/spin/djl", "/var/spin/state"), writable, name);
            List<String> env = new ArrayList<>();
            c.path("Config").path("Env").forEach(e -> env.add(e.asText()));
            assertTrue(env.contains("SPIN_KAFKA_USER=spin-" + name), name + " is its own principal: " + env.stream().filter(e -> e.startsWith("SPIN_KAFKA_USER")).toList());
            assertTrue(env.contains("JDK_JAVA_OPTIONS=-Dai.djl.offline=true -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError"), "spin-config's JVM options");
            assertTrue(env.contains("SPIN_STATE_DIR=/var/spin/state"), "spin-config's state folder");
        }
    }

    @Test
    void sftAndTwoIterationsCompleteInContainers() throws Exception {
        new SpinRunIT().sftAndTwoIterationsCompleteWithOnePairPerPromptAndSampleAndACheckpointChain();
    }
}
