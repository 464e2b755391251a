package io.spin.stack;

import io.spin.commons.stack.PrivateFiles;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Apicurio Registry from its Maven distribution. Storage is an H2 database file under the stack home, so schema ids
 * survive a restart just as the broker's records do (the in-memory default would orphan every stored record).
 */
final class SchemaRegistry implements Component {
    static final int MIN_JAVA = 21;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    @Override
    public String name() {
        return "registry";
    }

    @Override
    public String title() {
        return "Apicurio Registry";
    }

    @Override
    public Map<Integer, String> ports(StackSettings s) {
        return Map.of(s.registryPort(), "--registry-port or SPIN_REGISTRY_PORT",
                s.registryManagementPort(), "--registry-port or SPIN_REGISTRY_PORT (health uses the next port)");
    }

    @Override
    public String endpoint(StackSettings s) {
        return "http://127.0.0.1:" + s.registryPort();
    }

    @Override
    public void prepare(StackSettings s, Path dir, StackEndpoints endpoints) throws IOException {
        Files.createDirectories(dir.resolve("db"));
        writeAccessControl(dir, endpoints);
        if (!Files.exists(s.dist().resolve("apicurio/quarkus-run.jar"))) {
            throw new StackException("Apicurio Registry distribution missing at " + s.dist().resolve("apicurio")
                    + "; build it with: mvn -pl local-stack -am install -DskipTests");
        }
    }

    /**
     * Anyone may read schemas; only the deployment step's user (role sr-admin) may register or change them. Quarkus
     * reads config/application.properties from the working directory (this component's folder), so the password
     * stays out of the command line; the file is the user's alone.
     */
    private static void writeAccessControl(Path dir, StackEndpoints endpoints) throws IOException {
        Path config = dir.resolve("config");
        Files.createDirectories(config);
        Path file = config.resolve("application.properties");
        Files.deleteIfExists(file);
        if (endpoints.registryDeployerPassword() == null) {
            return; // ./spin up --insecure: anyone may write
        }
        java.util.Properties p = new java.util.Properties();
        p.setProperty("quarkus.http.auth.basic", "true");
        p.setProperty("quarkus.security.users.embedded.plain-text", "true");
        p.setProperty("quarkus.security.users.embedded.users." + KafkaUsers.REGISTRY_DEPLOYER, endpoints.registryDeployerPassword());
        p.setProperty("quarkus.security.users.embedded.roles." + KafkaUsers.REGISTRY_DEPLOYER, "sr-admin");
        p.setProperty("apicurio.auth.role-based-authorization", "true");
        p.setProperty("apicurio.auth.anonymous-read-access.enabled", "true");
        PrivateFiles.store(file, p, "who may change the SPIN contract's schemas in this local registry");
    }

    @Override
    public Path java(Map<String, String> env) {
        return JavaFinder.find(MIN_JAVA, env, Path.of("/usr/lib/jvm"));
    }

    @Override
    public String image(SpinImages images) {
        return images.registry();
    }

    @Override
    public List<String> arguments(StackSettings s, Path dir) {
        return List.of("-Xms64m", "-Xmx384m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + s.registryPort(),
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + s.registryManagementPort(),
                "-Dapicurio.storage.kind=sql", "-Dapicurio.storage.sql.kind=h2",
                "-Dapicurio.datasource.url=jdbc:h2:file:" + dir.resolve("db/registry").toAbsolutePath(),
                "-Dquarkus.log.level=WARN", "-Dquarkus.log.category.\"io.quarkus\".level=INFO",
                "-jar", s.dist().resolve("apicurio/quarkus-run.jar").toAbsolutePath().toString());
    }

    @Override
    public Duration startTimeout() {
        return Duration.ofSeconds(120);
    }

    @Override
    public boolean healthy(StackSettings s, StackEndpoints endpoints) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.registryManagementPort() + "/health/ready"))
                .timeout(Duration.ofSeconds(3)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }
}
