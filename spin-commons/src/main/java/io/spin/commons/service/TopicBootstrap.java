package io.spin.commons.service;

import java.util.Map;
import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.spin.contract.TopicAdmin;

/** Creates the contract's topics at start when they are missing, so a service never waits on a topic nobody made. */
@ApplicationScoped
public class TopicBootstrap {
    private static final Logger LOG = Logger.getLogger(TopicBootstrap.class);

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @ConfigProperty(name = "spin.create-topics", defaultValue = "true")
    boolean createTopics;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object started) throws Exception {
        if (!createTopics) {
            return;
        }
        try (Admin admin = Admin.create(io.spin.contract.KafkaCredentials.secured(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap)))) {
            for (String change : TopicAdmin.ensureTopics(admin, System.getenv())) {
                LOG.info(change);
            }
        }
    }
}
