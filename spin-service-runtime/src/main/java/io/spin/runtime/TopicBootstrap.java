package io.spin.runtime;

import java.util.Map;
import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import io.spin.contract.TopicAdmin;

/** Creates the contract's topics at start when they are missing, so a service never waits on a topic nobody made. */
@ApplicationScoped
public class TopicBootstrap {
    private static final Logger LOG = Logger.getLogger(TopicBootstrap.class);

    @Inject
    SpinConfig config;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object started) throws Exception {
        if (!config.createTopics()) {
            return;
        }
        try (Admin admin = Admin.create(io.spin.contract.KafkaCredentials.secured(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap())))) {
            for (String change : TopicAdmin.ensureTopics(admin, System.getenv())) {
                LOG.info(change);
            }
        }
    }
}
