"""PyTorch side of `casino bench matmul` and `casino bench train`.

Run by the Java benchmarks with /usr/bin/python3 (Debian python3-torch 1.13); prints one JSON
object on stdout. Before timing anything it finds out which BLAS torch's matmuls really run on
(the shared libraries mapped into this process after a first sgemm) and refuses a generic
reference BLAS, which is ~25x slower than OpenBLAS and would make every comparison meaningless.

  matmul --cases NN:1024x256x768,NT:...  --threads T --repeats R --warmup W
      op:MxKxN, NN = a(M,K) @ b(K,N), NT = a(M,K) @ b(N,K).T, TN = a(M,K).T @ b(M,N)
  train --C 256 --L 4 --NH 4 --T 64 --B 16 --V 64 --threads T --steps S --warmup W
      GPT-2 (pre-LN, GELU tanh, tied head), forward + backward + torch.optim.AdamW per step, with the
      fastest CPU paths this torch has (scaled_dot_product_attention, fused AdamW; reported)
"""
import argparse
import json
import math
import statistics
import sys
import time

import torch


def blas_info():
    a = torch.randn(64, 64)
    (a @ a).sum().item()
    libs = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                parts = line.split()
                if len(parts) >= 6 and ".so" in parts[-1]:
                    libs.add(parts[-1])
    except OSError:
        pass
    names = sorted(p for p in libs if any(k in p.lower() for k in ("blas", "mkl", "blis", "atlas", "lapack")))
    config = torch.__config__.show()
    build = ""
    for item in config.replace("\n", ",").split(","):
        if "BLAS_INFO" in item:
            build = item[item.index("BLAS_INFO"):].strip()
    lower = " ".join(names).lower()
    # pip's x86 wheels link MKL statically (BLAS_INFO=mkl): no MKL library is mapped, while numpy's own
    # OpenBLAS may be, and torch's matmuls do not use it
    if "mkl" in lower:
        name, generic = "MKL", False
    elif "BLAS_INFO=mkl" in config:
        name, generic, names = "MKL", False, ["linked into libtorch: " + build]
    elif "openblas" in lower:
        name, generic = "OpenBLAS", False
    elif "blis" in lower:
        name, generic = "BLIS", False
    elif "atlas" in lower:
        name, generic = "ATLAS", False
    elif any("libblas.so" in p for p in names):
        name, generic = "generic reference BLAS", True
    else:
        name, generic = "unknown (" + (build or "no BLAS library mapped") + ")", True
    return {"name": name, "generic": generic, "libraries": names, "build": build}


def timed(fn, warmup, repeats, min_seconds=0.02):
    for _ in range(warmup):
        fn()
    t0 = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t0, 1e-9)
    calls = max(1, int(min_seconds / one))
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - t0) / calls)
    return samples


def summary(samples):
    return {"median_ms": statistics.median(samples) * 1e3, "min_ms": min(samples) * 1e3,
            "max_ms": max(samples) * 1e3}


def run_matmul(args, result):
    torch.manual_seed(0)
    cases = []
    for spec in args.cases.split(","):
        op, dims = spec.split(":")
        m, k, n = (int(x) for x in dims.split("x"))
        if op == "NN":
            a, b = torch.randn(m, k), torch.randn(k, n)
            fn = lambda a=a, b=b: torch.mm(a, b)
        elif op == "NT":
            a, b = torch.randn(m, k), torch.randn(n, k)
            fn = lambda a=a, b=b: torch.mm(a, b.t())
        elif op == "TN":
            a, b = torch.randn(m, k), torch.randn(m, n)
            fn = lambda a=a, b=b: torch.mm(a.t(), b)
        else:
            raise SystemExit("unknown op " + op)
        s = summary(timed(fn, args.warmup, args.repeats))
        s["case"] = spec
        s["gflops"] = 2.0 * m * k * n / (s["median_ms"] * 1e-3) / 1e9
        cases.append(s)
    result["cases"] = cases


SDPA = hasattr(torch.nn.functional, "scaled_dot_product_attention")


