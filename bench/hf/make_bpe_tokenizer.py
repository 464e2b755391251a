#!/usr/bin/env python3
"""Trains a small byte-level BPE tokenizer (GPT-2's scheme, as Llama 3 and Qwen2 use) on a JSONL dataset and writes it
as a Hugging Face tokenizer.json with ChatML special tokens, for test fixtures: no tokenizer can be downloaded here.

  bench/hf/make_bpe_tokenizer.py data/wordnet/train.jsonl 400 spin-core/src/test/resources/hf/bpe/tokenizer.json

Standard library only. Deterministic: ties between equally frequent pairs go to the smallest pair.
"""
import collections
import json
import re
import sys

SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
# GPT-2's pre-tokenizer pattern, with \p{L} / \p{N} written for Python's re (letters: [^\W\d_])
WORDS = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?[^\s\w]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's map of the 256 bytes to printable characters (the ByteLevel pre-tokenizer's alphabet)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def train(texts, merges_wanted):
    alphabet = bytes_to_unicode()
    words = collections.Counter()
    for text in texts:
        for word in WORDS.findall(text):
            words[tuple(alphabet[b] for b in word.encode("utf-8"))] += 1
    vocab = [alphabet[b] for b in range(256)]
    merges = []
    for _ in range(merges_wanted):
        pairs = collections.Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        merged = best[0] + best[1]
        merges.append(best)
        vocab.append(merged)
        updated = collections.Counter()
        for word, count in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(merged)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            updated[tuple(out)] += count
        words = updated
    return vocab, merges


def tokenizer_json(vocab, merges):
    ids = {token: i for i, token in enumerate(vocab)}
    added = [{"id": len(vocab) + i, "content": token, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, token in enumerate(SPECIAL)]
    byte_level = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
            "pre_tokenizer": byte_level, "post_processor": dict(byte_level, trim_offsets=False), "decoder": byte_level,
            "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                      "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "vocab": ids,
                      "merges": [a + " " + b for a, b in merges]}}


def main(dataset, merges_wanted, out):
    texts = []
    for line in open(dataset, encoding="utf-8"):
        if line.strip():
            row = json.loads(line)
            texts += [row["prompt"], row["response"]] if "prompt" in row else [m["content"] for m in row["messages"]]
    vocab, merges = train(texts, int(merges_wanted))
    with open(out, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(vocab, merges), f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{out}: {len(vocab)} tokens + {len(SPECIAL)} special, {len(merges)} merges, from {len(texts)} texts")


if __name__ == "__main__":
    main(*sys.argv[1:])
