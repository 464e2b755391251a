package io.spin.cli;

import io.spin.stack.ImageBuilds;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** ./spin images: every image of the system, built on this machine from Debian packages and Maven artifacts. */
@Command(name = "images", description = "Build the container images: the base (Debian + Java 21, or $SPIN_BASE_IMAGE), the local "
        + "stack's parts and the four services under the tags k8s/base deploys. Rebuilds only what changed.")
final class ImagesCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    SpinCli parent;
    @Option(names = "--gpu", description = "Also the CUDA variants of the generator and trainer (tag suffix -cuda; needs "
            + "$SPIN_GPU_BASE_IMAGE and the CUDA natives, which this machine's Maven mirror does not serve).")
    boolean gpu;
    @Option(names = "--list", description = "Only list the images, their tags and whether they are built and up to date.")
    boolean list;

    @Override
    public Integer call() throws Exception {
        ImageBuilds.run(parent.root(), parent.stack(null, null, null).settings().dist(), gpu, list, System.out);
        return 0;
    }
}
