package io.spin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.spin.data.Sha256;

/**
 * A service's image, built by the Quarkus container-image extension (Jib) on our base, under the tag k8s/base uses.
 * The image carries a digest of everything it is built from (the sources and poms of its module and of the modules it
 * depends on, {@link ModuleClosure}; the root pom; the base image's id), so an unchanged service is not built again.
 */
record ServiceImage(String module, String image, String base, boolean gpu) {
    static final String SOURCES_LABEL = "io.spin.sources";

    boolean upToDate(Path root) throws IOException {
        return Docker.label(image, SOURCES_LABEL).filter(sourcesDigest(root)::equals).isPresent();
    }

    String sourcesDigest(Path root) throws IOException {
        StringBuilder all = new StringBuilder("base ").append(Docker.imageId(base).orElse(base)).append('\n');
        all.append("gpu ").append(gpu).append('\n');
        all.append(Sha256.of(root.resolve("pom.xml"))).append(" pom.xml\n");
        for (String m : ModuleClosure.of(root, module)) {
            for (Path dir : List.of(root.resolve(m).resolve("src/main"), root.resolve(m).resolve("pom.xml"))) {
                if (!Files.exists(dir)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                        all.append(Sha256.of(f)).append(' ').append(root.relativize(f)).append('\n');
                    }
                }
            }
        }
        return Sha256.of(all.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** mvn package of the one module with the container-image build on; the upstream modules come from ./spin's install. */
    void build(Path root, Path log) throws IOException {
        String tag = image.substring(image.lastIndexOf(':') + 1);
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "package", "-DskipTests", "-pl", module,
                "-Dquarkus.container-image.build=true", "-Dquarkus.container-image.tag=" + tag,
                "-Dquarkus.jib.base-jvm-image=" + (Docker.imageId(base).isPresent() ? "docker://" : "") + base,
                "-Dquarkus.container-image.labels.\"" + SOURCES_LABEL + "\"=" + sourcesDigest(root)));
        if (gpu) {
            command.add("-Pcuda");
        }
        Docker.Result r = Docker.Commands.run(command, root, Map.of(), Duration.ofMinutes(20));
        Files.createDirectories(log.getParent());
        Files.writeString(log, r.output());
        if (r.exit() != 0) {
            throw new StackException("the " + module + " image did not build (" + String.join(" ", command) + "); last lines of "
                    + log + ":\n" + Docker.tail(r.output(), 30));
        }
    }
}
