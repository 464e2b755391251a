#!/usr/bin/env python3
"""PyTorch eager mirror of io.spin.core.bench.CoreBenchmark: the same decoder (pre-LN, GELU MLP, tied output,
learned positions), the same shapes and the same workloads. Prints "RESULT torch <workload> <preset> <seconds>".
Run through bench/core/run (Debian's python3-torch; say which BLAS it used in BENCHMARKS.md)."""
import math
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {"tiny": (2, 64, 4, 256, 259), "small": (4, 256, 8, 320, 259)}
SEQ, PROMPT, PAD = 128, 16, 258


class Layer(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.out = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

    def forward(self, x, bias, cache=None):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=2)
        q, k, v = [z.view(b, t, self.h, d // self.h).transpose(1, 2) for z in (q, k, v)]
        if cache is not None:
            if cache[0] is not None:
                k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
        att = (q @ k.transpose(-1, -2) / math.sqrt(d // self.h) + bias).softmax(-1)
        x = x + self.out((att @ v).transpose(1, 2).reshape(b, t, d))
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class Gpt(nn.Module):
    def __init__(self, layers, d, h, ctx, vocab):
        super().__init__()
        self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(ctx, d)
        self.layers = nn.ModuleList(Layer(d, h) for _ in range(layers))
        self.ln = nn.LayerNorm(d)

    def forward(self, ids, pos, bias, caches=None):
        x = self.tok(ids) + self.pos(pos)
        for i, layer in enumerate(self.layers):
            x = layer(x, bias, None if caches is None else caches[i])
        return self.ln(x) @ self.tok.weight.t()


def causal(n):
    return torch.full((n, n), -1e9).triu(1).view(1, 1, n, n)


def seq_logps(model, prompts, responses):
    ids = torch.cat([prompts, responses], 1)
    inp, tgt = ids[:, :-1], ids[:, 1:]
    n = inp.shape[1]
    logits = model(inp, torch.arange(n).expand_as(inp), causal(n))
    lp = logits.log_softmax(-1).gather(2, tgt.unsqueeze(2)).squeeze(2)
    mask = torch.zeros_like(lp)
    mask[:, prompts.shape[1] - 1:] = 1
    return (lp * mask).sum(1)


def step(model, opt, loss):
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


def sample(model, prompts, new, cache):
    b, p = prompts.shape
    ids = prompts
    caches = [[None, None] for _ in model.layers] if cache else None
    with torch.no_grad():
        logits = model(ids, torch.arange(p).expand(b, p), causal(p), caches)
        for t in range(new):
            nxt = torch.multinomial(logits[:, -1].softmax(-1), 1)
            ids = torch.cat([ids, nxt], 1)
            n = ids.shape[1]
            if cache:
                logits = model(nxt, torch.full((b, 1), n - 1), torch.zeros(1, 1, 1, n), caches)
            else:
                logits = model(ids, torch.arange(n).expand(b, n), causal(n))


def main():
    torch.set_num_threads(2)
    torch.manual_seed(1)
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    presets = sys.argv[2].split(",") if len(sys.argv) > 2 else ["tiny", "small"]
    for name in presets:
        model = Gpt(*PRESETS[name])
        print(f"PARAMS torch {name} {sum(p.numel() for p in model.parameters())}")
        g = torch.Generator().manual_seed(7)
        rand = lambda *s: torch.randint(32, 122, s, generator=g)
        sft_p, sft_r = rand(32, PROMPT), rand(32, SEQ - PROMPT)
        pp, pc, pr = rand(8, PROMPT), rand(8, SEQ - PROMPT), rand(8, SEQ - PROMPT)
        with torch.no_grad():
            ref = seq_logps(model, torch.cat([pp, pp]), torch.cat([pc, pr]))
        sp = rand(16, PROMPT)
        opt_sft = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
        opt_spin = torch.optim.AdamW(model.parameters(), lr=1e-6, weight_decay=0.0)

        def sft():
            lp = seq_logps(model, sft_p, sft_r)
            step(model, opt_sft, -lp.sum() / (32 * (SEQ - PROMPT)))

        def spin():
            lp = seq_logps(model, torch.cat([pp, pp]), torch.cat([pc, pr]))
            logits = (lp[:8] - ref[:8]) - (lp[8:] - ref[8:])
            step(model, opt_spin, F.softplus(-0.1 * logits).mean())

        work = [("sft_step_32x128", sft), ("spin_step_8x128", spin),
                ("sample_16x64_kvcache", lambda: sample(model, sp, 64, True)),
                ("sample_16x64_nocache", lambda: sample(model, sp, 64, False))]
        for r in range(-2, rounds):
            for workload, fn in work:
                start = time.perf_counter()
                fn()
                seconds = time.perf_counter() - start
                if r >= 0:
                    print(f"RESULT torch {workload} {name} {seconds:.6f}", flush=True)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    import matmul_rate
    print(f"MATMUL torch gflops {matmul_rate.gflops():.1f}")
    print(f"RSS torch peak_rss_mb all {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")


if __name__ == "__main__":
    main()
