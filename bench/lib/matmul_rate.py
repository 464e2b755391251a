"""The float32 rate the benchmarks measure utilisation against: a 2048^3 matrix product through torch, median of 5.

Imported by bench/core/pytorch_baseline.py and bench/hf/reference.py; run as a script (all cores) by
bench/lib/openblas-coretype.sh to see which OpenBLAS kernel is faster.
"""
import os
import statistics
import sys
import time

import torch


def gflops():
    a = torch.randn(2048, 2048)
    a @ a  # warm-up: OpenBLAS starts its threads
    times = []
    for _ in range(5):
        start = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - start)
    return 2 * 2048 ** 3 / statistics.median(times) / 1e9


if __name__ == "__main__":
    torch.set_num_threads(os.cpu_count())
    print(f"{gflops():.1f}")
    sys.exit(0)