class Block(torch.nn.Module):
    def __init__(self, c, nh):
        super().__init__()
        self.nh = nh
        self.ln_1 = torch.nn.LayerNorm(c, eps=1e-5)
        self.c_attn = torch.nn.Linear(c, 3 * c)
        self.c_proj = torch.nn.Linear(c, c)
        self.ln_2 = torch.nn.LayerNorm(c, eps=1e-5)
        self.c_fc = torch.nn.Linear(c, 4 * c)
        self.mlp_proj = torch.nn.Linear(4 * c, c)

    def forward(self, x, mask):
        b, t, c = x.shape
        h = self.ln_1(x)
        q, k, v = self.c_attn(h).split(c, dim=2)
        hs = c // self.nh
        q = q.view(b, t, self.nh, hs).transpose(1, 2)
        k = k.view(b, t, self.nh, hs).transpose(1, 2)
        v = v.view(b, t, self.nh, hs).transpose(1, 2)
        if SDPA:
            # torch 2.x: the fused causal attention kernel (flash attention on CPU), its fastest path
            y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
            att = att.masked_fill(mask[:, :, :t, :t] == 0, float("-inf"))
            att = torch.softmax(att, dim=-1)
            y = att @ v
        y = y.transpose(1, 2).contiguous().view(b, t, c)
        x = x + self.c_proj(y)
        h = self.ln_2(x)
        h = torch.nn.functional.gelu(self.c_fc(h), approximate="tanh")
        return x + self.mlp_proj(h)


class Gpt(torch.nn.Module):
    def __init__(self, v, max_t, c, layers, nh):
        super().__init__()
        self.wte = torch.nn.Embedding(v, c)
        self.wpe = torch.nn.Embedding(max_t, c)
        self.h = torch.nn.ModuleList(Block(c, nh) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(c, eps=1e-5)
        self.register_buffer("mask", torch.tril(torch.ones(max_t, max_t)).view(1, 1, max_t, max_t))
        for p in self.parameters():
            if p.dim() == 2:
                torch.nn.init.normal_(p, std=0.02)

    def forward(self, idx, targets):
        b, t = idx.shape
        pos = torch.arange(t)
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x, self.mask)
        x = self.ln_f(x)
        logits = x @ self.wte.weight.t()
        logp = torch.log_softmax(logits, dim=-1)
        return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)


def run_train(args, result):
    torch.manual_seed(0)
    model = Gpt(args.V, args.T, args.C, args.L, args.NH)
    opt, adamw = adamw_optimizer(model, args.foreach)
    idx = torch.randint(0, args.V, (args.B, args.T))
    targets = torch.randint(0, args.V, (args.B, args.T))
    fb, op, total = [], [], []
    for s in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=False)
        logp = model(idx, targets)
        loss = -logp.mean()
        loss.backward()
        t1 = time.perf_counter()
        opt.step()
        t2 = time.perf_counter()
        if s >= args.warmup:
            fb.append(t1 - t0)
            op.append(t2 - t1)
            total.append(t2 - t0)
    result["params"] = sum(p.numel() for p in model.parameters())
    result["step"] = summary(total)
    result["forward_backward"] = summary(fb)
    result["optimizer"] = summary(op)
    result["tokens_per_s"] = args.B * args.T / statistics.median(total)
    result["foreach"] = args.foreach
    result["adamw"] = adamw
    result["attention"] = "scaled_dot_product_attention" if SDPA else "matmul + masked softmax"


def adamw_optimizer(model, foreach):
    """torch's fastest CPU AdamW: fused (torch >= 2.4 on CPU), else foreach when asked, else the for-loop."""
    if not foreach:
        try:
            return torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, fused=True), "fused"
        except (RuntimeError, TypeError, ValueError):
            pass
    return (torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, foreach=foreach),
            "foreach" if foreach else "for-loop")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["matmul", "train"])
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--cases", default="")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--C", type=int, default=256)
    ap.add_argument("--L", type=int, default=4)
    ap.add_argument("--NH", type=int, default=4)
    ap.add_argument("--T", type=int, default=64)
    ap.add_argument("--B", type=int, default=16)
    ap.add_argument("--V", type=int, default=64)
    ap.add_argument("--foreach", action="store_true")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    blas = blas_info()
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas}
    if blas["generic"]:
        result["refused"] = ("torch runs on " + blas["name"] + " " + ", ".join(blas["libraries"])
                             + "; install an optimised BLAS (Debian: libopenblas0-pthread) to compare")
    elif args.mode == "matmul":
        run_matmul(args, result)
    else:
        run_train(args, result)
    json.dump(result, sys.stdout)
    print()


if __name__ == "__main__":
    main()
