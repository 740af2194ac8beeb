#!/usr/bin/python3
"""Writes the AdamW golden fixture optimizer/src/test/resources/golden/adamw_torch.bin.

Runs torch.optim.AdamW (single-tensor path, foreach=False) for 20 steps over a few float32
tensors of different shapes, with Hugging Face's cosine-with-warmup schedule through LambdaLR,
once without and once with torch.nn.utils.clip_grad_norm_ before every step. It records the
initial parameters and, per step, the learning rate used, the gradient fed in (before clipping),
the total norm clip_grad_norm_ reported, and the parameters after the step.
AdamWTorchGoldenTest replays the same gradients through the Java AdamW and BsrAdamW.

Run with Debian's python3-torch from the repository root:
    /usr/bin/python3 optimizer/src/test/python/gen_adamw_golden.py
The byte layout is documented in README.md next to this script. Same torch, same bytes.
"""
import math
import os
import struct
import sys

import torch

MAGIC = b"RLCAGOLD"
VERSION = 1

LR = 3e-3
BETAS = (0.9, 0.99)
EPS = 1e-8
WEIGHT_DECAY = 0.05
WARMUP_STEPS = 4
TOTAL_STEPS = 20
STEPS = 20
# Gradient norms range over about 2.5..25 (see gradients()); 12 clips some steps and not others.
MAX_GRAD_NORM = 12.0

# (name, shape, gradient scale): different ranks, a 1-element tensor, and a tensor whose
# gradients are 1000x smaller than the others (Adam's update should not care, clipping does).
TENSORS = [
    ("a.weight", (7, 13), 1.0),
    ("a.bias", (64,), 1e-3),
    ("b.kernel", (3, 4, 5), 1.0),
    ("b.scale", (1,), 1.0),
]

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "resources", "golden", "adamw_torch.bin")


def cosine_with_warmup(step):
    """transformers.get_cosine_schedule_with_warmup(opt, 4, 20) with num_cycles=0.5, written out
    so that transformers is not needed; = LearningRateSchedule.cosine(4, 20, 0.0)."""
    if step < WARMUP_STEPS:
        return float(step) / float(max(1, WARMUP_STEPS))
    progress = float(step - WARMUP_STEPS) / float(max(1, TOTAL_STEPS - WARMUP_STEPS))
    return max(0.0, 0.5 * (1.0 + math.cos(math.pi * float(0.5) * 2.0 * progress)))


def gradients(generator):
    """One step's gradients: N(0, 1) times a per-step factor in [0.2, 2.0) times the tensor's scale."""
    factor = 0.2 + 1.8 * torch.rand((), generator=generator, dtype=torch.float64).item()
    return [(torch.randn(shape, generator=generator, dtype=torch.float32) * (factor * scale)).contiguous()
            for _, shape, scale in TENSORS]


def run_case(seed, max_grad_norm):
    """20 AdamW steps; returns (initial params, [(lr, norm, grads, params after)])."""
    init = torch.Generator().manual_seed(seed)
    params = [torch.nn.Parameter(torch.randn(shape, generator=init, dtype=torch.float32))
              for _, shape, _ in TENSORS]
    initial = [p.detach().clone() for p in params]
    optimizer = torch.optim.AdamW(params, lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY,
                                  amsgrad=False, foreach=False, maximize=False, capturable=False)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, cosine_with_warmup)
    grad_generator = torch.Generator().manual_seed(seed + 1)
    steps = []
    for _ in range(STEPS):
        grads = gradients(grad_generator)
        for p, g in zip(params, grads):
            p.grad = g.clone()
        norm = float("nan")
        if max_grad_norm > 0:
            norm = torch.nn.utils.clip_grad_norm_(params, max_grad_norm).item()
        lr = optimizer.param_groups[0]["lr"]
        optimizer.step()
        scheduler.step()
        steps.append((lr, norm, grads, [p.detach().clone() for p in params]))
    return initial, steps


def floats(tensors):
    return b"".join(t.detach().contiguous().view(-1).numpy().astype("<f4").tobytes() for t in tensors)


def string(s):
    data = s.encode("utf-8")
    return struct.pack("<i", len(data)) + data


def main():
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    cases = [("cosine", 1234, 0.0), ("cosine-clip", 5678, MAX_GRAD_NORM)]
    out = bytearray()
    out += MAGIC
    out += struct.pack("<i", VERSION)
    out += string("torch " + torch.__version__)
    out += struct.pack("<5d", LR, BETAS[0], BETAS[1], EPS, WEIGHT_DECAY)
    out += struct.pack("<ii", WARMUP_STEPS, TOTAL_STEPS)
    out += struct.pack("<i", len(cases))
    for name, seed, max_grad_norm in cases:
        initial, steps = run_case(seed, max_grad_norm)
        if max_grad_norm > 0:
            clipped = sum(1 for _, norm, _, _ in steps if norm > max_grad_norm)
            if not 0 < clipped < len(steps):
                sys.exit(f"case {name}: {clipped} of {len(steps)} steps clipped; choose another max norm")
        out += string(name)
        out += struct.pack("<d", max_grad_norm)
        out += struct.pack("<ii", len(steps), len(TENSORS))
        for tensor_name, shape, _ in TENSORS:
            out += string(tensor_name)
            out += struct.pack("<i", len(shape)) + struct.pack(f"<{len(shape)}i", *shape)
        out += floats(initial)
        for lr, norm, grads, after in steps:
            out += struct.pack("<dd", lr, norm)
            out += floats(grads)
            out += floats(after)
    path = os.path.normpath(OUTPUT)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(out)
    os.replace(tmp, path)
    print(f"wrote {path} ({len(out)} bytes, torch {torch.__version__})")


if __name__ == "__main__":
    main()
