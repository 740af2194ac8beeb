"""Times torch.optim.AdamW on CPU for `casino bench optimizer --vs-torch`.

Same parameter count, tensor shapes and thread count as the Java benchmark; prints one JSON
object on stdout. Run by the benchmark with /usr/bin/python3; needs torch (Debian python3-torch).
"""
import argparse
import json
import statistics
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", required=True, help="comma-separated RxC or N shapes")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    shapes = [tuple(int(d) for d in s.split("x")) for s in args.shapes.split(",")]
    params = [torch.nn.Parameter(torch.randn(s) * 0.02) for s in shapes]
    for p in params:
        p.grad = torch.randn_like(p) * 1e-3
    n = sum(p.numel() for p in params)
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "params": n}
    for foreach in (False, True):
        opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=1e-2, foreach=foreach)
        times = []
        for r in range(args.warmup + args.repeats):
            t0 = time.perf_counter()
            opt.step()
            t1 = time.perf_counter()
            if r >= args.warmup:
                times.append(t1 - t0)
        key = "foreach" if foreach else "for_loop"
        result[key] = {"median_ms": statistics.median(times) * 1e3,
                       "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3}
        del opt
    print(json.dumps(result))


if __name__ == "__main__":
    main()
