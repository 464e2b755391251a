package io.spin.stack;

import io.spin.commons.stack.PrivateFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The orchestrator API's bearer token of a local installation: generated once into {@code <home>/api-token} (mode 600),
 * given to the orchestrator as SPIN_API_TOKEN, and sent by {@link RunClient}. SPIN_API_TOKEN in the environment, when
 * set, is used instead (a remote orchestrator).
 */
public final class ApiToken {
    public static final String FILE = "api-token";
    public static final String VARIABLE = "SPIN_API_TOKEN";
    private static final Map<String, String> BY_ORCHESTRATOR = new ConcurrentHashMap<>();

    private ApiToken() {
    }

    /** The installation's token: the environment's, else the one in {@code home}, made on first use. */
    static String of(Path home) {
        String given = System.getenv(VARIABLE);
        if (given != null && !given.isBlank()) {
            return given.trim();
        }
        Path file = home.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                PrivateFiles.directory(home);
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                PrivateFiles.writeString(file, HexFormat.of().formatHex(random) + "\n");
            }
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the API token " + file, e);
        }
    }

    /** Remembers which token the orchestrator at this URL takes, for clients in this process. */
    static void register(String orchestratorUrl, String token) {
        BY_ORCHESTRATOR.put(orchestratorUrl, token);
    }

    /** The token for this orchestrator: registered by its LocalServices, else SPIN_API_TOKEN, else none. */
    public static String forOrchestrator(String orchestratorUrl) {
        String token = BY_ORCHESTRATOR.get(orchestratorUrl);
        if (token == null) {
            token = System.getenv(VARIABLE);
        }
        return token == null || token.isBlank() ? null : token.trim();
    }
}
