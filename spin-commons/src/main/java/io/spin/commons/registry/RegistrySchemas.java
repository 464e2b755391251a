package io.spin.commons.registry;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.spin.contract.SpinTopic;

/**
 * Registers the contract in Apicurio Registry through its v3 REST API: every topic's value schema under its subject
 * (group "default", artifact "&lt;topic&gt;-value", where the serdes look), and the compatibility rule.
 *
 * <p>The rule is FULL_TRANSITIVE: BACKWARD (a new consumer reads every old record, which replay needs) and also
 * FORWARD (consumers we do not control keep reading records written with a newer schema). Adding an optional field
 * passes; adding a required field or removing one is refused.
 */
public final class RegistrySchemas {
    public static final String GROUP = "default";
    public static final String COMPATIBILITY = "FULL_TRANSITIVE";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private final String apiV3;
    private final String authorization;

    /** A client for a registry that lets anyone register (no authentication). */
    public RegistrySchemas(String apiV3) {
        this(apiV3, null, null);
    }

    /** A client that registers as this registry user (HTTP basic; the deployment step's, whose role may write). */
    public RegistrySchemas(String apiV3, String user, String password) {
        this.apiV3 = apiV3;
        this.authorization = user == null ? null : "Basic " + java.util.Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Registers every schema (idempotent) and sets the rule on each. */
    public void registerAll() throws IOException, InterruptedException {
        for (SpinTopic topic : SpinTopic.values()) {
            HttpResponse<String> response = register(topic.valueSubject(), topic.valueSchema().toString());
            if (isRuleViolation(response)) {
                throw new IllegalStateException("the registry refused the contract's schema for " + topic.valueSubject()
                        + " as incompatible with the versions it already holds (" + COMPATIBILITY + "): " + response.body());
            }
            setCompatibility(topic.valueSubject(), COMPATIBILITY);
        }
    }

    /** Creates the artifact, or a new version of it when the content differs; see {@link #isRuleViolation}. */
    public HttpResponse<String> register(String artifactId, String avroSchema) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("artifactId", artifactId, "artifactType", "AVRO",
                "firstVersion", Map.of("content", Map.of("content", avroSchema, "contentType", "application/json"))));
        return send("POST", "/groups/" + GROUP + "/artifacts?ifExists=FIND_OR_CREATE_VERSION", body);
    }

    /** Adds a version; returns the response, which {@link #isRuleViolation} tells apart. */
    public HttpResponse<String> addVersion(String artifactId, String avroSchema) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(Map.of("content", Map.of("content", avroSchema, "contentType", "application/json")));
        return send("POST", "/groups/" + GROUP + "/artifacts/" + artifactId + "/versions", body);
    }

    /** Number of versions the artifact has. */
    public int versionCount(String artifactId) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(apiV3 + "/groups/" + GROUP + "/artifacts/" + artifactId
                + "/versions")).timeout(Duration.ofSeconds(30)).GET().build();
        return JSON.readTree(check(http.send(request, HttpResponse.BodyHandlers.ofString())).body()).get("count").asInt();
    }

    public void setCompatibility(String artifactId, String level) throws IOException, InterruptedException {
        String path = "/groups/" + GROUP + "/artifacts/" + artifactId + "/rules";
        HttpResponse<String> created = send("POST", path,
                JSON.writeValueAsString(Map.of("ruleType", "COMPATIBILITY", "config", level)));
        if (created.statusCode() == 409) {
            check(send("PUT", path + "/COMPATIBILITY", JSON.writeValueAsString(Map.of("ruleType", "COMPATIBILITY", "config", level))));
        } else {
            check(created);
        }
    }

    /** Whether the registry refused a schema because a rule (compatibility, validity) forbids it. */
    public static boolean isRuleViolation(HttpResponse<String> response) {
        return (response.statusCode() == 400 || response.statusCode() == 409) && response.body().contains("RuleViolation");
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(apiV3 + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpRequest request = builder.build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return isRuleViolation(response) || response.statusCode() == 409 ? response : check(response);
    }

    private static HttpResponse<String> check(HttpResponse<String> response) {
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("registry refused " + response.request().method() + " " + response.request().uri()
                    + ": HTTP " + response.statusCode() + " " + response.body());
        }
        return response;
    }
}
