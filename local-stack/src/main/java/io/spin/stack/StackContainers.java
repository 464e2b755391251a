package io.spin.stack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A part of the local stack as a container: the same arguments as its process, its folder mounted at the same path. */
final class StackContainers {
    private StackContainers() {
    }

    static ContainerCommand of(Component c, StackSettings settings, Path dir, String marker, SpinImages images) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", marker));
        command.addAll(c.arguments(settings.withDist(StackPartImage.DIST), dir));
        Path envFile = c.environment().isEmpty() ? null
                : ContainerCommand.envFile(settings.home().resolve("pids").resolve(c.name() + ".env"), c.environment());
        // as the owner of the stack's folder, so its data stays usable by the same stack run as processes
        String owner = Files.getAttribute(settings.home(), "unix:uid") + ":" + Files.getAttribute(settings.home(), "unix:gid");
        return new ContainerCommand(ContainerCommand.name(settings.home(), c.name()), c.image(images), owner,
                ContainerCommand.sameVolume(dir), envFile, dir, null, marker, command);
    }

    /** Removes any container of this home still there (its client killed, say); returns how many. */
    static int removeLeftovers(Path home, java.io.PrintStream out) throws IOException {
        if (!Docker.available()) {
            return 0;
        }
        String ids = Docker.check(List.of("ps", "-aq", "--filter", "label=" + ContainerCommand.HOME_LABEL + "=" + home.toAbsolutePath().normalize()),
                java.time.Duration.ofSeconds(30)).trim();
        int n = 0;
        for (String id : ids.isEmpty() ? new String[0] : ids.split("\\s+")) {
            Docker.remove(id);
            out.printf("%-20s removed (left behind by a stopped client)%n", "container " + id);
            n++;
        }
        return n;
    }

    /** Fails before anything starts, saying how to build it, when an image is not in the daemon. */
    static void requireImage(String image) throws IOException {
        Docker.require();
        if (Docker.imageId(image).isEmpty()) {
            throw new StackException("image " + image + " is not built; build every image with: ./spin images");
        }
    }
}
