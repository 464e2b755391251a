package io.spin.trainer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the trainer has replayed the control log and follows it. */
@Readiness
@ApplicationScoped
public class TrainerReadiness implements HealthCheck {
    @Inject
    TrainerService trainer;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("control-log").status(trainer.ready()).build();
    }
}
