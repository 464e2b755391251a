package io.spin.orchestrator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The API's changes (POST and DELETE on /runs) need {@code Authorization: Bearer <spin.api.token>} when a token is
 * configured (SPIN_API_TOKEN; `./spin up` generates one per installation into .spin/api-token); reads too when
 * {@code spin.api.protect-reads} is true. Without a token the API is open, as a process bound to 127.0.0.1 is. With
 * OIDC on (Kubernetes), a token of the identity provider instead: Quarkus verifies its signature, expiry and audience
 * (an invalid one gets 401 before this filter), this filter turns away the requests that came without one, and a change
 * needs the token to carry the role {@code spin.api.write-role} (403 otherwise). With neither a token nor OIDC the
 * orchestrator does not start unless {@code spin.api.insecure} is true ({@link #refuseOpenWrites}).
 */
@Provider
public class ApiTokenFilter implements ContainerRequestFilter {
    @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false")
    boolean oidc;

    @jakarta.inject.Inject
    io.quarkus.security.identity.SecurityIdentity identity;

    OrchestratorConfig.Api api;

    @jakarta.inject.Inject
    void configure(OrchestratorConfig config) {
        api = config.api();
    }

    /** Open writes only when asked for by name: an orchestrator reachable from a cluster must not start runs for anyone. */
    void refuseOpenWrites(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent started) {
        if (api.token().filter(t -> !t.isBlank()).isEmpty() && !oidc && !api.insecure()) {
            throw new IllegalStateException("the API would let anyone start and cancel runs: set SPIN_API_TOKEN (the Secret spin-api on "
                    + "Kubernetes), or turn on OIDC (SPIN_OIDC_ENABLED), or, for a throw-away installation, SPIN_API_INSECURE=true");
        }
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String expected = api.token().filter(t -> !t.isBlank()).orElse(null);
        if (expected == null && !oidc || !request.getUriInfo().getPath().startsWith("/runs")) {
            return;
        }
        String method = request.getMethod();
        boolean changes = method.equals("POST") || method.equals("DELETE");
        if (!changes && !api.protectReads()) {
            return;
        }
        if (oidc) {
            if (identity.isAnonymous()) {
                request.abortWith(Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"spin\"")
                        .type(MediaType.APPLICATION_JSON).entity(Map.of("message", "this needs a bearer token of the cluster's OIDC provider"))
                        .build());
            } else if (changes && !identity.hasRole(api.writeRole())) {
                request.abortWith(Response.status(Response.Status.FORBIDDEN).type(MediaType.APPLICATION_JSON)
                        .entity(Map.of("message", "starting or cancelling runs needs the role '" + api.writeRole() + "', which "
                                + identity.getPrincipal().getName() + "'s token does not carry")).build());
            }
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
        if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8))) {
            request.abortWith(Response.status(Response.Status.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"spin\"")
                    .type(MediaType.APPLICATION_JSON).entity(Map.of("message", header == null
                            ? "this needs a bearer token (Authorization: Bearer <token>; locally in .spin/api-token)"
                            : "the bearer token is not this orchestrator's")).build());
        }
    }
}
