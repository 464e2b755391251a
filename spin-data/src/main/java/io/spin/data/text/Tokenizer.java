package io.spin.data.text;

/** Text to token ids and back, with the special tokens the model and the prompt format need. */
public interface Tokenizer {
    int[] encode(String text);

    /** Decodes ids, skipping special tokens. */
    String decode(int[] ids);

    int vocabSize();

    /** The BOS id, or -1 when the tokenizer has none (Qwen2's). */
    int bos();

    int eos();

    int pad();

    /**
     * The ids that end a generated response: the EOS, plus any the model's generation config names (Llama 3's
     * {@code <|eot_id|>} beside {@code <|end_of_text|>}, say).
     */
    default java.util.Set<Integer> stopIds() {
        return java.util.Set.of(eos());
    }

    /** Name stored in checkpoints, so a checkpoint is never read with another tokenizer. */
    String name();
}
