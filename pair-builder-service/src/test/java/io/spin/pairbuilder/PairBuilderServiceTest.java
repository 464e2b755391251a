package io.spin.pairbuilder;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.spin.testresource.LocalStackResource;

/**
 * The service starts against the real broker, registry and S3 server and its Streams app becomes ready. Its data
 * path (samples -> one pair per key -> PairsCompleted and the S3 snapshot) is tested with the service running as its
 * own process in e2e-tests (SpinRunIT, FaultsIT, BadInputIT) and topology by topology in PairTopologyTest: an
 * in-JVM producer here once hung forever inside the Apicurio client's shared Vert.x instance.
 */
@QuarkusTest
@WithTestResource(LocalStackResource.class)
class PairBuilderServiceTest {

    @Test
    void readinessIsUpWhenTheStreamsAppRuns() {
        LocalStackResource.awaitReady(io.restassured.RestAssured.port); // readiness waits for the service's start-up work (log replay, stream threads)
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

}
