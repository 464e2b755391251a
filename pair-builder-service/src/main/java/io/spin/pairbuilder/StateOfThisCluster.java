package io.spin.pairbuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import java.util.stream.Stream;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.spin.contract.KafkaCredentials;

/**
 * Kafka Streams' local state is a cache of topics of one Kafka cluster. Kept across a new cluster (the broker's data
 * deleted, the pair builder's state folder not), its offsets lie beyond the new topics' ends and the global table
 * cannot be rebuilt. So the state folder remembers the cluster id it was built from and is emptied, before Streams
 * starts, when the broker is another one; Streams then restores it from the changelogs.
 */
@ApplicationScoped
public class StateOfThisCluster {
    private static final Logger LOG = Logger.getLogger(StateOfThisCluster.class);
    static final String MARK = "kafka-cluster-id";

    @Inject
    PairBuilderConfig config;

    @ConfigProperty(name = "kafka-streams.state.dir")
    String stateDir;

    void onStart(@Observes @Initialized(ApplicationScoped.class) @Priority(0) Object started) throws Exception {
        try (Admin admin = Admin.create(KafkaCredentials.secured(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap())))) {
            keepOnlyStateOf(admin.describeCluster().clusterId().get(60, TimeUnit.SECONDS), Path.of(stateDir));
        }
    }

    /** Empties the folder unless it was built from this cluster; returns whether it emptied it. */
    static boolean keepOnlyStateOf(String clusterId, Path folder) throws IOException {
        Files.createDirectories(folder);
        Path mark = folder.resolve(MARK);
        String built = Files.exists(mark) ? Files.readString(mark).trim() : null;
        boolean other = built == null ? hasState(folder) : !built.equals(clusterId);
        if (other) {
            LOG.warnf("the state in %s was built from another Kafka cluster (%s, now %s): removing it; Kafka Streams restores it from"
                    + " this cluster's changelogs", folder, built == null ? "unknown" : built, clusterId);
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(folder)).forEach(p -> p.toFile().delete());
            }
        }
        Files.writeString(mark, clusterId + "\n");
        return other;
    }

    private static boolean hasState(Path folder) throws IOException {
        try (Stream<Path> entries = Files.list(folder)) {
            return entries.findAny().isPresent();
        }
    }
}
