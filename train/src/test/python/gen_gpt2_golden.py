#!/usr/bin/python3
"""Writes the GPT-2 golden fixture under train/src/test/resources/gpt2-golden/.

A small GPT-2 written out in torch 1.13 (transformers is not needed): decoder-only, learned
positional embeddings, pre-LayerNorm blocks (eps 1e-5), GELU with the tanh approximation, causal
multi-head attention, a 4C MLP, output head tied to the token embedding. Parameters carry Hugging
Face GPT-2 names and layouts: Conv1D weights are stored (in, out) and applied as x @ W + b.

Files (safetensors written by hand, as io/src/test/python/gen_safetensors_fixtures.py does: an
8-byte little-endian header length, the JSON header padded with spaces to a multiple of 8, then
the raw little-endian tensors in header order):

  model.safetensors   the initial weights, F32, HF names (wte.weight, wpe.weight,
                      h.{l}.ln_1.weight, ..., ln_f.bias); __metadata__ holds the config
                      (vocab_size, n_positions, n_layer, n_head, n_embd) as strings.
  golden.safetensors  __metadata__: batch, seq_len, lr, beta1, beta2, eps, weight_decay, steps,
                      torch version. Tensors:
                        tokens  I32 (B, T)       input token ids
                        targets I32 (B, T)       target ids, -1 = ignored (cross_entropy ignore_index)
                        logits  F32 (B, T, V)    of the initial weights
                        loss    F32 (1)          mean cross-entropy over the non-ignored targets
                        grad.<name> F32          d loss / d parameter for every parameter
                        losses  F32 (steps)      loss before each of the AdamW steps (losses[0] == loss)
                        final.<name> F32         every parameter after the AdamW steps

Weights: GPT-2 initialisation (N(0, 0.02), residual projections N(0, 0.02/sqrt(2L))), then the
biases get N(0, 0.02) and the LayerNorm weights 1 + N(0, 0.1), so that every parameter matters
for the gradients. The optimizer is torch.optim.AdamW(lr, betas, eps, weight_decay) over all
parameters, the same batch every step.

Run from the repository root (Debian's python3-torch; deterministic: same torch, same bytes):
    /usr/bin/python3 train/src/test/python/gen_gpt2_golden.py
"""
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "gpt2-golden")

V, MAX_T, L, NH, C = 32, 16, 2, 2, 32
B, T = 4, 12
LR, BETAS, EPS, WD, STEPS = 3e-3, (0.9, 0.999), 1e-8, 0.01, 10
SEED = 1234


