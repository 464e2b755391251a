package io.spin.stack;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.spin.contract.KafkaCredentials;

/**
 * A SPIN service as a container on this machine, configured as k8s/base configures it: spin-config's values and
 * the Deployment's variables, user 185, a read-only root and writable folders only where the Deployment mounts an
 * emptyDir. What differs on one machine is said here and nowhere else: the endpoints are the local stack's on
 * 127.0.0.1 (plain SASL on loopback, so no cluster CA), each replica has its own port and instance id, and Secrets
 * are the installation's credentials.
 */
final class ServiceContainers {
    static final String USER = "185:185";

    private final Path home;
    private final Path k8sBase;
    private final SpinImages images;

    ServiceContainers(Path home, Path root, SpinImages images) {
        this.home = home;
        this.k8sBase = root.resolve("k8s/base");
        this.images = images;
    }

    /** The Deployment's name in k8s/base: the module without "-service". */
    static String deploymentOf(ServiceSpec s) {
        return s.module().replace("-service", "");
    }

    ContainerCommand of(ServiceSpec s, StackEndpoints endpoints, String apiToken, Map<String, String> overrides, String marker) throws IOException {
        K8sDeployment d = K8sDeployment.read(k8sBase, deploymentOf(s));
        Map<String, String> env = new LinkedHashMap<>(d.config());
        env.putAll(d.values());
        d.secrets().forEach((variable, ref) -> {
            String value = secret(d, variable, ref, endpoints, apiToken);
            if (value != null) {
                env.put(variable, value);
            }
        });
        Map<String, String> local = new LinkedHashMap<>(endpoints.asEnvironment());
        local.remove(KafkaCredentials.USER); // each service is its own principal (from its Deployment), not the admin
        local.remove(KafkaCredentials.PASSWORD);
        env.putAll(local);
        env.remove("SPIN_KAFKA_CA_FILE");
        if (endpoints.kafkaUser() == null) { // --insecure: no principals at all
            env.remove(KafkaCredentials.USER);
            env.remove(KafkaCredentials.PASSWORD);
        }
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", Integer.toString(s.port()));
        env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
        env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(s.managementPort())); // one host network: a port each
        env.put("SPIN_INSTANCE_ID", s.name()); // replicas share the host's name on its network
        env.putAll(overrides);
        Path dir = home.resolve("containers").resolve(s.name());
        Path envFile = ContainerCommand.envFile(dir.resolve("env"), env);
        Map<String, String> volumes = new LinkedHashMap<>();
        for (K8sDeployment.Mount mount : d.mounts()) {
            if (mount.emptyDir()) { // kept across restarts here: the data volumes ./spin down leaves in place
                Path hostDir = dir.resolve(mount.volume());
                ownedByServiceUser(hostDir);
                volumes.put(hostDir.toAbsolutePath().toString(), mount.path());
            }
        }
        return new ContainerCommand(ContainerCommand.name(home, s.name()), images.service(s.module()), USER, volumes, envFile, null,
                K8sDeployment.dockerMemory(d.memoryLimit()), marker, List.of());
    }

    private static String secret(K8sDeployment d, String variable, K8sDeployment.SecretRef ref, StackEndpoints endpoints, String apiToken) {
        if (ref.configMap()) {
            if (ref.optional()) {
                return null; // an optional feature's ConfigMap (OIDC): not configured on one machine
            }
        } else if (ref.name().equals(d.values().get(KafkaCredentials.USER)) && ref.key().equals("password")) {
            return endpoints.kafkaPassword() == null ? null : KafkaUsers.password(endpoints.kafkaPassword(), ref.name());
        } else if (ref.name().startsWith("spin-s3")) { // one S3Proxy identity serves every service locally
            switch (ref.key()) {
                case "access-key": return endpoints.s3AccessKey();
                case "secret-key": return endpoints.s3SecretKey();
                default: break;
            }
        } else if (ref.name().equals("spin-registry-deployer") && ref.key().equals("password")) {
            return endpoints.registryDeployerPassword();
        } else if (ref.name().equals("spin-api") && ref.key().equals("token")) {
            return apiToken;
        }
        if (ref.optional()) {
            return null;
        }
        throw new StackException("k8s/base/" + d.service() + ".yaml: " + variable + " comes from " + (ref.configMap() ? "ConfigMap " : "Secret ")
                + ref.name() + " key " + ref.key() + ", which the local containers do not know how to provide (ServiceContainers)");
    }

    /** The services run as 185: their writable folders must be its. */
    private void ownedByServiceUser(Path dir) throws IOException {
        Files.createDirectories(dir);
        if (Integer.valueOf(185).equals(Files.getAttribute(dir, "unix:uid"))) {
            return;
        }
        try {
            Files.setAttribute(dir, "unix:uid", 185);
            Files.setAttribute(dir, "unix:gid", 185);
        } catch (IOException | SecurityException e) { // not root: docker is, through a throwaway container of the base
            Docker.check(List.of("run", "--rm", "--user", "0", "--network", "none", "--volume", dir.toAbsolutePath() + ":/v",
                    images.base(), "chown", "185:185", "/v"), Duration.ofMinutes(1));
        }
    }
}
