package io.spin.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The result as a Markdown table: pi_0, then every model of every arm, with the eval metrics and the compute used. */
final class ResultTable {
    private ResultTable() {
    }

    static String markdown(ExperimentResult r) {
        StringBuilder out = new StringBuilder();
        out.append("| arm | model | eval human logp/token | eval exact match | eval similarity | steps | sequences"
                + " | train rewards/margins | train logps/real | pi_t samples ~ human (similarity) |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|\n");
        out.append(row("SFT", "pi_0", r.sft(), false));
        List<ExperimentResult.Arm> arms = new ArrayList<>(r.spin());
        arms.addAll(r.continuedSft());
        for (ExperimentResult.Arm arm : arms) {
            boolean spin = r.spin().contains(arm);
            for (ExperimentResult.Stage s : arm.stages()) {
                out.append(row(arm.label(), (spin ? "pi_" : "SFT+") + s.iteration(), s, spin));
            }
        }
        return out.toString();
    }

    private static String row(String arm, String model, ExperimentResult.Stage s, boolean spin) {
        return String.format(Locale.ROOT, "| %s | %s | %.4f | %.3f | %.3f | %d | %d | %s | %s | %s |%n", arm, model,
                s.eval().humanLogpPerToken(), s.eval().exactMatchRate(), s.eval().meanSimilarity(), s.steps(), s.sequences(),
                spin ? fmt(s.training().rewardsMargin()) : "-", spin ? fmt(s.training().logpsReal()) : "-",
                s.generatedSimilarity() == null ? "-" : fmt(s.generatedSimilarity()));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
