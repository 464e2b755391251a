package io.spin.generator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the replica knows which runs have ended (their requests are skipped, not sampled). */
@Readiness
@ApplicationScoped
public class GeneratorReadiness implements HealthCheck {
    @Inject
    RunEndings endings;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("run-endings").status(endings.ready()).build();
    }
}
