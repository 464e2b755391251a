package io.spin.orchestrator;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.spin.testresource.LocalStackResource;

/**
 * The API with OIDC on, as on Kubernetes: a token the identity provider signed is let in, one without a valid signature
 * or none at all gets 401. The provider is stood in for by its public key (quarkus.oidc.public-key), and tokens are
 * RS256 JWTs signed here with the matching private key.
 */
@QuarkusTest
@TestProfile(OidcApiTest.Oidc.class)
@WithTestResource(LocalStackResource.class)
class OidcApiTest {
    static final KeyPair PROVIDER = keyPair();
    static final KeyPair STRANGER = keyPair();

    public static class Oidc implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.oidc.tenant-enabled", "true", "quarkus.oidc.auth-server-url", "",
                    "quarkus.oidc.public-key", Base64.getEncoder().encodeToString(PROVIDER.getPublic().getEncoded()),
                    "spin.api.token", "");
        }
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An RS256 JWT for user alice, for this orchestrator, with the role to change runs, valid for five minutes. */
    static String token(KeyPair signer) throws Exception {
        return token(signer, "spin-orchestrator", "spin-writer");
    }

    /** An RS256 JWT for user alice, valid for five minutes, signed with the given key, for an audience, with a group. */
    static String token(KeyPair signer, String audience, String group) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String header = b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = b64.encodeToString(("{\"sub\":\"alice\",\"preferred_username\":\"alice\",\"aud\":\"" + audience
                + "\",\"groups\":[\"" + group + "\"],\"iat\":" + now + ",\"exp\":" + (now + 300) + "}").getBytes(StandardCharsets.UTF_8));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(signer.getPrivate());
        rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
        return header + "." + claims + "." + b64.encodeToString(rs256.sign());
    }

    @Test
    void aProviderSignedTokenIsLetInAndNoOtherRequestChangesAnything() throws Exception {
        String bad = "{\"trainDataset\": \"data/wordnet/train.jsonl\", \"iterations\": 0}"; // refused as invalid once let in
        given().contentType(ContentType.JSON).body(bad).post("/runs").then().statusCode(401)
                .body("message", containsString("OIDC provider"));
        given().auth().oauth2(token(STRANGER)).contentType(ContentType.JSON).body(bad).post("/runs").then().statusCode(401);
        given().auth().oauth2("not-a-jwt").delete("/runs/run-nope").then().statusCode(401);
        given().auth().oauth2(token(PROVIDER)).contentType(ContentType.JSON).body(bad).post("/runs").then().statusCode(400)
                .body("field", equalTo("iterations"));
        given().auth().oauth2(token(PROVIDER)).delete("/runs/run-nope").then().statusCode(404);
        given().get("/runs").then().statusCode(200); // reads stay open unless protect-reads
        // the provider signed it, but for another service: not ours to accept
        given().auth().oauth2(token(PROVIDER, "someone-else", "spin-writer")).contentType(ContentType.JSON).body(bad).post("/runs")
                .then().statusCode(401);
        // ours, but without the role that may change runs: 403 naming the role; reading is still fine
        given().auth().oauth2(token(PROVIDER, "spin-orchestrator", "viewer")).contentType(ContentType.JSON).body(bad).post("/runs")
                .then().statusCode(403).body("message", containsString("'spin-writer'"));
        given().auth().oauth2(token(PROVIDER, "spin-orchestrator", "viewer")).delete("/runs/run-nope").then().statusCode(403);
        given().auth().oauth2(token(PROVIDER, "spin-orchestrator", "viewer")).get("/runs").then().statusCode(200);
    }
}
