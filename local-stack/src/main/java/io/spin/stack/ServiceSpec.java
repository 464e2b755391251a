package io.spin.stack;

import java.nio.file.Path;
import java.util.List;

/** One SPIN service as a process: its module (whose target/quarkus-app it runs), port and heap. */
record ServiceSpec(String name, String title, String module, int port, String heap) {

    /** The four services at their default ports; replicas of the generator take the ports after the last service. */
    static List<ServiceSpec> defaults(int basePort, int generators) {
        List<ServiceSpec> specs = new java.util.ArrayList<>(List.of(
                new ServiceSpec("orchestrator", "Orchestrator", "orchestrator-service", basePort, "384m"),
                new ServiceSpec("pair-builder", "Pair builder", "pair-builder-service", basePort + 2, "384m"),
                new ServiceSpec("trainer", "Trainer", "trainer-service", basePort + 3, "1536m")));
        for (int i = 0; i < generators; i++) {
            String suffix = generators == 1 ? "" : "-" + (i + 1);
            int port = i == 0 ? basePort + 1 : basePort + 3 + i;
            specs.add(new ServiceSpec("generator" + suffix, "Generator" + suffix, "generator-service", port, "1g"));
        }
        return specs;
    }

    Path jar(Path root) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The management interface (metrics): the API's port + 100, so every service and replica has its own. */
    int managementPort() {
        return port + 100;
    }

    /** The Kafka principal this service runs as: spin-generator for generator-service ... */
    io.spin.contract.ServicePrincipal principal() {
        return io.spin.contract.ServicePrincipal.ofUser("spin-" + module.replace("-service", ""));
    }

    String metricsUrl() {
        return "http://127.0.0.1:" + managementPort() + "/q/metrics";
    }
}
