"""Loads the character tokenizer the trainer writes with transformers' AutoTokenizer and checks its ids.

    java -cp cli/target/casino.jar:train/target/test-classes --add-modules=jdk.incubator.vector \
        --add-opens=java.base/java.nio=ALL-UNNAMED org.rlcasino.train.task.SaveCharTokenizer /tmp/chartok
    v/bin/python train/src/test/python/check_char_tokenizer.py /tmp/chartok
    java ... org.rlcasino.train.task.SaveCharTokenizer --load /tmp/chartok/resaved

SaveCharTokenizer writes ROOT/tokenizer/ (CharTokenizer.save: tokenizer.json and tokenizer_config.json),
ROOT/gpt2/ (a tiny GPT-2 directory saved as the trainer saves a model) and ROOT/expected.json (texts with
the ids CharTokenizer.encode gives them). For both directories this script checks, with AutoTokenizer and
with the `tokenizers` library alone, that every text encodes to the Java ids (with and without special
tokens: the tokenizer adds none), that decode gives the text back (also after an end token, skipped as
special), and the special tokens; it loads ROOT/gpt2 with AutoModelForCausalLM and runs the encoded text
through it. It then rewrites the tokenizer with save_pretrained into ROOT/resaved for the Java side to read
back (--load). Exits non-zero on any mismatch.
"""
import json
import os
import sys

import tokenizers
import transformers
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, AutoTokenizer


def main(root):
    expected = json.load(open(os.path.join(root, "expected.json")))
    end, end_id = expected["end_token"], expected["end_id"]
    cases = expected["cases"]
    print(f"transformers {transformers.__version__}, tokenizers {tokenizers.__version__}")
    failures = []

    def check(what, got, want):
        if got != want:
            failures.append(f"{what}: got {got!r}, expected {want!r}")

    for name in ("tokenizer", "gpt2"):
        path = os.path.join(root, name)
        tok = AutoTokenizer.from_pretrained(path)
        raw = Tokenizer.from_file(os.path.join(path, "tokenizer.json"))
        check(f"{name}: eos_token", (tok.eos_token, tok.eos_token_id), (end, end_id))
        check(f"{name}: bos/pad/unk ids", (tok.bos_token_id, tok.pad_token_id, tok.unk_token_id), (end_id,) * 3)
        vocab_size = 1 + len(cases[4]["text"])
        check(f"{name}: len(tokenizer)", len(tok), vocab_size)
        for c in cases:
            text, ids = c["text"], c["ids"]
            check(f"{name}: encode({text!r}, add_special_tokens=False)", tok.encode(text, add_special_tokens=False), ids)
            check(f"{name}: tokenizer({text!r}).input_ids", tok(text)["input_ids"], ids)
            check(f"{name}: tokenizers encode({text!r}).ids", raw.encode(text).ids, ids)
            check(f"{name}: tokens of {text!r}", tok.convert_ids_to_tokens(ids), list(text))
            check(f"{name}: decode({ids})", tok.decode(ids), text)
            check(f"{name}: decode({ids + [end_id]}, skip_special_tokens=True)", tok.decode(ids + [end_id], skip_special_tokens=True), text)
            check(f"{name}: tokenizers decode({ids})", raw.decode(ids), text)
        print(f"{name}: {type(tok).__name__} loaded; {len(cases)} texts checked "
              f"(e.g. {cases[0]['text']!r} -> {tok.encode(cases[0]['text'], add_special_tokens=False)})")

    model = AutoModelForCausalLM.from_pretrained(os.path.join(root, "gpt2"))
    tok = AutoTokenizer.from_pretrained(os.path.join(root, "gpt2"))
    check("gpt2: config.vocab_size", model.config.vocab_size, len(tok))
    check("gpt2: config.eos_token_id", model.config.eos_token_id, tok.eos_token_id)
    batch = tok(["12+34=", "s31"], padding=True, return_tensors="pt")
    check("gpt2: padded batch", batch["input_ids"].tolist(), [cases[0]["ids"], [14, 4, 2, end_id, end_id, end_id]])
    logits = model(**batch).logits
    check("gpt2: logits shape", tuple(logits.shape), (2, 6, len(tok)))
    print(f"gpt2: {type(model).__name__} runs the tokenizer's padded batch, logits {tuple(logits.shape)}")

    resaved = os.path.join(root, "resaved")
    tok.save_pretrained(resaved)
    print(f"resaved with save_pretrained into {resaved} (read it back with SaveCharTokenizer --load {resaved})")

    for f in failures:
        print("MISMATCH " + f)
    print("OK" if not failures else f"{len(failures)} mismatches")
    sys.exit(0 if not failures else 1)


if __name__ == "__main__":
    main(sys.argv[1])
