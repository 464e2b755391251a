package io.spin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * An image of one part of the local stack (Kafka broker, Apicurio Registry, S3Proxy): the base plus the same Maven
 * artifacts the local stack runs as processes, in the local stack's own layout under {@link #DIST}, so a component
 * starts in a container with exactly the arguments it starts with as a process. Docker's layer cache rebuilds only
 * a part whose files changed.
 */
record StackPartImage(String image, String title, List<String> distFolders) {
    /** Where the image holds the local stack's distribution folders. */
    static final Path DIST = Path.of("/opt/spin/dist");

    static List<StackPartImage> all(SpinImages images) {
        return List.of(new StackPartImage(images.kafka(), "Kafka broker", List.of("kafka", "lib")),
                new StackPartImage(images.registry(), "Apicurio Registry", List.of("apicurio")),
                new StackPartImage(images.objectStore(), "S3 server (S3Proxy)", List.of("s3proxy")));
    }

    /** Builds (or finds cached) the image from a context of hard links into the distribution; returns docker's output. */
    String build(String base, Path dist, Path workDir) throws IOException {
        Path context = workDir.resolve(image.replaceAll("[^A-Za-z0-9.-]", "_"));
        deleteTree(context);
        StringBuilder dockerfile = new StringBuilder("FROM " + base + "\n");
        for (String folder : distFolders) {
            link(dist.resolve(folder), context.resolve(folder));
            dockerfile.append("COPY ").append(folder).append("/ ").append(DIST.resolve(folder)).append("/\n");
        }
        dockerfile.append("LABEL io.spin.part=\"").append(title).append("\"\n");
        Files.writeString(context.resolve("Dockerfile"), dockerfile);
        try {
            return Docker.check(List.of("build", "-t", image, context.toString()), Duration.ofMinutes(10));
        } finally {
            deleteTree(context);
        }
    }

    private static void link(Path from, Path to) throws IOException {
        if (!Files.isDirectory(from)) {
            throw new StackException("no " + from + ": build the local stack first (mvn -pl local-stack -am install -DskipTests)");
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().startsWith("spin-")) {
                    continue; // our own jars (the CLI's) are no part of a server, and would rebuild it at every change
                }
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    try {
                        Files.createLink(target, f);
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(f, target); // another file system: a copy does the same
                    }
                }
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
