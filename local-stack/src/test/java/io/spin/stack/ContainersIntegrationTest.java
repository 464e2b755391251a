package io.spin.stack;

import io.spin.commons.stack.KafkaUsers;

import io.spin.commons.stack.StackEndpoints;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

import io.spin.contract.TopicAdmin;

/**
 * The same integration tests on the images ./spin images builds (Kafka, Apicurio Registry, S3Proxy), started by
 * Testcontainers, secured as ./spin up secures the stack. Nothing is pulled: an image missing from the daemon skips
 * the class saying how to build it, or fails it where SPIN_CONTAINER_TESTS=required (CI, which builds them). Skipped
 * where there is no Docker.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainersIntegrationTest extends StackIntegrationTests {
    static final List<GenericContainer<?>> containers = new ArrayList<>();
    static StackEndpoints endpoints;

    @BeforeAll
    @SuppressWarnings("deprecation") // withFileSystemBind: a bind mount on purpose, the component's folder is its data as with ./spin up
    static void start() throws Exception {
        Path home = Files.createTempDirectory("spin-tc");
        StackSettings settings = StackSettings.freePorts(home, Dist.locate(System.getenv()));
        // clients that take their identity from the process (SPIN_KAFKA_USER/PASSWORD) must be let in here too
        io.spin.contract.KafkaCredentials current = io.spin.contract.KafkaCredentials.current();
        String adminPassword = current != null && current.user().equals(KafkaUsers.ADMIN) ? current.password() : "tc-admin-password";
        endpoints = new StackEndpoints("127.0.0.1:" + settings.kafkaPort(), "http://127.0.0.1:" + settings.registryPort(),
                "http://127.0.0.1:" + settings.s3Port(), "tc-access", "tc-secret-key-0123", "spin", KafkaUsers.ADMIN, adminPassword)
                .actAsThisProcess();
        SpinImages images = new SpinImages(System.getenv());
        for (Component c : List.of(new KafkaBroker(), new SchemaRegistry(), new ObjectStore())) {
            requireBuilt(c.image(images));
        }
        for (Component c : List.of(new KafkaBroker(), new SchemaRegistry(), new ObjectStore())) {
            Path dir = home.resolve(c.name());
            Files.createDirectories(dir);
            c.prepare(settings, dir, endpoints);
            ContainerCommand run = StackContainers.of(c, settings, dir, "-Dspin-stack=testcontainers#" + c.name(), images);
            GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(run.image()))
                    .withNetworkMode("host") // every port on 127.0.0.1, as the stack has them
                    .withFileSystemBind(dir.toString(), dir.toString())
                    .withWorkingDirectory(dir.toString())
                    .withCreateContainerCmdModifier(cmd -> cmd.withUser(run.user()))
                    .withCommand(run.command().toArray(String[]::new))
                    .waitingFor(new Healthy(c, settings));
            if (run.envFile() != null) {
                c.environment().forEach(container::withEnv);
            }
            containers.add(container);
            container.start();
        }
        try (Admin admin = Admin.create(endpoints.kafkaClientConfig())) {
            TopicAdmin.ensureTopics(admin, Map.of());
            KafkaAccess.ensure(admin, endpoints.kafkaPassword());
        }
        endpoints.registrySchemas().registerAll();
    }

    /** Present in the daemon, or skip (fail in CI) saying how to build it: never a pull that cannot succeed. */
    private static void requireBuilt(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            String message = "image " + image + " is not built; build the images with: ./spin images";
            if ("required".equals(System.getenv("SPIN_CONTAINER_TESTS"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
    }

    /** Ready when the component's own probe (the one ./spin up uses) says so. */
    private static final class Healthy extends AbstractWaitStrategy {
        private final Component component;
        private final StackSettings settings;

        Healthy(Component component, StackSettings settings) {
            this.component = component;
            this.settings = settings;
            withStartupTimeout(component.startTimeout());
        }

        @Override
        protected void waitUntilReady() {
            long deadline = System.nanoTime() + startupTimeout.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (component.healthy(settings, endpoints)) {
                        return;
                    }
                } catch (Exception e) {
                    // not yet
                }
                if (!waitStrategyTarget.isRunning()) {
                    throw new IllegalStateException(component.title() + " container exited:\n" + waitStrategyTarget.getLogs());
                }
                try {
                    Thread.sleep(Duration.ofMillis(300).toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            throw new IllegalStateException(component.title() + " not healthy within " + startupTimeout.toSeconds() + " s:\n"
                    + waitStrategyTarget.getLogs());
        }
    }

    @AfterAll
    static void stop() {
        for (int i = containers.size() - 1; i >= 0; i--) {
            containers.get(i).stop();
        }
    }

    @Override
    protected StackEndpoints endpoints() {
        return endpoints;
    }
}
