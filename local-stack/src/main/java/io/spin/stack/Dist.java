package io.spin.stack;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Finds local-stack/target/dist: the jars and servers that the stack launches. */
public final class Dist {
    private Dist() {
    }

    /** -Dspin.dist, $SPIN_DIST, or local-stack/target/dist in the working directory or any parent of it. */
    public static Path locate(Map<String, String> env) {
        String explicit = System.getProperty("spin.dist", env.get("SPIN_DIST"));
        if (explicit != null && !explicit.isBlank()) {
            return check(Path.of(explicit));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("local-stack/target/dist");
            if (Files.isDirectory(candidate.resolve("lib"))) {
                return candidate;
            }
            if (dir.getFileName() != null && dir.getFileName().toString().equals("local-stack")
                    && Files.isDirectory(dir.resolve("target/dist/lib"))) {
                return dir.resolve("target/dist");
            }
        }
        throw new StackException("no local-stack distribution found from " + Path.of("").toAbsolutePath()
                + " upwards; build it with: mvn -pl local-stack -am install -DskipTests (or set SPIN_DIST)");
    }

    private static Path check(Path dist) {
        if (!Files.isDirectory(dist.resolve("lib"))) {
            throw new StackException("SPIN_DIST=" + dist + " is not a local-stack distribution (no lib/ folder)");
        }
        return dist.toAbsolutePath().normalize();
    }
}
