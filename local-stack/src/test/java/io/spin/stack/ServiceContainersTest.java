package io.spin.stack;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A service's container as ./spin up --containers starts it, from the repository's own k8s/base. */
class ServiceContainersTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final StackEndpoints SECURED = new StackEndpoints("127.0.0.1:29092", "http://127.0.0.1:28080", "http://127.0.0.1:29000",
            "access", "secret", "spin", KafkaUsers.ADMIN, "admin-password");

    @TempDir
    Path home;

    private Map<String, String> env(ContainerCommand c) throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : Files.readAllLines(c.envFile())) {
            env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
        }
        return env;
    }

    @Test
    void aGeneratorReplicaGetsItsDeploymentsValuesWithTheLocalEndpointsAndItsOwnPortPrincipalAndFolders() throws Exception {
        ServiceSpec replica = ServiceSpec.defaults(8090, 2).get(4); // generator-2
        ContainerCommand c = new ServiceContainers(home, ROOT, new SpinImages(Map.of()))
                .of(replica, SECURED, "token", Map.of("SPIN_TRAINER_CHECKPOINT_EVERY", "1"), "-Dspin-stack=x#generator-2");
        Map<String, String> env = env(c);
        assertEquals("spin-generator", env.get("SPIN_KAFKA_USER"), "its Deployment's principal");
        assertEquals(KafkaUsers.password("admin-password", "spin-generator"), env.get("SPIN_KAFKA_PASSWORD"));
        assertEquals("2", env.get("SPIN_GENERATOR_THREADS"), "a value of the Deployment itself");
        assertEquals("-Dai.djl.offline=true -XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError", env.get("JDK_JAVA_OPTIONS"), "spin-config's");
        assertEquals("/var/spin/state", env.get("SPIN_STATE_DIR"), "spin-config's, where the Deployment mounts its emptyDir");
        assertEquals("127.0.0.1:29092", env.get("SPIN_KAFKA_BOOTSTRAP"), "the local stack, not the cluster's service name");
        assertEquals("http://127.0.0.1:28080", env.get("SPIN_REGISTRY_URL"));
        assertEquals("access", env.get("SPIN_S3_ACCESS_KEY"), "the installation's S3 identity for spin-s3-generator");
        assertFalse(env.containsKey("SPIN_KAFKA_CA_FILE"), "no TLS on loopback");
        assertEquals("127.0.0.1", env.get("QUARKUS_HTTP_HOST"));
        assertEquals("8094", env.get("QUARKUS_HTTP_PORT"), "the replica's own port");
        assertEquals("127.0.0.1", env.get("QUARKUS_MANAGEMENT_HOST"));
        assertEquals("8194", env.get("QUARKUS_MANAGEMENT_PORT"), "the replica's own metrics port");
        assertEquals("generator-2", env.get("SPIN_INSTANCE_ID"), "replicas share the host's name on its network");
        assertEquals("1", env.get("SPIN_TRAINER_CHECKPOINT_EVERY"), "what the caller overrides wins");

        assertEquals("185:185", c.user());
        assertEquals("4g", c.memory(), "the Deployment's memory limit");
        assertEquals("spin/generator-service:" + new SpinImages(Map.of()).projectVersion(), c.image());
        Path dir = home.resolve("containers/generator-2");
        assertEquals(Map.of(dir.resolve("state").toString(), "/var/spin/state", dir.resolve("djl").toString(), "/var/spin/djl",
                dir.resolve("tmp").toString(), "/tmp"), c.volumes(), "the emptyDirs only; the CA's secret volume is not mounted");
        assertEquals(185, Files.getAttribute(dir.resolve("state"), "unix:uid"), "writable by the service's user");
        List<String> args = c.toArguments(home);
        assertTrue(args.containsAll(List.of("--read-only", "--rm")), args.toString());
        assertEquals("host", args.get(args.indexOf("--network") + 1));
        assertFalse(args.contains("--tmpfs"), "/tmp is the Deployment's emptyDir");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(c.envFile())),
                "the variables hold passwords");
    }

    @Test
    void theOrchestratorGetsTheRegistryDeployerAndTheApiTokenAndNoOptionalConfigMap() throws Exception {
        ContainerCommand c = new ServiceContainers(home, ROOT, new SpinImages(Map.of()))
                .of(ServiceSpec.defaults(8090, 1).get(0), SECURED, "the-token", Map.of(), "m");
        Map<String, String> env = env(c);
        assertEquals(SECURED.registryDeployerPassword(), env.get("SPIN_REGISTRY_DEPLOYER_PASSWORD"));
        assertEquals("the-token", env.get("SPIN_API_TOKEN"));
        assertFalse(env.containsKey("SPIN_OIDC_ENABLED"), "the optional spin-oidc ConfigMap is not configured locally");
        assertEquals("768m", c.memory());
    }

    @Test
    void aSecretTheLauncherDoesNotKnowStopsTheStartNamingIt() throws Exception {
        Path base = home.resolve("k8s/base");
        Files.createDirectories(base);
        Files.copy(ROOT.resolve("k8s/base/config.yaml"), base.resolve("config.yaml"));
        Files.writeString(base.resolve("trainer.yaml"), Files.readString(ROOT.resolve("k8s/base/trainer.yaml")).replace(
                "            - name: SPIN_KAFKA_PASSWORD", "            - name: SPIN_HF_TOKEN\n              valueFrom:\n"
                        + "                secretKeyRef:\n                  name: hf-token\n                  key: token\n"
                        + "            - name: SPIN_KAFKA_PASSWORD"));
        StackException e = assertThrows(StackException.class, () -> new ServiceContainers(home, home, new SpinImages(Map.of()))
                .of(ServiceSpec.defaults(8090, 1).get(2), SECURED, "t", Map.of(), "m"));
        assertTrue(e.getMessage().contains("SPIN_HF_TOKEN") && e.getMessage().contains("Secret hf-token"), e.getMessage());
    }

    @Test
    void memoryLimitsInDockersUnits() {
        assertEquals("768m", K8sDeployment.dockerMemory("768Mi"));
        assertEquals("8g", K8sDeployment.dockerMemory("8Gi"));
        assertThrows(StackException.class, () -> K8sDeployment.dockerMemory("2G"));
    }
}
