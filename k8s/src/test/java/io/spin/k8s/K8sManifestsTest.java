package io.spin.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.spin.contract.SpinTopic;

/** The manifests agree with the project's single definitions, and k8s/validate accepts them and refuses a typo. */
class K8sManifestsTest {
    static final Path K8S = Path.of("").toAbsolutePath();
    static final Path ROOT = K8S.getParent();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> documents(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (var parser = YAML.getFactory().createParser(file.toFile())) {
            YAML.readValues(parser, JsonNode.class).forEachRemaining(d -> {
                if (d != null && !d.isNull() && !d.isMissingNode()) {
                    docs.add(d);
                }
            });
        }
        return docs;
    }

    @Test
    void kafkaTopicsAreExactlyTheContractsTopics() throws IOException {
        Map<String, JsonNode> topics = documents(K8S.resolve("base/topics.yaml")).stream()
                .filter(d -> d.path("kind").asText().equals("KafkaTopic"))
                .collect(Collectors.toMap(d -> d.path("spec").path("topicName").asText(), d -> d));
        assertEquals(Arrays.stream(SpinTopic.values()).map(SpinTopic::topicName).collect(Collectors.toSet()), topics.keySet());
        for (SpinTopic topic : SpinTopic.values()) {
            JsonNode spec = topics.get(topic.topicName()).path("spec");
            assertEquals(topic.defaultPartitions(), spec.path("partitions").asInt(), topic + " partitions");
            Map<String, String> config = new HashMap<>();
            spec.path("config").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            assertEquals(topic.kafkaConfig(), config, topic + " config");
            assertEquals("spin", topics.get(topic.topicName()).path("metadata").path("labels").path("strimzi.io/cluster").asText());
        }
        JsonNode broker = documents(K8S.resolve("base/kafka.yaml")).stream().filter(d -> d.path("kind").asText().equals("Kafka"))
                .findFirst().orElseThrow().path("spec").path("kafka").path("config");
        assertEquals(io.spin.contract.Limits.RECORD_BYTES, broker.path("message.max.bytes").asInt(), "Kafka Streams' own topics");
        assertEquals(io.spin.contract.Limits.RECORD_BYTES, broker.path("replica.fetch.max.bytes").asInt());
    }

