"""Writes the committed chat datasets and the tiny Llama-family model configuration of chat-dpo.json.

    /work/torchvenv/bin/python data/chat/make_chat_data.py

Deterministic (seeded; no network). Writes, next to this script:
  arithmetic-prompts.jsonl       400 prompt rows for GRPO: {"prompt": [messages], "answer": "<sum>"}
  arithmetic-preferences.jsonl   400 preference rows for DPO: {"prompt": [messages], "chosen": [assistant],
                                 "rejected": [assistant]} (chosen: the sum; rejected: a near miss)
  tiny-llama/                    a Llama-family model *configuration* without weights (model.config in a run-config
                                 builds it with seeded random weights): config.json, generation_config.json,
                                 tokenizer.json (byte-level BPE trained here on the datasets' text),
                                 tokenizer_config.json (special tokens and a Llama-3-style chat template written for
                                 the project)

The problems: a + b for every a, b in [0, 20), one row each, phrased in one of several ways, a fifth of
them with a system message. Checks, with transformers: AutoTokenizer loads tiny-llama/, its
apply_chat_template renders the first rows as the template intends, and AutoModelForCausalLM.from_config
builds the model. Needs tokenizers 0.23 and transformers 5 (tested with 0.23.2 and 5.18.0).
"""
import json
import pathlib
import random

from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

HERE = pathlib.Path(__file__).resolve().parent
MODEL = HERE / "tiny-llama"
SEED = 2026

BOS, EOS, START, END, EOT, PAD = ("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                                  "<|eot_id|>", "<|pad|>")
SPECIALS = [BOS, EOS, START, END, EOT, PAD]

# Written for this project: one header per message, the content trimmed, each turn closed by <|eot_id|>.
CHAT_TEMPLATE = (
    "{%- for message in messages %}\n"
    "{%- if loop.first %}{{ bos_token }}{% endif %}\n"
    "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}\n"
    "{{- message['content'] | trim }}{{ '<|eot_id|>' }}\n"
    "{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n"
    "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}\n"
    "{%- endif %}\n"
)

SYSTEM = ["You are a careful calculator.", "Answer with a number only.", "You add numbers."]
PHRASINGS = ["What is {a} + {b}?", "Compute {a} plus {b}.", "Add {a} and {b}.", "{a} + {b} = ?", "What do you get when you add {b} to {a}?"]


def conversation(rng, a, b):
    messages = []
    if rng.random() < 0.2:
        messages.append({"role": "system", "content": rng.choice(SYSTEM)})
    messages.append({"role": "user", "content": rng.choice(PHRASINGS).format(a=a, b=b)})
    return messages


def near_miss(rng, total):
    while True:
        wrong = total + rng.choice([-10, -2, -1, 1, 2, 10])
        if wrong >= 0:
            return wrong


def rows():
    rng = random.Random(SEED)
    problems = [(a, b) for a in range(20) for b in range(20)]
    prompts, preferences = [], []
    for a, b in problems:
        prompts.append({"prompt": conversation(rng, a, b), "answer": str(a + b)})
    for a, b in problems:
        total = a + b
        preferences.append({"prompt": conversation(rng, a, b),
                            "chosen": [{"role": "assistant", "content": str(total)}],
                            "rejected": [{"role": "assistant", "content": str(near_miss(rng, total))}]})
    rng.shuffle(prompts)
    rng.shuffle(preferences)
    return prompts, preferences


def write_jsonl(path, items):
    with open(path, "w", encoding="utf-8") as f:
        for item in items:
            f.write(json.dumps(item, ensure_ascii=False) + "\n")


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=2)
        f.write("\n")


def texts(prompts, preferences):
    for row in prompts:
        yield from (m["content"] for m in row["prompt"])
        yield row["answer"]
    for row in preferences:
        yield from (m["content"] for m in row["prompt"] + row["chosen"] + row["rejected"])
    yield from ["system", "user", "assistant", "\n\n"]


def train_tokenizer(corpus):
    tok = Tokenizer(models.BPE(byte_fallback=False, ignore_merges=True))
    # Llama 3's split: digits one to three at a time, words with their leading space, then byte-level
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                                   r"|\s*[\r\n]+|\s+(?!\S)|\s+"), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=384, special_tokens=SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(corpus, trainer)
    bos = tok.token_to_id(BOS)
    tok.post_processor = processors.TemplateProcessing(single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B", special_tokens=[(BOS, bos)])
    return tok


def main():
    prompts, preferences = rows()
    write_jsonl(HERE / "arithmetic-prompts.jsonl", prompts)
    write_jsonl(HERE / "arithmetic-preferences.jsonl", preferences)
    MODEL.mkdir(exist_ok=True)
    tok = train_tokenizer(list(texts(prompts, preferences)))
    tok.save(str(MODEL / "tokenizer.json"))
    ids = {t: tok.token_to_id(t) for t in SPECIALS}
    write_json(MODEL / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": BOS, "eos_token": EOT, "pad_token": PAD,
        "model_max_length": 64, "clean_up_tokenization_spaces": False, "chat_template": CHAT_TEMPLATE})
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 64, "intermediate_size": 176,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16,
        "vocab_size": tok.get_vocab_size(), "max_position_embeddings": 64, "rope_theta": 10000.0, "rms_norm_eps": 1e-5,
        "hidden_act": "silu", "attention_bias": False, "mlp_bias": False, "tie_word_embeddings": True,
        "initializer_range": 0.02, "bos_token_id": ids[BOS], "eos_token_id": ids[EOT], "pad_token_id": ids[PAD],
        "torch_dtype": "float32"}
    write_json(MODEL / "config.json", config)
    write_json(MODEL / "generation_config.json", {"bos_token_id": ids[BOS], "eos_token_id": [ids[EOT], ids[EOS]],
                                                  "pad_token_id": ids[PAD]})
    check(prompts, preferences)
    print(f"{len(prompts)} prompt rows, {len(preferences)} preference rows, vocabulary {tok.get_vocab_size()}")


def check(prompts, preferences):
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(MODEL))
    row = preferences[0]
    text = tokenizer.apply_chat_template(row["prompt"] + row["chosen"], tokenize=False)
    expected = BOS + "".join(f"{START}{m['role']}{END}\n\n{m['content'].strip()}{EOT}" for m in row["prompt"] + row["chosen"])
    assert text == expected, (text, expected)
    prompt = tokenizer.apply_chat_template(row["prompt"], tokenize=False, add_generation_prompt=True)
    assert prompt == expected[:-len(row["chosen"][0]["content"] + EOT)], prompt
    ids = tokenizer.apply_chat_template(prompts[0]["prompt"], add_generation_prompt=True, return_dict=False)
    assert ids[0] == tokenizer.bos_token_id and ids.count(tokenizer.bos_token_id) == 1, ids
    model = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(str(MODEL)))
    print(f"transformers {transformers.__version__}: {type(model).__name__} with "
          f"{sum(p.numel() for p in model.parameters())} parameters; prompt of {len(ids)} tokens")


if __name__ == "__main__":
    main()
