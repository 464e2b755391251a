package io.spin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.spin.data.Sha256;

/**
 * The base every image of ours starts from, made where no image registry can be reached: a Debian root file system
 * with a Java 21 runtime, built by mmdebstrap from the machine's own apt access and imported into the daemon. The
 * image carries the digest of this recipe, so it is built again only when the recipe changes.
 */
final class DebianBaseImage {
    static final String SUITE = "trixie"; // its default Java is 21, which Apicurio Registry 3.3 needs
    static final String RECIPE_LABEL = "io.spin.recipe";
    private static final List<String> OPTIONS = List.of("--variant=essential",
            "--include=openjdk-21-jre-headless,ca-certificates",
            // documentation, manual pages and translations are of no use in a container
            "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*",
            "--dpkgopt=path-exclude=/usr/share/locale/*",
            // update-alternatives writes a manual page link even when the pages are excluded
            "--essential-hook=mkdir -p \"$1/usr/share/man/man1\"",
            // user 185, as the Kubernetes manifests run the services, with a home where a read-only root still lets it write
            "--customize-hook=echo 'spin:x:185:185:SPIN:/tmp:/usr/sbin/nologin' >> \"$1/etc/passwd\"; echo 'spin:x:185:' >> \"$1/etc/group\"",
            "--customize-hook=rm -rf \"$1\"/var/lib/apt/lists/* \"$1\"/var/cache/apt/*");
    private static final List<String> CHANGES = List.of("ENV JAVA_HOME=/usr/lib/jvm/java-21-openjdk-amd64", "USER 185");

    private DebianBaseImage() {
    }

    static String recipeDigest() {
        return Sha256.of((String.join("\n", OPTIONS) + "\n" + SUITE + "\n" + String.join("\n", CHANGES)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static boolean upToDate(String image) throws IOException {
        return Docker.label(image, RECIPE_LABEL).filter(recipeDigest()::equals).isPresent();
    }

    /** Builds the root file system into a temporary tar (about a minute) and imports it under the given tag. */
    static void build(String image, Path workDir) throws IOException {
        if (Docker.Commands.run(List.of("sh", "-c", "command -v mmdebstrap"), null, Map.of(), Duration.ofSeconds(10)).exit() != 0) {
            throw new StackException("building " + image + " needs mmdebstrap: apt-get install mmdebstrap "
                    + "(or set SPIN_BASE_IMAGE to a Java 21+ image your daemon has or can pull)");
        }
        Files.createDirectories(workDir);
        Path tar = workDir.resolve("base.tar");
        try {
            List<String> command = new ArrayList<>(List.of("mmdebstrap"));
            command.addAll(OPTIONS);
            command.addAll(List.of(SUITE, tar.toString()));
            Docker.Result r = Docker.Commands.run(command, workDir, Map.of(), Duration.ofMinutes(20));
            if (r.exit() != 0) {
                throw new StackException("mmdebstrap could not build the base root file system (exit " + r.exit() + "):\n" + Docker.tail(r.output(), 30));
            }
            List<String> importArgs = new ArrayList<>(List.of("import"));
            for (String change : CHANGES) {
                importArgs.addAll(List.of("--change", change));
            }
            importArgs.addAll(List.of("--change", "LABEL " + RECIPE_LABEL + "=" + recipeDigest(), tar.toString(), image));
            Docker.check(importArgs, Duration.ofMinutes(5));
        } finally {
            Files.deleteIfExists(tar);
        }
    }
}
