package io.spin.orchestrator;

import org.jboss.logging.Logger;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;

import io.spin.commons.registry.RegistrySchemas;

/**
 * Where no deployment step registers the contract's schemas (Kubernetes), the orchestrator is it: given the
 * registry's deployer credentials, it registers every schema before it takes a run, so every writer (which only
 * looks schemas up) finds its own. Without them it does nothing (locally `./spin up` registers).
 */
@ApplicationScoped
public class ContractRegistration {
    private static final Logger LOG = Logger.getLogger(ContractRegistration.class);

    @Inject
    OrchestratorConfig config;

    // before the orchestrator replays the control log and takes runs
    void onStart(@Observes @Initialized(ApplicationScoped.class) @Priority(1) Object started) throws Exception {
        OrchestratorConfig.Registry deployer = config.registry();
        if (deployer.deployerPassword().isPresent()) {
            new RegistrySchemas(config.registryApiUrl(), deployer.deployerUser(), deployer.deployerPassword().get()).registerAll();
            LOG.infof("registered the contract's schemas in %s as %s", config.registryApiUrl(), deployer.deployerUser());
        }
    }
}
