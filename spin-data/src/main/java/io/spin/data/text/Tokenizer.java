package io.spin.data.text;

/** Text to token ids and back, with the special tokens the model and the prompt format need. */
public interface Tokenizer {
    int[] encode(String text);

    /** Decodes ids, skipping special tokens. */
    String decode(int[] ids);

    int vocabSize();

    int bos();

    int eos();

    int pad();

    /** Name stored in checkpoints, so a checkpoint is never read with another tokenizer. */
    String name();
}
