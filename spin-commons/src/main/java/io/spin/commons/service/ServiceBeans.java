package io.spin.commons.service;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.spin.commons.ControlEvents;
import io.spin.storage.ObjectStorage;

/**
 * What every SPIN service needs, configured the same way everywhere: spin.s3.* (from SPIN_S3_* in
 * application.properties) and an instance id that names this process in every record it writes.
 */
@ApplicationScoped
public class ServiceBeans {

    @Produces
    @ApplicationScoped
    ObjectStorage objectStorage(@ConfigProperty(name = "spin.s3.endpoint") String endpoint,
                                @ConfigProperty(name = "spin.s3.access-key") String accessKey,
                                @ConfigProperty(name = "spin.s3.secret-key") String secretKey,
                                @ConfigProperty(name = "spin.s3.bucket", defaultValue = "spin") String bucket) {
        return new ObjectStorage(endpoint, accessKey, secretKey, bucket);
    }

    @Produces
    @ApplicationScoped
    ControlEvents controlEvents(@ConfigProperty(name = "quarkus.application.name") String application,
                                @ConfigProperty(name = "spin.instance-id") Optional<String> instanceId) {
        return new ControlEvents(ControlEvents.instanceId(application.replace("-service", ""), instanceId.orElse(null)));
    }
}
