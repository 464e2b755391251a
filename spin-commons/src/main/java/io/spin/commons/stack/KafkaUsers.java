package io.spin.commons.stack;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;


/**
 * The local broker's principals: {@value #ADMIN} (the deployment step: topics, users, ACLs; the CLI and tests), the
 * controller's own, and one per service ({@link io.spin.contract.ServicePrincipal}). Only the admin's password is generated and kept
 * (in the stack home, mode 600); the others are derived from it, since whoever holds it may act as anyone anyway.
 */
public final class KafkaUsers {
    public static final String ADMIN = "spin-admin";
    public static final String CONTROLLER = "spin-controller";
    /** The registry's one writer: the deployment step registers the contract's schemas; everyone else only reads. */
    public static final String REGISTRY_DEPLOYER = "deployer";

    private KafkaUsers() {
    }

    public static String password(String adminPassword, String user) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(adminPassword.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(user.getBytes(StandardCharsets.UTF_8))).substring(0, 40);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
