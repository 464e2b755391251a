package io.spin.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code spin demo}: everything up, SFT + 2 SPIN iterations on the shipped WordNet data, the table, everything down. */
@Command(name = "demo", description = "Start everything, run SFT + 2 SPIN iterations on data/wordnet, print the table, stop.")
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.ParentCommand
    SpinCli parent;
    @Option(names = "--keep", description = "Leave everything running afterwards.")
    boolean keep;
    @Option(names = "--model", defaultValue = "small", description = "Model preset (default small).")
    String model;
    @Option(names = "--iterations", defaultValue = "2", description = "SPIN iterations (default 2).")
    int iterations;

    @Override
    public Integer call() throws Exception {
        int exit;
        try {
            parent.services(1).checkBuilt();
            parent.services(1).up(parent.stack(null, null, null).up());
            CommandLine run = new CommandLine(new RunCommand());
            ((RunCommand) run.getCommand()).parent = parent;
            exit = run.execute("--train", parent.root().resolve("data/wordnet/train.jsonl").toString(),
                    "--eval", parent.root().resolve("data/wordnet/eval.jsonl").toString(), "--model", model,
                    "--iterations", Integer.toString(iterations), "--sft-epochs", "4", "--sft-lr", "1e-3", "--lr", "1e-4",
                    "--beta", "0.1", "--batch-size", "16", "--max-prompt-tokens", "64", "--max-response-tokens", "80",
                    "--max-new-tokens", "72", "--seed", "7");
        } finally {
            if (!keep) {
                parent.services(1).down();
                parent.stack(null, null, null).down();
            } else {
                System.out.println("left running; ./spin down stops everything");
            }
        }
        return exit;
    }
}