    @Test
    void generatorAutoscalingNeverExceedsTheRequestPartitionsAndWatchesTheGeneratorsGroup() throws IOException {
        JsonNode scaled = documents(K8S.resolve("overlays/gpu/generator-autoscaling.yaml")).get(0);
        assertEquals("ScaledObject", scaled.path("kind").asText());
        assertTrue(scaled.path("spec").path("maxReplicaCount").asInt() <= SpinTopic.GENERATION_REQUESTS.defaultPartitions());
        JsonNode kafka = scaled.path("spec").path("triggers").get(0).path("metadata");
        assertEquals(SpinTopic.GENERATION_REQUESTS.topicName(), kafka.path("topic").asText());
        Properties generator = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve("generator-service/src/main/resources/application.properties"))) {
            generator.load(in);
        }
        assertEquals(generator.getProperty("mp.messaging.incoming.generation-requests.group.id"), kafka.path("consumerGroup").asText());
    }

    @Test
    void everySettingAServiceRequiresIsProvidedAndEveryProvidedOneIsRead() throws IOException {
        Set<String> provided = new HashSet<>();
        documents(K8S.resolve("base/config.yaml")).get(0).path("data").fieldNames().forEachRemaining(provided::add);
        for (String service : List.of("orchestrator", "generator", "pair-builder", "trainer")) {
            JsonNode container = documents(K8S.resolve("base/" + service + ".yaml")).get(0)
                    .path("spec").path("template").path("spec").path("containers").get(0);
            Set<String> env = new HashSet<>(provided);
            container.path("env").forEach(e -> env.add(e.path("name").asText()));
            assertEquals("spin-config", container.path("envFrom").get(0).path("configMapRef").path("name").asText());
            String properties = Files.readString(ROOT.resolve(service + "-service/src/main/resources/application.properties"))
                    + Files.readString(ROOT.resolve("spin-service-runtime/src/main/resources/META-INF/microprofile-config.properties"));
            // ${SPIN_X} without a default must come from the Deployment, or the service cannot start
            Matcher required = Pattern.compile("\\$\\{(SPIN_[A-Z0-9_]+)}").matcher(properties);
            while (required.find()) {
                assertTrue(env.contains(required.group(1)), service + " needs " + required.group(1));
            }
            assertEquals(8080, container.path("ports").get(0).path("containerPort").asInt());
            assertEquals("/q/health/ready", container.path("readinessProbe").path("httpGet").path("path").asText());
        }
        assertEquals("8080", documents(K8S.resolve("base/config.yaml")).get(0).path("data").path("QUARKUS_HTTP_PORT").asText());
        StringBuilder everything = new StringBuilder();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : files.filter(p -> p.toString().contains("/src/main/") && (p.toString().endsWith(".properties")
                    || p.toString().endsWith(".java"))).toList()) {
                everything.append(Files.readString(f));
            }
        }
        for (String key : provided) {
            if (key.startsWith("SPIN_")) {
                assertTrue(everything.indexOf(key) >= 0, key + " is set in spin-config but no service reads it");
            }
        }
    }

    @Test
    void thePodMonitorScrapesEveryServiceAndTheDashboardQueriesOnlySpinAndKafkaMetrics() throws IOException {
        Set<String> services = new HashSet<>();
        for (String file : List.of("orchestrator", "generator", "pair-builder", "trainer")) {
            documents(K8S.resolve("base/" + file + ".yaml")).stream().filter(K8sManifestsTest::workload)
                    .forEach(d -> services.add(d.path("spec").path("template").path("metadata").path("labels").path("app.kubernetes.io/name").asText()));
        }
        JsonNode monitor = documents(K8S.resolve("overlays/monitoring/podmonitor.yaml")).get(0);
        Set<String> selected = new HashSet<>();
        monitor.path("spec").path("selector").path("matchExpressions").get(0).path("values").forEach(v -> selected.add(v.asText()));
        assertEquals(services, selected, "every service's pods, and only those");
        JsonNode endpoint = monitor.path("spec").path("podMetricsEndpoints").get(0);
        assertEquals("/q/metrics", endpoint.path("path").asText());
        for (String file : List.of("orchestrator", "generator", "pair-builder", "trainer")) {
            assertTrue(Files.readString(K8S.resolve("base/" + file + ".yaml")).contains("name: " + endpoint.path("port").asText()),
                    file + " names the port " + endpoint.path("port").asText());
        }
        // which metrics the services export is checked against real scrapes in SpinRunIT; here, that panels query ours
        for (String metric : dashboardMetrics(K8S.resolve("overlays/monitoring/spin-dashboard.json"))) {
            assertTrue(metric.startsWith("spin_") || metric.startsWith("kafka_consumer_"), metric);
        }
    }

    /** The metric names the dashboard's panel queries use (histogram series reduced to their metric). */
    static Set<String> dashboardMetrics(Path dashboard) throws IOException {
        Set<String> metrics = new HashSet<>();
        Pattern name = Pattern.compile("\\b((?:spin|kafka)_[a-z_]+)\\b");
        for (JsonNode panel : new ObjectMapper().readTree(dashboard.toFile()).path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = name.matcher(target.path("expr").asText());
                while (m.find()) {
                    metrics.add(m.group(1).replaceAll("_(bucket|count|sum)$", ""));
                }
            }
        }
        return metrics;
    }

    /** A pod: its labels, as the manifests give them (Kafka's as Strimzi labels its broker pods). */
    record Pod(String name, Map<String, String> labels) {
    }

    @Test
    void everyFlowOfTheArchitectureIsAllowedAndNoOther() throws IOException {
        List<JsonNode> policies = new ArrayList<>();
        Map<String, Pod> pods = new HashMap<>();
        Map<String, Set<String>> uses = new HashMap<>(); // pod -> the spin-config endpoints its containers read
        for (Path file : List.of(K8S.resolve("base/network-policies.yaml"), K8S.resolve("base/orchestrator.yaml"), K8S.resolve("base/generator.yaml"),
                K8S.resolve("base/pair-builder.yaml"), K8S.resolve("base/trainer.yaml"), K8S.resolve("base/registry.yaml"), K8S.resolve("base/minio.yaml"),
                K8S.resolve("base/minio-identities.yaml"))) {
            for (JsonNode d : documents(file)) {
                String kind = d.path("kind").asText();
                if (kind.equals("NetworkPolicy")) {
                    policies.add(d);
                } else if (kind.equals("Deployment") || kind.equals("StatefulSet") || kind.equals("Job")) {
                    JsonNode template = d.path("spec").path("template");
                    Map<String, String> labels = new HashMap<>();
                    template.path("metadata").path("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                    String name = labels.get("app.kubernetes.io/name");
                    pods.put(name, new Pod(name, labels));
                    String containers = template.path("spec").path("containers").toString();
                    Set<String> endpoints = new HashSet<>();
                    for (String key : List.of("SPIN_KAFKA_BOOTSTRAP", "SPIN_REGISTRY_URL", "SPIN_S3_ENDPOINT")) {
                        if (containers.contains("\"" + key + "\"") || containers.contains("\"spin-config\"") && containers.contains("configMapRef")) {
                            endpoints.add(key);
                        }
                    }
                    uses.put(name, endpoints);
                }
            }
        }
        pods.put("kafka", new Pod("kafka", Map.of("strimzi.io/cluster", "spin", "strimzi.io/kind", "Kafka")));
        Map<String, String[]> endpoint = Map.of("SPIN_KAFKA_BOOTSTRAP", new String[] {"kafka", "9093"},
                "SPIN_REGISTRY_URL", new String[] {"spin-registry", "8080"}, "SPIN_S3_ENDPOINT", new String[] {"spin-minio", "9000"});
        Set<String> flows = new HashSet<>();
        uses.forEach((pod, keys) -> keys.forEach(k -> flows.add(pod + " -> " + endpoint.get(k)[0] + ":" + endpoint.get(k)[1])));
        assertTrue(flows.contains("spin-generator -> kafka:9093") && flows.contains("spin-registry -> kafka:9093"), flows.toString());
        JsonNode kafka = documents(K8S.resolve("base/kafka.yaml")).stream().filter(d -> d.path("kind").asText().equals("Kafka")).findFirst().orElseThrow();
        JsonNode peers = kafka.path("spec").path("kafka").path("listeners").get(0).path("networkPolicyPeers");
        for (Pod from : pods.values()) {
            for (Pod to : pods.values()) {
                for (String port : List.of("8080", "9000", "9093")) {
                    String flow = from.name() + " -> " + to.name() + ":" + port;
                    boolean allowed = allows(policies, from, to, port, "Egress")
                            && (to.name().equals("kafka") ? port.equals("9093") && anyPeer(peers, from) : allows(policies, from, to, port, "Ingress"));
                    assertEquals(flows.contains(flow), allowed, flow + (allowed ? " is allowed but is not a flow of the architecture"
                            : " is a flow of the architecture but no NetworkPolicy allows it"));
                }
            }
        }
    }

    /** Scrapers reach the management interface (metrics only), never a service's API port. */
    @Test
    void metricsScrapersReachOnlyTheManagementPort() throws IOException {
        JsonNode policy = documents(K8S.resolve("base/network-policies.yaml")).stream()
                .filter(d -> d.path("metadata").path("name").asText().equals("spin-metrics-scrapers")).findFirst().orElseThrow();
        List<String> ports = new java.util.ArrayList<>();
        policy.path("spec").path("ingress").forEach(rule -> rule.path("ports").forEach(port -> ports.add(port.path("port").asText())));
        assertEquals(List.of("9000"), ports);
        assertEquals("9000", documents(K8S.resolve("base/config.yaml")).get(0).path("data").path("QUARKUS_MANAGEMENT_PORT").asText());
        for (String service : List.of("orchestrator", "generator", "pair-builder", "trainer")) {
            JsonNode container = documents(K8S.resolve("base/" + service + ".yaml")).stream().filter(K8sManifestsTest::workload)
                    .findFirst().orElseThrow().path("spec").path("template").path("spec").path("containers").get(0);
            assertTrue(container.path("ports").toString().contains("{\"name\":\"management\",\"containerPort\":9000}"), service);
        }
        JsonNode monitor = documents(K8S.resolve("overlays/monitoring/podmonitor.yaml")).get(0);
        assertEquals("management", monitor.path("spec").path("podMetricsEndpoints").get(0).path("port").asText());
    }

    /** Kubernetes' rule: a direction is open unless a policy of that type selects the pod; then some rule must match. */
    private static boolean allows(List<JsonNode> policies, Pod from, Pod to, String port, String type) {
        Pod subject = type.equals("Egress") ? from : to;
        Pod peer = type.equals("Egress") ? to : from;
        boolean selected = false;
        for (JsonNode p : policies) {
            JsonNode spec = p.path("spec");
            if (!matches(spec.path("podSelector"), subject) || !spec.path("policyTypes").toString().contains(type)) {
                continue;
            }
            selected = true;
            for (JsonNode rule : spec.path(type.equals("Egress") ? "egress" : "ingress")) {
                boolean portOk = rule.path("ports").isEmpty() || rule.path("ports").toString().contains("\"port\":" + port);
                if (portOk && anyPeer(rule.path(type.equals("Egress") ? "to" : "from"), peer)) {
                    return true;
                }
            }
        }
        return !selected;
    }

    /** Whether a pod of this namespace matches one of the peers (namespaceSelector peers name other namespaces). */
    private static boolean anyPeer(JsonNode peers, Pod pod) {
        for (JsonNode peer : peers) {
            if (peer.has("podSelector") && !peer.has("namespaceSelector") && matches(peer.path("podSelector"), pod)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(JsonNode selector, Pod pod) {
        var labels = selector.path("matchLabels").fields();
        while (labels.hasNext()) {
            var e = labels.next();
            if (!e.getValue().asText().equals(pod.labels().get(e.getKey()))) {
                return false;
            }
        }
        for (JsonNode expression : selector.path("matchExpressions")) {
            String value = pod.labels().get(expression.path("key").asText());
            boolean in = false;
            for (JsonNode v : expression.path("values")) {
                in |= v.asText().equals(value);
            }
            if (!expression.path("operator").asText().equals("In") || !in) {
                return false;
            }
        }
        return true;
    }

    @Test
    void everyServiceIsItsOwnKafkaUserWithExactlyTheAclsOfItsRole() throws IOException {
        Map<String, JsonNode> users = new HashMap<>();
        documents(K8S.resolve("base/kafka-users.yaml")).forEach(d -> users.put(d.path("metadata").path("name").asText(), d));
        JsonNode listener = documents(K8S.resolve("base/kafka.yaml")).get(0).path("spec").path("kafka").path("listeners").get(0);
        assertTrue(listener.path("tls").asBoolean(), "TLS on the listener");
        assertEquals("scram-sha-512", listener.path("authentication").path("type").asText());
        assertEquals("simple", documents(K8S.resolve("base/kafka.yaml")).get(0).path("spec").path("kafka").path("authorization").path("type").asText());
        for (io.spin.contract.ServicePrincipal service : io.spin.contract.ServicePrincipal.values()) {
            JsonNode user = users.get(service.user());
            assertTrue(user != null, "a KafkaUser " + service.user());
            assertEquals("scram-sha-512", user.path("spec").path("authentication").path("type").asText());
            Set<String> granted = new HashSet<>();
            for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                JsonNode r = acl.path("resource");
                acl.path("operations").forEach(op -> granted.add(r.path("type").asText() + " " + r.path("name").asText() + " "
                        + r.path("patternType").asText("literal") + " " + op.asText()));
            }
            Set<String> role = new HashSet<>();
            for (var binding : service.acls()) {
                var pattern = binding.pattern();
                String type = switch (pattern.resourceType()) {
                    case TOPIC -> "topic";
                    case GROUP -> "group";
                    case TRANSACTIONAL_ID -> "transactionalId";
                    default -> throw new IllegalStateException("no KafkaUser form for " + pattern);
                };
                String op = binding.entry().operation().name().charAt(0) + binding.entry().operation().name().substring(1).toLowerCase();
                role.add(type + " " + pattern.name() + " " + (pattern.patternType().name().equals("PREFIXED") ? "prefix" : "literal") + " " + op);
            }
            assertEquals(new java.util.TreeSet<>(role), new java.util.TreeSet<>(granted), service.user() + "'s KafkaUser against ServicePrincipal");
            // the service runs as that user, with the password from the Secret Strimzi makes for it
            String deployment = documents(K8S.resolve("base/" + service.user().substring("spin-".length()) + ".yaml")).get(0).toString();
            assertTrue(deployment.contains("{\"name\":\"SPIN_KAFKA_USER\",\"value\":\"" + service.user() + "\"}"), deployment);
            assertTrue(deployment.contains("\"secretKeyRef\":{\"name\":\"" + service.user() + "\",\"key\":\"password\"}"), deployment);
        }
        theServicesConfigurationUsesOnlyWhatTheirRoleAllows();
    }

    /** The topics and groups a service's own configuration names (SmallRye channels, Kafka Streams) are within its role. */
    private static void theServicesConfigurationUsesOnlyWhatTheirRoleAllows() throws IOException {
        Pattern channel = Pattern.compile("mp\\.messaging\\.(incoming|outgoing)\\.[^.]+\\.topic=\\$\\{spin\\.topic\\.([a-z-]+)}");
        Pattern group = Pattern.compile("(mp\\.messaging\\.incoming\\.[^.]+\\.group\\.id|quarkus\\.kafka-streams\\.application-id|[a-z.-]+-group)=([^\\s$]+)");
        int checked = 0;
        for (io.spin.contract.ServicePrincipal service : io.spin.contract.ServicePrincipal.values()) {
            String module = service.user().substring("spin-".length()) + "-service";
            String properties = Files.readString(ROOT.resolve(module + "/src/main/resources/application.properties"));
            Set<String> roleTopics = new HashSet<>();
            service.acls().forEach(b -> roleTopics.add(b.pattern().resourceType() + " " + b.pattern().name() + " " + b.entry().operation()));
            Matcher m = channel.matcher(properties);
            while (m.find()) {
                String topic = SpinTopic.valueOf(m.group(2).toUpperCase().replace('-', '_')).topicName();
                String op = m.group(1).equals("incoming") ? "READ" : "WRITE";
                assertTrue(roleTopics.contains("TOPIC " + topic + " " + op), module + " " + m.group(1) + " " + topic + " needs " + op);
                checked++;
            }
            // groups named in the configuration, and the defaults of group settings in the code
            StringBuilder sources = new StringBuilder(properties);
            try (Stream<Path> files = Files.walk(ROOT.resolve(module + "/src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher d = Pattern.compile("name = \"[a-z.-]+-group\", defaultValue = \"([^\"]+)\"").matcher(Files.readString(f));
                    while (d.find()) {
                        sources.append("\ncode-default-group=").append(d.group(1));
                    }
                }
            }
            Matcher g = group.matcher(sources);
            while (g.find()) {
                String id = g.group(2);
                assertTrue(service.acls().stream().anyMatch(b -> b.pattern().resourceType().name().equals("GROUP") && id.startsWith(b.pattern().name())),
                        module + "'s group " + id + " is not in its role");
                checked++;
            }
        }
        assertTrue(checked >= 5, "the generator's channels and group, the pair builder's application id and audit group, the trainer's: "
                + checked);
    }

    @Test
    void noCredentialsAreCommitted() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") && !p.startsWith(K8S.resolve(".tools"))
                    && !p.startsWith(K8S.resolve("target"))).toList()) {
                for (JsonNode d : documents(f)) {
                    assertNotEquals("Secret", d.path("kind").asText(), f + " commits a Secret");
                }
            }
        }
    }

    @Test
    void validateAcceptsTheManifests() throws Exception {
        Result r = validate(K8S);
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("k8s/validate: OK"), r.output());
    }

    @Test
    void validateRefusesAMisspelledFieldNamingIt(@TempDir Path copy) throws Exception {
        for (String dir : List.of("base", "overlays/dev", "overlays/gpu")) {
            Files.createDirectories(copy.resolve(dir));
            try (Stream<Path> files = Files.list(K8S.resolve(dir))) {
                for (Path f : files.toList()) {
                    Files.copy(f, copy.resolve(dir).resolve(f.getFileName()));
                }
            }
        }
        Path scaled = copy.resolve("overlays/gpu/generator-autoscaling.yaml");
        Files.writeString(scaled, Files.readString(scaled).replace("maxReplicaCount:", "maxReplicaCounts:"));
        Path trainer = copy.resolve("base/trainer.yaml");
        List<JsonNode> docs = documents(trainer);
        ((ObjectNode) docs.get(0).path("spec")).put("replica", 1); // a typo of "replicas"
        Files.writeString(trainer, docs.stream().map(K8sManifestsTest::yaml).collect(Collectors.joining("---\n")));
        Result r = validate(copy);
        assertNotEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("'\"maxReplicaCounts\"' does not exist"), r.output());
        assertTrue(r.output().contains("'\"replica\"' does not exist in type 'IDeploymentSpec'"), r.output());
    }

    private static String yaml(JsonNode d) {
        try {
            return YAML.writeValueAsString(d).replaceFirst("^---\n", "");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    record Result(int exit, String output) {
    }

    private static Result validate(Path folder) throws Exception {
        Process p = new ProcessBuilder(K8S.resolve("validate").toString(), folder.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(p.waitFor(), output);
    }

    /** A service's pods: its Deployment, or the pair builder's StatefulSet. */
    private static boolean workload(JsonNode document) {
        return List.of("Deployment", "StatefulSet").contains(document.path("kind").asText());
    }

    @Test
    void thePairBuildersStateOutlivesItsPod() throws IOException {
        JsonNode set = documents(K8S.resolve("base/pair-builder.yaml")).stream().filter(d -> d.path("kind").asText().equals("StatefulSet"))
                .findFirst().orElseThrow();
        JsonNode claim = set.path("spec").path("volumeClaimTemplates").get(0);
        assertEquals("state", claim.path("metadata").path("name").asText());
        JsonNode container = set.path("spec").path("template").path("spec").path("containers").get(0);
        assertTrue(container.path("volumeMounts").toString().contains("{\"name\":\"state\",\"mountPath\":\"/var/spin/state\"}"),
                container.path("volumeMounts").toString());
        assertTrue(set.path("spec").path("template").path("spec").path("volumes").findValues("name").stream()
                .noneMatch(n -> n.asText().equals("state")), "no emptyDir shadows the claim");
        assertEquals("/var/spin/state", documents(K8S.resolve("base/config.yaml")).get(0).path("data").path("SPIN_STATE_DIR").asText(),
                "Kafka Streams keeps its state under SPIN_STATE_DIR");
    }
}
