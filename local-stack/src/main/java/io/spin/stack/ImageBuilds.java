package io.spin.stack;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Every image of the system, built on this machine from Debian packages and Maven artifacts: the base, the local
 * stack's parts and the services ({@code ./spin images}). Rebuilds only what changed.
 */
public final class ImageBuilds {
    private ImageBuilds() {
    }

    /** Lists the images, or builds what is missing or out of date; {@code dist} is the stack's distribution. */
    public static void run(Path root, Path dist, boolean gpu, boolean list, PrintStream out) throws Exception {
        Docker.require();
        SpinImages images = new SpinImages(System.getenv());
        Path work = root.resolve("local-stack/target/images");
        List<ServiceImage> services = new ArrayList<>();
        SpinImages.SERVICES.forEach(m -> services.add(new ServiceImage(m, images.service(m), images.base(), false)));
        if (gpu) {
            SpinImages.GPU_SERVICES.forEach(m -> services.add(new ServiceImage(m, images.gpuService(m), images.gpuBase(), true)));
        }
        if (list) {
            List<String> all = new ArrayList<>(List.of(images.base()));
            StackPartImage.all(images).forEach(p -> all.add(p.image()));
            services.stream().filter(s -> !s.gpu()).forEach(s -> all.add(s.image()));
            for (String image : all) {
                String state = Docker.imageId(image).isPresent() ? String.format("%.0f MB", Docker.size(image) / 1e6) : "not built";
                java.util.Optional<ServiceImage> service = services.stream().filter(s -> s.image().equals(image)).findFirst();
                if (service.isPresent() && !state.equals("not built") && !service.get().upToDate(root)) {
                    state += ", out of date (its sources changed since)";
                }
                out.printf("%-44s %s%n", image, state);
            }
            return;
        }
        long start = System.nanoTime();
        if (images.buildsOwnBase()) {
            timed(out, images.base(), () -> {
                if (DebianBaseImage.upToDate(images.base())) {
                    return "up to date";
                }
                DebianBaseImage.build(images.base(), work);
                return "built";
            });
        } else {
            out.printf("%-44s %s%n", images.base(), "base from SPIN_BASE_IMAGE (pulled by Jib when the daemon lacks it)");
        }
        for (StackPartImage part : StackPartImage.all(images)) {
            timed(out, part.image(), () -> part.build(images.base(), dist, work).split("Using cache", -1).length - 1
                    == part.distFolders().size() + 1 ? "up to date (every layer from docker's cache)" : "built");
        }
        for (ServiceImage s : services) {
            timed(out, s.image(), () -> {
                if (s.upToDate(root)) {
                    return "up to date";
                }
                s.build(root, work.resolve(s.module() + (s.gpu() ? "-cuda" : "") + ".log"));
                return "built";
            });
        }
        // the images a rebuild replaced lose their tag: remove them, or every change leaves half a gigabyte behind
        for (String label : List.of(DebianBaseImage.RECIPE_LABEL, "io.spin.part", ServiceImage.SOURCES_LABEL)) {
            Docker.check(List.of("image", "prune", "--force", "--filter", "label=" + label), java.time.Duration.ofMinutes(2));
        }
        out.printf("images ready in %.1f s; run the system in containers with: ./spin up --containers%n", (System.nanoTime() - start) / 1e9);
    }

    private interface Step {
        String run() throws Exception;
    }

    private static void timed(PrintStream out, String image, Step step) throws Exception {
        out.printf("%-44s building...%n", image);
        long t = System.nanoTime();
        String what = step.run();
        out.printf("%-44s %s in %.1f s, %.0f MB%n", image, what, (System.nanoTime() - t) / 1e9, Docker.size(image) / 1e6);
    }
}
