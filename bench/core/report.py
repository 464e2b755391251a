#!/usr/bin/env python3
"""Medians and ratios of bench/core/run results (RESULT <impl> <workload> <preset> <seconds>)."""
import statistics
import sys
from collections import defaultdict

TOKENS = {"sft_step_32x128": 32 * 128, "spin_step_8x128": 16 * 128,
          "sample_16x64_kvcache": 16 * 64, "sample_16x64_nocache": 16 * 64}
times = defaultdict(list)
rss = defaultdict(float)
params = {}
matmul = defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    if parts[:1] == ["RESULT"]:
        times[(parts[1], parts[2], parts[3])].append(float(parts[4]))
    elif parts[:1] == ["PARAMS"]:
        params[(parts[1], parts[2])] = int(parts[3])
    elif parts[:1] == ["MATMUL"]:
        matmul[parts[1]].append(float(parts[3]))
    elif parts[:1] == ["RSS"]:
        rss[parts[1]] = max(rss[parts[1]], float(parts[4]))

print()
print("| workload | preset | DJL median ms | PyTorch median ms | DJL/PyTorch time | DJL tokens/s | PyTorch tokens/s | n |")
print("|---|---|---|---|---|---|---|---|")
keys = sorted({(w, p) for (_, w, p) in times}, key=lambda k: (k[1], list(TOKENS).index(k[0])))
for workload, preset in keys:
    d, t = times[("djl", workload, preset)], times[("torch", workload, preset)]
    md, mt = statistics.median(d), statistics.median(t)
    print(f"| {workload} | {preset} | {md * 1000:.1f} | {mt * 1000:.1f} | {md / mt:.2f} | "
          f"{TOKENS[workload] / md:,.0f} | {TOKENS[workload] / mt:,.0f} | {len(d)}/{len(t)} |")
print()
# Model FLOPs per token: 6 N to train (forward + backward), 2 N to sample; utilisation against the faster engine's
# matmul rate, so both columns share one denominator; each engine's own rate is printed beside it.
peak = {impl: statistics.median(v) for impl, v in matmul.items()}
best = max(peak.values())
print(f"float32 2048^3 matmul: DJL {peak['djl']:.0f} GFLOP/s, PyTorch {peak['torch']:.0f} GFLOP/s "
      f"(DJL/PyTorch {peak['djl'] / peak['torch']:.2f}); MFU below against {best:.0f} GFLOP/s")
print()
print("| workload | preset | parameters | DJL MFU | PyTorch MFU |")
print("|---|---|---|---|---|")
for workload, preset in keys:
    if workload.endswith("nocache"):
        continue  # recomputes the prefix: model FLOPs per token are not 2 N there
    per_token = (6 if "step" in workload else 2)
    row = []
    for impl in ("djl", "torch"):
        n = params[(impl, preset)]
        row.append(per_token * n * TOKENS[workload] / statistics.median(times[(impl, workload, preset)]) / (best * 1e9))
    print(f"| {workload} | {preset} | {params[('djl', preset)]:,} | {row[0]:.1%} | {row[1]:.1%} |")
print()
print("| KV cache speed-up (no-cache time / cache time) | preset | DJL | PyTorch |")
print("|---|---|---|---|")
for preset in sorted({p for (_, _, p) in times}):
    def speedup(impl):
        return statistics.median(times[(impl, "sample_16x64_nocache", preset)]) / statistics.median(times[(impl, "sample_16x64_kvcache", preset)])
    print(f"| sampling 16 x 64 | {preset} | {speedup('djl'):.2f}x | {speedup('torch'):.2f}x |")
print()
print(f"peak RSS: DJL process {rss['djl']:.0f} MB (JVM included), PyTorch process {rss['torch']:.0f} MB")
