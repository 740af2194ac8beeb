"""Golden ids for the Java tokenizer, from Hugging Face `tokenizers` (the Rust library's Python binding).

For every line of tokenizers/src/test/resources/tokenizer/corpus.jsonl and every tokenizer it writes
golden-<name>.json next to the corpus: the ids of encode(text) (special tokens added by the
post-processor), of encode(text, add_special_tokens=False), decode(ids, skip_special_tokens=False)
and decode(ids, skip_special_tokens=True), and whether decode(encode(text)) gives the text back.

Tokenizers:
  (a) trained here on the corpus and generated text, written as trained-<name>.json (committed; an
      existing file is kept, since tokenizers' trainers are not deterministic for every model, unless
      --retrain is given):
      gpt2 (byte-level BPE as GPT-2), llama3 (Split regex + ByteLevel, ignore_merges, BOS template),
      spm (SentencePiece-style as Llama 2: Prepend+Replace normalizers, byte_fallback, unk, Strip
      decoder), misc (NFKC+Lowercase+Replace regex, Digits+Metaspace, unk with fuse_unk,
      continuing_subword_prefix/end_of_word_suffix, Metaspace decoder, Bert-like template) and
      wordlevel (WordLevel, NFD, Split behaviours).
  (b) the real GPT-2, Llama 3, Qwen 3 and Gemma 3 tokenizers in .cache/tokenizers/ (scripts/fetch-tokenizers.sh),
      when present.

Lone surrogates in the corpus cannot reach the Rust library (a Python str with one is refused); the
Java tokenizer encodes them as U+FFFD, so the goldens are computed on the text with each lone
surrogate replaced by U+FFFD.

    scripts/fetch-tokenizers.sh && /path/to/python tokenizers/src/test/python/tokenizer_golden.py [--retrain]
Needs: tokenizers 0.23 (tested with 0.23.2).
"""
import json
import pathlib
import random
import sys

import tokenizers
from tokenizers import (AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers,
                        processors, trainers)

HERE = pathlib.Path(__file__).resolve()
RES = HERE.parents[1] / "resources" / "tokenizer"
ROOT = HERE.parents[4]
CACHE = ROOT / ".cache" / "tokenizers"

LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def corpus():
    with open(RES / "corpus.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def without_lone_surrogates(s):
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def training_text(lines):
    rng = random.Random(7)
    words = ("alpha beta gamma delta epsilon sparse dense mask reward policy gradient token model casino "
             "winning learning rate schedule optimizer adamw momentum fisher magnitude jaccard").split()
    out = list(lines) * 3
    for _ in range(3000):
        out.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 30))))
    return out


def train_gpt2(text):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=1500, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(text, trainer)
    tok.add_tokens([AddedToken("<mask>", lstrip=True, special=False, normalized=False),
                    AddedToken("hello world", single_word=True, normalized=True)])
    return tok


def train_llama3(text):
    tok = Tokenizer(models.BPE(ignore_merges=True))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_REGEX), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
    trainer = trainers.BpeTrainer(vocab_size=2000, special_tokens=specials,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(text, trainer)
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(trim_offsets=False),
        processors.TemplateProcessing(single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B:1",
                                      special_tokens=[("<|begin_of_text|>", bos)])])
    # a vocabulary entry that is also a whole pre-token exercises ignore_merges
    return tok


