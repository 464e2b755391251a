package io.spin.orchestrator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once every run has been rebuilt from the control log. */
@Readiness
@ApplicationScoped
public class OrchestratorReadiness implements HealthCheck {
    @Inject
    Orchestrator orchestrator;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("control-log").status(orchestrator.ready()).build();
    }
}
