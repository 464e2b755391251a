package io.spin.cli;

import io.spin.stack.ContainerCommand;
import io.spin.stack.LocalServices;
import io.spin.stack.LocalStack;
import io.spin.stack.StackException;
import io.spin.stack.StackSettings;

import io.spin.commons.stack.StackEndpoints;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code spin} command: the local stack, the services, and runs. */
@Command(name = "spin", mixinStandardHelpOptions = true, version = "spin 0.1.0",
        description = "SPIN self-play fine-tuning on Kafka.",
        footer = {"", "  experiment  SPIN against continued SFT at equal compute, in one process (./spin experiment --help)"},
        subcommands = {SpinCli.Up.class, SpinCli.Down.class, SpinCli.Status.class, SpinCli.Env.class, RunCommand.class, DemoCommand.class,
                ReplayCommand.class, ExportCommand.class, RunsCommands.Runs.class, RunsCommands.Cancel.class, RunsCommands.Logs.class,
                RunsCommands.Open.class, ImagesCommand.class})
public final class SpinCli {

    @Option(names = "--home", description = "Stack folder for data, logs and pid files (default: $SPIN_HOME or ./.spin).",
            scope = CommandLine.ScopeType.INHERIT)
    Path home;

    @Option(names = "--service-port", description = "First service port: orchestrator, generator, pair builder, trainer, "
            + "more generators (default 8090 or $SPIN_SERVICE_PORT).", scope = CommandLine.ScopeType.INHERIT)
    Integer servicePort;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SpinCli()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof StackException || e instanceof IllegalArgumentException) {
                cmd.getErr().println("spin: " + e.getMessage());
                return e instanceof RunClient.NotFound ? ExitCodes.NOT_FOUND : ExitCodes.ERROR;
            }
            throw e;
        });
        return cli;
    }

    Path root() {
        return Path.of(System.getProperty("spin.root", ".")).toAbsolutePath().normalize();
    }

    LocalStack stack(Integer kafkaPort, Integer registryPort, Integer s3Port) throws Exception {
        Map<String, String> env = System.getenv();
        Path dist = Path.of(System.getProperty("spin.dist", env.getOrDefault("SPIN_DIST", root().resolve("local-stack/target/dist").toString())));
        if (!Files.isDirectory(dist.resolve("lib"))) {
            throw new StackException("no local-stack distribution at " + dist + "; build it with: mvn -pl local-stack -am install -DskipTests");
        }
        StackSettings settings = StackSettings.load(stackHome(), dist, env).withPorts(kafkaPort, registryPort, s3Port);
        return new LocalStack(settings, env, System.out);
    }

    Path stackHome() {
        Map<String, String> env = System.getenv();
        Path h = home != null ? home : env.containsKey("SPIN_HOME") ? Path.of(env.get("SPIN_HOME")) : root().resolve(".spin");
        return h.toAbsolutePath().normalize();
    }

    /** The SPIN_* endpoints when set (any stack, local or remote), else this stack home's. */
    StackEndpoints endpoints() throws Exception {
        StackEndpoints given = StackEndpoints.fromEnvironment(System.getenv());
        return (given != null ? given : stack(null, null, null).endpoints()).actAsThisProcess();
    }

    LocalServices services(int generators) {
        int port = servicePort != null ? servicePort : Integer.parseInt(System.getenv().getOrDefault("SPIN_SERVICE_PORT", "8090"));
        return new LocalServices(stackHome(), root(), port, generators, System.out);
    }

    @Command(name = "up", description = "Start Kafka, Apicurio Registry, the S3 server and the four services (idempotent).")
    static final class Up implements Callable<Integer> {
        @CommandLine.ParentCommand
        SpinCli parent;
        @Option(names = "--kafka-port", description = "Broker port (the controller takes the next one). Default 29092 or $SPIN_KAFKA_PORT.")
        Integer kafkaPort;
        @Option(names = "--registry-port", description = "Registry port (health takes the next one). Default 28080 or $SPIN_REGISTRY_PORT.")
        Integer registryPort;
        @Option(names = "--s3-port", description = "S3 port. Default 29000 or $SPIN_S3_PORT.")
        Integer s3Port;
        @Option(names = "--no-services", description = "Start only Kafka, the registry and the S3 server.")
        boolean noServices;
        @Option(names = "--generators", defaultValue = "1", description = "Generator replicas (default 1).")
        int generators;
        @Option(names = "--generator-threads", defaultValue = "0", description = "Compute threads per generator replica (default: all cores).")
        int generatorThreads;
        @Option(names = "--insecure", description = "No Kafka authentication or ACLs and a registry anyone may write to, as before"
                + " security existed: for measuring its cost and for debugging. Kept until the next up without it.")
        boolean insecure;
        @Option(names = "--containers", description = "Run every part as a container from the images ./spin images built (host "
                + "network, 127.0.0.1; services as user 185 on a read-only root, configured from k8s/base). Kept until the next up without it.")
        boolean containers;

        @Override
        public Integer call() throws Exception {
            long start = System.nanoTime();
            LocalStack stack = parent.stack(kafkaPort, registryPort, s3Port);
            stack.containers(containers);
            if (!noServices) {
                parent.services(generators).checkBuilt();
            }
            stack.secure(!insecure);
            StackEndpoints endpoints = stack.up();
            if (!noServices) {
                parent.services(generators).withGeneratorThreads(generatorThreads).up(endpoints);
            }
            System.out.printf("up in %.1f s. Point clients at the stack with: eval \"$(./spin env)\"%n", (System.nanoTime() - start) / 1e9);
            if (containers) {
                System.out.println("  (every part in a container: docker ps --filter label=" + ContainerCommand.HOME_LABEL + "=" + parent.stackHome() + ")");
            }
            System.out.println("  Kafka         " + endpoints.kafkaBootstrap() + (insecure ? "  (INSECURE: no authentication, no ACLs)" : ""));
            System.out.println("  Registry      " + endpoints.registryApiV3());
            System.out.println("  S3            " + endpoints.s3Endpoint() + " (bucket " + endpoints.bucket() + ")");
            if (!noServices) {
                System.out.println("  Orchestrator  " + parent.services(generators).orchestratorUrl() + "  (OpenAPI at /q/openapi)");
            }
            return 0;
        }
    }

    @Command(name = "down", description = "Stop the services and the stack started in this stack home. Data is kept.")
    static final class Down implements Callable<Integer> {
        @CommandLine.ParentCommand
        SpinCli parent;
        @Option(names = "--services-only", description = "Stop the four services, keep Kafka, the registry and the S3 server.")
        boolean servicesOnly;

        @Override
        public Integer call() throws Exception {
            int stopped = parent.services(1).down() + (servicesOnly ? 0 : parent.stack(null, null, null).down());
            System.out.println(stopped == 0 ? "nothing was running" : "down (" + stopped + " processes stopped)");
            return 0;
        }
    }

    @Command(name = "status", description = "Show each component, its endpoint and health. Exit 0 only when all are healthy.")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        SpinCli parent;
        @Option(names = "--no-services", description = "Check only Kafka, the registry and the S3 server.")
        boolean noServices;

        @Override
        public Integer call() throws Exception {
            boolean stack = parent.stack(null, null, null).status();
            boolean services = noServices || parent.services(1).status();
            return stack && services ? 0 : 3;
        }
    }

    @Command(name = "env", description = "Print the stack's endpoints as shell exports: eval \"$(./spin env)\".")
    static final class Env implements Callable<Integer> {
        @CommandLine.ParentCommand
        SpinCli parent;

        @Override
        public Integer call() throws Exception {
            parent.stack(null, null, null).endpoints().asEnvironment().forEach((k, v) -> System.out.println("export " + k + "='" + v + "'"));
            return 0;
        }
    }
}