def train_spm(text):
    specials = ["<unk>", "<s>", "</s>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    tok.normalizer = normalizers.Sequence([normalizers.Prepend("\u2581"), normalizers.Replace(" ", "\u2581")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="never")
    trainer = trainers.BpeTrainer(vocab_size=1200, special_tokens=specials, limit_alphabet=120, show_progress=False)
    tok.train_from_iterator(text, trainer)
    # SentencePiece keeps the 256 byte pieces <0x00>..<0xFF> in the vocabulary, right after the specials
    spec = json.loads(tok.to_str())
    old = spec["model"]["vocab"]
    vocab = {t: i for i, t in enumerate(specials)}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for t, _ in sorted(old.items(), key=lambda kv: kv[1]):
        if t not in vocab:
            vocab[t] = len(vocab)
    spec["model"]["vocab"] = vocab
    for a in spec["added_tokens"]:
        a["id"] = vocab[a["content"]]
    spec["pre_tokenizer"] = None
    spec["decoder"] = json.loads(decoders.Sequence([
        decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse(),
        decoders.Strip(content=" ", left=1, right=0)]).__getstate__())
    spec["post_processor"] = json.loads(processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A $B", special_tokens=[("<s>", vocab["<s>"])]).__getstate__())
    tok = Tokenizer.from_str(json.dumps(spec))
    tok.add_tokens([AddedToken("<mask>", rstrip=True, lstrip=True, special=True, normalized=False)])
    return tok


def train_misc(text):
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True, continuing_subword_prefix="##",
                               end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(),
                                           normalizers.Replace(Regex(r"[\t ]{2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.Split(Regex(r"\p{P}+"), behavior="merged_with_next"),
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first", split=True)])
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="first")
    trainer = trainers.BpeTrainer(vocab_size=1200, special_tokens=["<unk>", "[CLS]", "[SEP]"], limit_alphabet=90,
                                  continuing_subword_prefix="##", end_of_word_suffix="</w>", show_progress=False)
    tok.train_from_iterator(text, trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", tok.token_to_id("[CLS]")), ("[SEP]", tok.token_to_id("[SEP]"))])
    tok.add_tokens([AddedToken("Hello World", normalized=True, special=False),
                    AddedToken("<think>", rstrip=True, special=False, normalized=False),
                    AddedToken("and", single_word=True, normalized=True, special=False)])
    tok.add_special_tokens([AddedToken("<|im_start|>", special=True), AddedToken("<|im_end|>", special=True)])
    return tok


def train_wordlevel(text):
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.normalizer = normalizers.Sequence([normalizers.NFD(), normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(" ", behavior="removed"),
        pre_tokenizers.Split(Regex(r"\p{L}+"), behavior="contiguous", invert=True),
        pre_tokenizers.Split(Regex(r"[.,!?]"), behavior="merged_with_previous")])
    trainer = trainers.WordLevelTrainer(vocab_size=800, special_tokens=["[UNK]", "[BOS]"], show_progress=False)
    tok.train_from_iterator(text, trainer)
    tok.post_processor = processors.TemplateProcessing(single="[BOS] $A", special_tokens=[("[BOS]", 1)])
    return tok


TRAINED = {"gpt2": train_gpt2, "llama3": train_llama3, "spm": train_spm, "misc": train_misc, "wordlevel": train_wordlevel}


def golden(tok, lines):
    out = []
    for text in lines:
        t = without_lone_surrogates(text)
        ids = tok.encode(t).ids
        plain = tok.encode(t, add_special_tokens=False).ids
        out.append({"ids": ids, "ids_plain": plain,
                    "decoded": tok.decode(ids, skip_special_tokens=False),
                    "decoded_skip": tok.decode(ids, skip_special_tokens=True),
                    "round_trip": tok.decode(plain, skip_special_tokens=False) == t})
    return out


def write(name, tok, lines, source):
    data = {"tokenizer": source, "tokenizers_version": tokenizers.__version__, "lines": golden(tok, lines)}
    path = RES / f"golden-{name}.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")
    print(f"{path.name}: {len(lines)} lines, {sum(len(l['ids']) for l in data['lines'])} ids, "
          f"{sum(l['round_trip'] for l in data['lines'])} round trips")


RETRAIN = "--retrain" in sys.argv


def main():
    lines = corpus()
    text = training_text([without_lone_surrogates(l) for l in lines])
    for name, train in TRAINED.items():
        path = RES / f"trained-{name}.json"
        if RETRAIN or not path.exists():  # tokenizers' trainers are not deterministic for every model: keep the committed ones
            train(text).save(str(path), pretty=False)
        tok = Tokenizer.from_file(str(path))
        write("trained-" + name, tok, lines, f"trained-{name}.json")
    for name in ["gpt2", "llama3", "qwen3", "gemma3"]:
        path = CACHE / name / "tokenizer.json"
        if not path.exists():
            print(f"{path} missing: run scripts/fetch-tokenizers.sh first; skipping {name}", file=sys.stderr)
            continue
        write(name, Tokenizer.from_file(str(path)), lines, f".cache/tokenizers/{name}/tokenizer.json")


if __name__ == "__main__":
    main()
