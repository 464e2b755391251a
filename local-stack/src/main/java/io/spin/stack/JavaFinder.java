package io.spin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds a Java runtime of at least a given feature version (Apicurio Registry 3.3 needs 21). */
public final class JavaFinder {
    private static final Pattern VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

    private JavaFinder() {
    }

    /**
     * Looks in SPIN_REGISTRY_JAVA_HOME, JAVA_HOME, this JVM, then every folder of /usr/lib/jvm (newest first).
     * Fails with a message listing each place and the version found there.
     */
    public static Path find(int minVersion, Map<String, String> env, Path jvmFolder) {
        List<Path> candidates = new ArrayList<>();
        Optional.ofNullable(env.get("SPIN_REGISTRY_JAVA_HOME")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(candidates::add);
        Optional.ofNullable(env.get("JAVA_HOME")).filter(s -> !s.isBlank()).map(Path::of).ifPresent(candidates::add);
        candidates.add(Path.of(System.getProperty("java.home")));
        if (Files.isDirectory(jvmFolder)) {
            try (Stream<Path> dirs = Files.list(jvmFolder)) {
                dirs.filter(Files::isDirectory).sorted(Comparator.comparingInt(JavaFinder::version).reversed())
                        .forEach(candidates::add);
            } catch (IOException e) {
                // fall through to the error below, which lists what was seen
            }
        }
        StringBuilder looked = new StringBuilder();
        for (Path home : candidates) {
            int version = version(home);
            Path java = home.resolve("bin/java");
            if (version >= minVersion && Files.isExecutable(java)) {
                return java;
            }
            looked.append("\n  ").append(home).append(version > 0 ? " (Java " + version + ")" : " (no Java found)");
        }
        throw new StackException("Apicurio Registry needs Java " + minVersion + "+ and none was found. Looked at:" + looked
                + "\nInstall a JDK " + minVersion + "+ (e.g. Temurin) under " + jvmFolder
                + " or point SPIN_REGISTRY_JAVA_HOME at one.");
    }

    /** Feature version from the JDK's release file, or 0 when unknown. */
    static int version(Path javaHome) {
        Path release = javaHome.resolve("release");
        try {
            Matcher m = VERSION.matcher(Files.readString(release));
            if (m.find()) {
                int major = Integer.parseInt(m.group(1));
                return major == 1 ? 8 : major;
            }
        } catch (IOException | RuntimeException e) {
            // no release file: not a JDK we can use
        }
        return 0;
    }
}
