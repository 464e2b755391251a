#!/usr/bin/env python3
"""An independent reference for SPIN's model core: the forward pass of each Hugging Face family SPIN imports, written
from the published formulas in plain PyTorch eager code (no transformers, which cannot be installed here), reading the
model directory as transformers would (config.json, model.safetensors or its shards).

  Llama/Mistral/Qwen2: RMSNorm, rotary embedding in HF's rotate-half layout (float32 angles), grouped-query attention
                       (repeat_kv), SwiGLU MLP, optional q/k/v(/o) biases, tied or separate lm_head.
  GPT-2:               learned positions, LayerNorm, Conv1D projections (in, out), gelu_new or gelu, tied lm_head.

Commands (ids are comma-separated token ids; output is JSON on stdout):
  reference.py logits DIR IDS                     logits [position][vocab] of the sequence
  reference.py greedy DIR IDS N                   N greedy tokens after IDS (KV cache)
  reference.py logprob DIR PROMPT_IDS RESPONSE_IDS  sum of log p(response | prompt)
  reference.py bench DIR                          times a SPIN step and greedy KV-cache sampling as LlamaBenchmark does
Needs Debian's python3-torch (1.13) and nothing else.
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = DTYPES[entry["dtype"]]
        tensor = torch.frombuffer(bytearray(data[start:end]), dtype=dtype) if end > start else torch.zeros(0, dtype=dtype)
        tensors[name] = tensor.reshape(entry["shape"]).float()
    return tensors


def read_weights(directory):
    index = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index):
        tensors = {}
        for shard in sorted(set(json.load(open(index))["weight_map"].values())):
            tensors.update(read_safetensors(os.path.join(directory, shard)))
        return tensors
    return read_safetensors(os.path.join(directory, "model.safetensors"))


class Model:
    def __init__(self, directory):
        self.c = json.load(open(os.path.join(directory, "config.json")))
        self.w = read_weights(directory)
        self.gpt2 = self.c["architectures"][0] == "GPT2LMHeadModel"
        if self.gpt2:
            self.w = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in self.w.items()}
            self.layers, self.heads = self.c["n_layer"], self.c["n_head"]
            self.kv_heads, self.hidden = self.heads, self.c["n_embd"]
        else:
            self.layers, self.heads = self.c["num_hidden_layers"], self.c["num_attention_heads"]
            self.kv_heads = self.c.get("num_key_value_heads") or self.heads
            self.hidden = self.c["hidden_size"]
        self.head_dim = self.hidden // self.heads

    def parameters(self):
        return list(self.w.values())

    def forward(self, ids, cache=None):
        """ids (batch, tokens) -> logits (batch, tokens, vocab); cache: list of per-layer (k, v), appended to."""
        past = 0 if not cache or cache[0] is None else cache[0][0].shape[2]
        positions = torch.arange(past, past + ids.shape[1])
        return self._gpt2(ids, positions, cache) if self.gpt2 else self._llama(ids, positions, cache)

    def _attention(self, q, k, v, layer, cache):
        if cache is not None:
            if cache[layer] is not None:
                k = torch.cat([cache[layer][0], k], 2)
                v = torch.cat([cache[layer][1], v], 2)
            cache[layer] = (k, v)
        group = self.heads // self.kv_heads
        k = k.repeat_interleave(group, dim=1)
        v = v.repeat_interleave(group, dim=1)
        t, s = q.shape[2], k.shape[2]
        scores = q @ k.transpose(2, 3) / math.sqrt(self.head_dim)
        causal = torch.ones(t, s, dtype=torch.bool).tril(s - t)
        scores = scores.masked_fill(~causal, float("-inf"))
        out = torch.softmax(scores, -1) @ v
        return out.transpose(1, 2).reshape(q.shape[0], t, self.hidden)

    def _split(self, x, heads):
        return x.reshape(x.shape[0], x.shape[1], heads, self.head_dim).transpose(1, 2)

    def _llama(self, ids, positions, cache):
        w, eps = self.w, self.c.get("rms_norm_eps", 1e-6)
        d = self.head_dim
        inv = 1.0 / (self.c.get("rope_theta", 10000.0) ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
        freqs = positions.float()[:, None] * inv[None, :]
        emb = torch.cat([freqs, freqs], -1)
        cos, sin = emb.cos(), emb.sin()

        def rms(x, weight):
            return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))

        def rope(x):
            x1, x2 = x[..., : d // 2], x[..., d // 2:]
            return x * cos + torch.cat([-x2, x1], -1) * sin

        def linear(x, name):
            return F.linear(x, w[name + ".weight"], w.get(name + ".bias"))

        x = w["model.embed_tokens.weight"][ids]
        for l in range(self.layers):
            p = f"model.layers.{l}."
            h = rms(x, w[p + "input_layernorm.weight"])
            q = rope(self._split(linear(h, p + "self_attn.q_proj"), self.heads))
            k = rope(self._split(linear(h, p + "self_attn.k_proj"), self.kv_heads))
            v = self._split(linear(h, p + "self_attn.v_proj"), self.kv_heads)
            x = x + linear(self._attention(q, k, v, l, cache), p + "self_attn.o_proj")
            h = rms(x, w[p + "post_attention_layernorm.weight"])
            x = x + linear(F.silu(linear(h, p + "mlp.gate_proj")) * linear(h, p + "mlp.up_proj"), p + "mlp.down_proj")
        x = rms(x, w["model.norm.weight"])
        head = w["model.embed_tokens.weight"] if self.c.get("tie_word_embeddings", True) and "lm_head.weight" not in w else w["lm_head.weight"]
        return x @ head.T

    def _gpt2(self, ids, positions, cache):
        w, eps = self.w, self.c.get("layer_norm_epsilon", 1e-5)
        act = self.c.get("activation_function", "gelu_new")

        def ln(x, name):
            return F.layer_norm(x, (self.hidden,), w[name + ".weight"], w[name + ".bias"], eps)

        def conv1d(x, name):
            return x @ w[name + ".weight"] + w[name + ".bias"]

        def gelu(x):
            if act == "gelu":
                return F.gelu(x)
            return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x.pow(3))))

        x = w["wte.weight"][ids] + w["wpe.weight"][positions]
        for l in range(self.layers):
            p = f"h.{l}."
            q, k, v = conv1d(ln(x, p + "ln_1"), p + "attn.c_attn").split(self.hidden, -1)
            a = self._attention(self._split(q, self.heads), self._split(k, self.heads), self._split(v, self.heads), l, cache)
            x = x + conv1d(a, p + "attn.c_proj")
            x = x + conv1d(gelu(conv1d(ln(x, p + "ln_2"), p + "mlp.c_fc")), p + "mlp.c_proj")
        return ln(x, "ln_f") @ w["wte.weight"].T

    def greedy(self, ids, n):
        cache = [None] * self.layers
        out = []
        logits = self.forward(ids, cache)
        for _ in range(n):
            token = logits[:, -1].argmax(-1, keepdim=True)
            out.append(token)
            logits = self.forward(token, cache)
        return torch.cat(out, 1)


def bench(model, pairs=8, prompt=64, response=64, sample_prompt=32, new_tokens=64, repeats=5, beta=0.1):
    """The same work as spin-core's LlamaBenchmark, eager PyTorch, float32, all cores: prints RESULT lines."""
    import resource
    import statistics
    import time
    torch.set_num_threads(os.cpu_count())
    params = [t.requires_grad_(True) for t in model.parameters()]
    optimizer = torch.optim.AdamW(params, lr=1e-6, weight_decay=0.0)
    g = torch.Generator().manual_seed(7)
    prompts = torch.randint(0, 656, (pairs, prompt), generator=g)
    chosen = torch.randint(0, 656, (pairs, response), generator=g)
    rejected = torch.randint(0, 656, (pairs, response), generator=g)
    ids = torch.cat([torch.cat([prompts, chosen], 1), torch.cat([prompts, rejected], 1)], 0)

    def logps():
        logits = model.forward(ids[:, :-1])
        token = torch.log_softmax(logits, -1).gather(2, ids[:, 1:, None]).squeeze(2)
        return token[:, prompt - 1:].sum(1)

    with torch.no_grad():
        reference = logps()

    def step():
        optimizer.zero_grad()
        p = logps()
        margin = (p[:pairs] - reference[:pairs]) - (p[pairs:] - reference[pairs:])
        loss = -F.logsigmoid(beta * margin).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()

    step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(f"RESULT spin_step_seconds_median {statistics.median(times):.4f} s")
    print(f"RESULT peak_rss_after_spin_steps_mb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
    sample_ids = torch.randint(0, 656, (pairs, sample_prompt), generator=g)
    with torch.no_grad():
        model.greedy(sample_ids[:1], new_tokens)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model.greedy(sample_ids, new_tokens)
            times.append(time.perf_counter() - start)
        print(f"RESULT sample_seconds_median {statistics.median(times):.4f} s")
        print(f"RESULT sample_tokens {pairs * new_tokens} tokens")
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
        import matmul_rate
        print(f"RESULT matmul_gflops {matmul_rate.gflops():.2f} GFLOP/s")


def parse_ids(text):
    return torch.tensor([[int(t) for t in text.split(",") if t]], dtype=torch.long)


def main(args):
    command, directory = args[0], args[1]
    model = Model(directory)
    if command == "bench":
        bench(model)
        return
    with torch.no_grad():
        if command == "logits":
            print(json.dumps(model.forward(parse_ids(args[2]))[0].tolist()))
        elif command == "greedy":
            print(json.dumps(model.greedy(parse_ids(args[2]), int(args[3]))[0].tolist()))
        elif command == "logprob":
            prompt, response = parse_ids(args[2]), parse_ids(args[3])
            logp = torch.log_softmax(model.forward(torch.cat([prompt, response], 1))[0].double(), -1)
            start = prompt.shape[1]
            print(json.dumps(sum(logp[start - 1 + i, t].item() for i, t in enumerate(response[0].tolist()))))
        else:
            sys.exit(f"unknown command {command}; see the header of {sys.argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
