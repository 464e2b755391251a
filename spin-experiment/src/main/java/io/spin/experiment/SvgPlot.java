package io.spin.experiment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import io.spin.core.eval.Evaluator;

/**
 * The three eval metrics per iteration, one panel each, as a self-contained SVG: every arm starts at pi_0 (x = 0);
 * SPIN arms are solid lines, continued-SFT baselines dashed.
 */
final class SvgPlot {
    static final int PANEL_WIDTH = 340;
    static final int PANEL_HEIGHT = 260;
    private static final int LEFT = 60, TOP = 30, RIGHT = 15, BOTTOM = 40;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

    private SvgPlot() {
    }

    /** @param rate values live in [0, 1], so the axis never leaves it */
    record Panel(String title, ToDoubleFunction<Evaluator.Result> metric, boolean rate) {
    }

    static final List<Panel> PANELS = List.of(new Panel("eval human log-prob per token", Evaluator.Result::humanLogpPerToken, false),
            new Panel("eval exact-match rate (greedy)", Evaluator.Result::exactMatchRate, true),
            new Panel("eval mean similarity (greedy)", Evaluator.Result::meanSimilarity, true));

    static String render(ExperimentResult r) {
        List<ExperimentResult.Arm> arms = new ArrayList<>(r.spin());
        arms.addAll(r.continuedSft());
        int legendHeight = 18 * arms.size() + 10;
        int width = PANEL_WIDTH * PANELS.size();
        int height = PANEL_HEIGHT + legendHeight;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n"
                        + "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>%n", width, height));
        for (int p = 0; p < PANELS.size(); p++) {
            panel(svg, p * PANEL_WIDTH, PANELS.get(p), r, arms);
        }
        for (int a = 0; a < arms.size(); a++) {
            int y = PANEL_HEIGHT + 12 + 18 * a;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", LEFT, y, LEFT + 30, y, color(a), dash(r, arms.get(a)), LEFT + 38, y + 4,
                    escape(arms.get(a).label())));
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, int x0, Panel panel, ExperimentResult r, List<ExperimentResult.Arm> arms) {
        double min = panel.metric().applyAsDouble(r.sft().eval());
        double max = min;
        int iterations = 0;
        for (ExperimentResult.Arm arm : arms) {
            for (ExperimentResult.Stage s : arm.stages()) {
                double v = panel.metric().applyAsDouble(s.eval());
                min = Math.min(min, v);
                max = Math.max(max, v);
                iterations = Math.max(iterations, s.iteration());
            }
        }
        double pad = max - min < 1e-9 ? 0.5 : (max - min) * 0.08;
        double low = panel.rate() ? Math.max(0, min - pad) : min - pad;
        double high = panel.rate() ? Math.min(1, Math.max(max + pad, low + 1e-3)) : max + pad;
        Scale scale = new Scale(x0 + LEFT, x0 + PANEL_WIDTH - RIGHT, TOP, PANEL_HEIGHT - BOTTOM, Math.max(1, iterations), low, high);
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-weight=\"bold\">%s</text>%n", x0 + LEFT, escape(panel.title())));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>%n",
                scale.left(), scale.top(), scale.right() - scale.left(), scale.bottom() - scale.top()));
        for (int t = 0; t <= scale.iterations(); t++) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", scale.x(t),
                    scale.bottom() + 14, t));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">iteration</text>%n",
                (scale.left() + scale.right()) / 2.0, scale.bottom() + 30));
        for (double v : new double[] {scale.yMin(), (scale.yMin() + scale.yMax()) / 2, scale.yMax()}) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>%n", scale.left() - 4,
                    scale.y(v) + 4, v));
        }
        for (int a = 0; a < arms.size(); a++) {
            StringBuilder points = new StringBuilder(point(scale, 0, panel.metric().applyAsDouble(r.sft().eval())));
            for (ExperimentResult.Stage s : arms.get(a).stages()) {
                points.append(' ').append(point(scale, s.iteration(), panel.metric().applyAsDouble(s.eval())));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    points, color(a), dash(r, arms.get(a))));
        }
    }

    /** Maps iteration and metric value to pixels; y grows downwards in SVG. */
    record Scale(int left, int right, int top, int bottom, int iterations, double yMin, double yMax) {
        double x(double iteration) {
            return left + (right - left) * iteration / iterations;
        }

        double y(double value) {
            return bottom - (bottom - top) * (value - yMin) / (yMax - yMin);
        }
    }

    private static String point(Scale scale, int iteration, double value) {
        return String.format(Locale.ROOT, "%.1f,%.1f", scale.x(iteration), scale.y(value));
    }

    private static String color(int arm) {
        return COLORS[arm % COLORS.length];
    }

    private static String dash(ExperimentResult r, ExperimentResult.Arm arm) {
        return r.spin().contains(arm) ? "" : " stroke-dasharray=\"6,4\"";
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
