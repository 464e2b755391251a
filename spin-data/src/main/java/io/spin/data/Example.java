package io.spin.data;

/** One SFT example: a prompt and its human response, with where it came from. */
public record Example(String id, String prompt, String response, String sourceFile, int sourceLine) {
}
