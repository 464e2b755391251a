package io.spin.stack;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.spin.contract.ServicePrincipal;

/**
 * The local broker's principals: {@value #ADMIN} (the deployment step: topics, users, ACLs; the CLI and tests), the
 * controller's own, and one per service ({@link ServicePrincipal}). Only the admin's password is generated and kept
 * (in the stack home, mode 600); the others are derived from it, since whoever holds it may act as anyone anyway.
 */
final class KafkaUsers {
    static final String ADMIN = "spin-admin";
    static final String CONTROLLER = "spin-controller";
    /** The registry's one writer: the deployment step registers the contract's schemas; everyone else only reads. */
    static final String REGISTRY_DEPLOYER = "deployer";

    private KafkaUsers() {
    }

    static String password(String adminPassword, String user) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(adminPassword.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(user.getBytes(StandardCharsets.UTF_8))).substring(0, 40);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The principal a service of this module runs as: spin-generator for generator-service ... */
    static ServicePrincipal of(ServiceSpec service) {
        return ServicePrincipal.ofUser("spin-" + service.module().replace("-service", ""));
    }
}
