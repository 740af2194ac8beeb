"""Hugging Face tokenizers' single-thread encode throughput on the corpus, next to which
`casino tokenize --bench` reports the Java tokenizer's (docs/tokenizers.md).

Writes the corpus as plain text lines (a text's own newlines start new lines) to
target/tokenizer-bench.txt, then encodes those lines with encode_batch on one thread
(RAYON_NUM_THREADS=1) for about 5 s after a warm-up, like the Java benchmark.

    python3 tokenizers/src/test/python/tokenizer_bench.py TOKENIZER_JSON [TOKENIZER_JSON ...]
"""
import json
import os
import pathlib
import sys
import time

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
from tokenizers import Tokenizer  # noqa: E402 (after the thread settings)

HERE = pathlib.Path(__file__).resolve()
CORPUS = HERE.parents[1] / "resources" / "tokenizer" / "corpus.jsonl"
OUT = HERE.parents[3] / "target" / "tokenizer-bench.txt"


def bench_text():
    texts = [json.loads(l) for l in CORPUS.read_text(encoding="utf-8").splitlines()]
    text = "\n".join(t.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace") for t in texts)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return OUT.read_text(encoding="utf-8").split("\n")[:-1]  # the lines Java's readLine sees


def main():
    lines = bench_text()
    size = sum(len(l.encode("utf-8")) for l in lines)
    for path in sys.argv[1:]:
        tok = Tokenizer.from_file(path)
        end = time.perf_counter() + 1
        while time.perf_counter() < end:
            tok.encode_batch(lines, add_special_tokens=False)
        start = time.perf_counter()
        passes = 0
        tokens = 0
        while True:
            tokens += sum(len(e.ids) for e in tok.encode_batch(lines, add_special_tokens=False))
            passes += 1
            now = time.perf_counter()
            if now - start >= 5:
                break
        s = now - start
        print(f"{path}: {size * passes / s / 1e6:.2f} MB/s, {tokens / s:.0f} tokens/s ({size} bytes x {passes} passes, 1 thread)")
    print(f"input: {OUT}")


if __name__ == "__main__":
    main()
