package io.spin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's modules a module is built from: itself and, transitively, its io.spin dependencies outside the test
 * scope, read from the poms. An image's sources are these, so a change to the model core rebuilds the generator and
 * trainer images and leaves the orchestrator's and pair builder's alone.
 */
final class ModuleClosure {
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
    private static final Pattern OWN_ARTIFACT = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>");
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

    private ModuleClosure() {
    }

    /** Module folders, sorted (so a digest over them does not depend on the poms' order). */
    static List<String> of(Path root, String module) throws IOException {
        Map<String, String> folderOf = new HashMap<>();
        Matcher modules = MODULE.matcher(Files.readString(root.resolve("pom.xml")));
        while (modules.find()) {
            Matcher own = OWN_ARTIFACT.matcher(Files.readString(root.resolve(modules.group(1)).resolve("pom.xml")));
            if (own.find()) {
                folderOf.put(own.group(1), modules.group(1));
            }
        }
        Set<String> closure = new TreeSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(module));
        while (!todo.isEmpty()) {
            String folder = todo.pop();
            if (!closure.add(folder)) {
                continue;
            }
            Matcher dependencies = DEPENDENCY.matcher(Files.readString(root.resolve(folder).resolve("pom.xml")));
            while (dependencies.find()) {
                String dependency = dependencies.group(1);
                if (!dependency.contains("<groupId>io.spin</groupId>") || dependency.contains("<scope>test</scope>")) {
                    continue;
                }
                Matcher artifact = ARTIFACT.matcher(dependency);
                String name = artifact.find() ? artifact.group(1) : "";
                String dependencyFolder = folderOf.get(name);
                if (dependencyFolder == null) {
                    throw new IllegalStateException(folder + "/pom.xml depends on io.spin:" + name
                            + ", which is not a module of " + root.resolve("pom.xml"));
                }
                todo.add(dependencyFolder);
            }
        }
        return List.copyOf(closure);
    }
}
