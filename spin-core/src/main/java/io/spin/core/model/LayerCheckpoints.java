package io.spin.core.model;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;

/**
 * Activation checkpointing per decoder layer for one training pass (what {@code torch.utils.checkpoint} does around
 * each layer). The forward runs the layers without autograd and keeps only each layer's input; the layers' output
 * becomes a leaf, so the loss's backward stops there and leaves its gradient. {@link #backward} then recomputes each
 * layer from the last to the first, with autograd, and back-propagates the gradient that reached its output: the
 * parameters get the gradients of an ordinary backward, while at most one layer's saved tensors exist at a time.
 * DJL has no hook into PyTorch's backward, hence the explicit second phase. The layers must be deterministic (no
 * dropout here), or the recomputation would differ from the forward.
 */
public final class LayerCheckpoints implements AutoCloseable {
    /** Layer {@code index} applied to its input. */
    public interface Layer {
        NDArray apply(int index, NDArray input);
    }

    private record Segment(Layer layer, List<NDArray> inputs, NDArray output) {
    }

    private final DecoderModel model;
    private final List<Segment> segments = new ArrayList<>();

    LayerCheckpoints(DecoderModel model) {
        this.model = model;
    }

    /** Runs {@code count} layers on {@code x} keeping their inputs only; the output is a leaf that collects a gradient. */
    NDArray forward(int count, NDArray x, Layer layer) {
        List<NDArray> inputs = new ArrayList<>(count);
        NDArray h = x;
        try (NoGrad ignored = NoGrad.enter()) {
            for (int i = 0; i < count; i++) {
                inputs.add(h);
                NDArray input = h;
                int index = i;
                h = DecoderModel.inLayerScope(() -> layer.apply(index, input));
            }
        }
        h.setRequiresGradient(true);
        segments.add(new Segment(layer, inputs, h));
        return h;
    }

    /**
     * The second half of the backward, after the collector's backward of the loss: layer by layer from the last, the
     * recomputed output's gradient is its leaf's, and each layer's input gradient feeds the layer before. The first
     * layer's input is the embedding's output, still on the graph, so the embeddings get their gradient too.
     */
    public void backward(GradientCollector collector) {
        for (int s = segments.size() - 1; s >= 0; s--) {
            Segment segment = segments.get(s);
            NDArray gradient = segment.output().getGradient();
            for (int i = segment.inputs().size() - 1; i >= 0 && gradient != null; i--) {
                NDArray input = segment.inputs().get(i);
                boolean leaf = i > 0; // layer 0's input is the embedding's output: on the graph already, or frozen
                if (leaf) {
                    input.setRequiresGradient(true);
                }
                NDArray upstream = null;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    // a training pass always has a trainable parameter in every layer (full weights or adapters),
                    // so the recomputed output is on the graph
                    NDArray output = segment.layer().apply(i, input);
                    collector.backward(output.mul(gradient).sum());
                    if (leaf) {
                        upstream = input.getGradient();
                        NDScope.unregister(upstream);
                    }
                }
                if (upstream != null) {
                    NDScope.register(upstream);
                }
                gradient = upstream;
            }
        }
        segments.clear();
    }

    /** Ends the recording: later forwards run as usual. */
    @Override
    public void close() {
        segments.clear();
        model.stopCheckpointing(this);
    }
}
