#!/usr/bin/env bash
# Derives the demo dataset from Debian's wordnet-base (WordNet 3.0 noun glosses): prompt "Define: <noun>",
# response = the first clause of its gloss. Deterministic: the same package gives byte-identical files.
# Usage: data/wordnet/make-dataset.sh [data.noun]   (apt-get install wordnet-base)
set -euo pipefail
src="${1:-/usr/share/wordnet/data.noun}"
out="$(cd "$(dirname "$0")" && pwd)"
[ -f "$src" ] || { echo "no $src: apt-get install wordnet-base" >&2; exit 1; }
grep -v '^  ' "$src" | LC_ALL=C awk -F' \\| ' '
  {
    split($1, f, " "); word = f[5]; gloss = $2
    sub(/;.*/, "", gloss); gsub(/"/, "", gloss); gsub(/[ \t]+$/, "", gloss); gsub(/\\/, "", gloss)
    if (word !~ /^[a-z]+$/ || length(word) < 4 || length(word) > 12) next
    if (length(gloss) < 12 || length(gloss) > 64 || gloss ~ /[^ -~]/) next
    if (seen[word]++) next
    n++
    if (n % 23 != 0) next
    printf "{\"id\":\"wn-%s\",\"prompt\":\"Define: %s\",\"response\":\"%s\"}\n", f[1], word, gloss
  }' > "$out/all.jsonl"
head -n 400 "$out/all.jsonl" > "$out/train.jsonl"
sed -n '401,460p' "$out/all.jsonl" > "$out/eval.jsonl"
rm "$out/all.jsonl"
wc -l "$out/train.jsonl" "$out/eval.jsonl"
