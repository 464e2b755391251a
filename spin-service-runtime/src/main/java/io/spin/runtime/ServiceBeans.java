package io.spin.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.spin.commons.ControlEvents;
import io.spin.storage.ObjectStorage;

/**
 * What every SPIN service needs, configured the same way everywhere ({@link SpinConfig}): object storage and an
 * instance id that names this process in every record it writes.
 */
@ApplicationScoped
public class ServiceBeans {

    @Produces
    @ApplicationScoped
    ObjectStorage objectStorage(SpinConfig config) {
        SpinConfig.S3 s3 = config.s3();
        return new ObjectStorage(s3.endpoint(), s3.accessKey(), s3.secretKey(), s3.bucket());
    }

    @Produces
    @ApplicationScoped
    ControlEvents controlEvents(@ConfigProperty(name = "quarkus.application.name") String application,
                                SpinConfig config) {
        return new ControlEvents(ControlEvents.instanceId(application.replace("-service", ""), config.instanceId().orElse(null)));
    }
}
