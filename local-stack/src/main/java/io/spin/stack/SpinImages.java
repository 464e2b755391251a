package io.spin.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The name and tag of every image of the system: the four services under the names and tags k8s/base deploys
 * (spin/&lt;module&gt;:&lt;project version&gt;), the local stack's parts under their upstream versions, and the base they share.
 */
final class SpinImages {
    /** Debian with a Java 21 runtime (Apicurio Registry needs 21; the services run on it too). */
    static final String DEBIAN_BASE = "spin/jre:21";
    static final List<String> SERVICES = List.of("orchestrator-service", "generator-service", "pair-builder-service", "trainer-service");
    /** The services that carry libtorch: the GPU variant exists for these only. */
    static final List<String> GPU_SERVICES = List.of("generator-service", "trainer-service");

    private final Properties versions;
    private final Map<String, String> env;

    SpinImages(Map<String, String> env) {
        this.env = env;
        this.versions = new Properties();
        try (InputStream in = SpinImages.class.getResourceAsStream("images.properties")) {
            versions.load(in);
        } catch (IOException | NullPointerException e) {
            throw new UncheckedIOException(new IOException("images.properties missing from the CLI's jar; rebuild it", e));
        }
    }

    /** SPIN_BASE_IMAGE: where a registry is reachable, e.g. the usual Quarkus OpenJDK runtime; else the one we build. */
    String base() {
        return env.getOrDefault("SPIN_BASE_IMAGE", DEBIAN_BASE);
    }

    boolean buildsOwnBase() {
        return base().equals(DEBIAN_BASE);
    }

    /** SPIN_GPU_BASE_IMAGE: a CUDA runtime with Java 17+, which nothing here can build or pull. */
    String gpuBase() {
        String gpu = env.get("SPIN_GPU_BASE_IMAGE");
        if (gpu == null || gpu.isBlank()) {
            throw new StackException("the GPU images need SPIN_GPU_BASE_IMAGE: an image with the CUDA 12.8 runtime and Java 17+ "
                    + "(e.g. NVIDIA's CUDA runtime image with a JRE added); none can be built or pulled on this machine");
        }
        return gpu;
    }

    String kafka() {
        return "spin/kafka:" + versions.getProperty("kafka");
    }

    String registry() {
        return "spin/apicurio-registry:" + versions.getProperty("apicurio");
    }

    String objectStore() {
        return "spin/s3proxy:" + versions.getProperty("s3proxy");
    }

    String service(String module) {
        return "spin/" + module + ":" + versions.getProperty("project");
    }

    String gpuService(String module) {
        return service(module) + "-cuda";
    }

    String projectVersion() {
        return versions.getProperty("project");
    }
}