class Gpt2(torch.nn.Module):
    def __init__(self):
        super().__init__()
        p = {}
        p["wte.weight"] = torch.randn(V, C) * 0.02
        p["wpe.weight"] = torch.randn(MAX_T, C) * 0.02
        proj_std = 0.02 / math.sqrt(2 * L)
        for l in range(L):
            h = f"h.{l}."
            p[h + "ln_1.weight"] = 1 + 0.1 * torch.randn(C)
            p[h + "ln_1.bias"] = 0.02 * torch.randn(C)
            p[h + "attn.c_attn.weight"] = torch.randn(C, 3 * C) * 0.02
            p[h + "attn.c_attn.bias"] = 0.02 * torch.randn(3 * C)
            p[h + "attn.c_proj.weight"] = torch.randn(C, C) * proj_std
            p[h + "attn.c_proj.bias"] = 0.02 * torch.randn(C)
            p[h + "ln_2.weight"] = 1 + 0.1 * torch.randn(C)
            p[h + "ln_2.bias"] = 0.02 * torch.randn(C)
            p[h + "mlp.c_fc.weight"] = torch.randn(C, 4 * C) * 0.02
            p[h + "mlp.c_fc.bias"] = 0.02 * torch.randn(4 * C)
            p[h + "mlp.c_proj.weight"] = torch.randn(4 * C, C) * proj_std
            p[h + "mlp.c_proj.bias"] = 0.02 * torch.randn(C)
        p["ln_f.weight"] = 1 + 0.1 * torch.randn(C)
        p["ln_f.bias"] = 0.02 * torch.randn(C)
        self.names = list(p.keys())
        self.params = torch.nn.ParameterList([torch.nn.Parameter(t.float()) for t in p.values()])

    def named(self):
        return dict(zip(self.names, self.params))

    def forward(self, idx):
        p = self.named()
        b, t = idx.shape
        hs = C // NH
        x = p["wte.weight"][idx] + p["wpe.weight"][torch.arange(t)]
        mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
        for l in range(L):
            h = f"h.{l}."
            a = F.layer_norm(x, (C,), p[h + "ln_1.weight"], p[h + "ln_1.bias"], 1e-5)
            qkv = a @ p[h + "attn.c_attn.weight"] + p[h + "attn.c_attn.bias"]
            q, k, v = qkv.split(C, dim=2)
            q = q.view(b, t, NH, hs).transpose(1, 2)
            k = k.view(b, t, NH, hs).transpose(1, 2)
            v = v.view(b, t, NH, hs).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)
            att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
            y = (att @ v).transpose(1, 2).contiguous().view(b, t, C)
            x = x + y @ p[h + "attn.c_proj.weight"] + p[h + "attn.c_proj.bias"]
            m = F.layer_norm(x, (C,), p[h + "ln_2.weight"], p[h + "ln_2.bias"], 1e-5)
            m = F.gelu(m @ p[h + "mlp.c_fc.weight"] + p[h + "mlp.c_fc.bias"], approximate="tanh")
            x = x + m @ p[h + "mlp.c_proj.weight"] + p[h + "mlp.c_proj.bias"]
        x = F.layer_norm(x, (C,), p["ln_f.weight"], p["ln_f.bias"], 1e-5)
        return x @ p["wte.weight"].t()  # tied head


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    data = bytearray()
    for name, t in tensors:
        t = t.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int32: "I32"}[t.dtype]
        payload = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(bytes(data))
    os.replace(tmp, path)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    model = Gpt2()
    tokens = torch.randint(0, V, (B, T))
    targets = torch.randint(0, V, (B, T))
    targets[0, :3] = -1
    targets[2, 7] = -1
    os.makedirs(OUTPUT, exist_ok=True)
    config = {"vocab_size": str(V), "n_positions": str(MAX_T), "n_layer": str(L), "n_head": str(NH), "n_embd": str(C)}
    write_safetensors(os.path.join(OUTPUT, "model.safetensors"), list(model.named().items()), config)

    logits = model(tokens)
    loss = F.cross_entropy(logits.view(-1, V), targets.view(-1), ignore_index=-1)
    loss.backward()
    out = [("tokens", tokens.to(torch.int32)), ("targets", targets.to(torch.int32)), ("logits", logits),
           ("loss", loss.detach().view(1))]
    out += [("grad." + n, p.grad.detach().clone()) for n, p in model.named().items()]

    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WD)
    losses = []
    for step in range(STEPS):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(tokens).view(-1, V), targets.view(-1), ignore_index=-1)
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    out.append(("losses", torch.tensor(losses, dtype=torch.float32)))
    out += [("final." + n, p.detach().clone()) for n, p in model.named().items()]
    meta = {"batch": str(B), "seq_len": str(T), "lr": repr(LR), "beta1": repr(BETAS[0]), "beta2": repr(BETAS[1]),
            "eps": repr(EPS), "weight_decay": repr(WD), "steps": str(STEPS), "torch": torch.__version__,
            "generator": "train/src/test/python/gen_gpt2_golden.py"}
    write_safetensors(os.path.join(OUTPUT, "golden.safetensors"), out, meta)
    print("loss", losses[0], "->", losses[-1])


if __name__ == "__main__":
    main()
