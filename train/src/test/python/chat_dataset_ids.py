"""Expected token ids of the committed chat datasets, as TRL 1.13's DPOTrainer tokenizes conversational rows.

For the first 12 rows of data/chat/arithmetic-preferences.jsonl and data/chat/arithmetic-prompts.jsonl, with the
tokenizer and chat template of data/chat/tiny-llama (AutoTokenizer):
  prompt_ids   = apply_chat_template(prompt, add_generation_prompt=True)                     (tokenize=True)
  chosen_ids   = apply_chat_template(prompt + chosen)[len(prompt_ids):]                      (DPOTrainer.tokenize_fn)
  rejected_ids = apply_chat_template(prompt + rejected)[len(prompt_ids):]
  answer_ids   = apply_chat_template(prompt + [assistant: answer])[len(prompt_ids):]          (prompt rows)
Writes train/src/test/resources/data/chat-dataset-ids.json; the Java test compares DatasetEncoder's ids with them.

    /work/torchvenv/bin/python train/src/test/python/chat_dataset_ids.py
Needs transformers 5 (tested with 5.18.0); no network.
"""
import json
import pathlib

from transformers import AutoTokenizer

ROOT = pathlib.Path(__file__).resolve().parents[4]
CHAT = ROOT / "data" / "chat"
OUT = ROOT / "train" / "src" / "test" / "resources" / "data" / "chat-dataset-ids.json"
ROWS = 12


def ids(tokenizer, messages, generation_prompt=False):
    return tokenizer.apply_chat_template(messages, add_generation_prompt=generation_prompt, tokenize=True, return_dict=True)["input_ids"]


def split(tokenizer, prompt, reply):
    start = ids(tokenizer, prompt, True)
    full = ids(tokenizer, prompt + reply)
    assert full[:len(start)] == start
    return start, full[len(start):]


def first(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f][:ROWS]


def main():
    tokenizer = AutoTokenizer.from_pretrained(str(CHAT / "tiny-llama"))
    preferences = []
    for row in first(CHAT / "arithmetic-preferences.jsonl"):
        prompt, chosen = split(tokenizer, row["prompt"], row["chosen"])
        _, rejected = split(tokenizer, row["prompt"], row["rejected"])
        preferences.append({"prompt_ids": prompt, "chosen_ids": chosen, "rejected_ids": rejected})
    prompts = []
    for row in first(CHAT / "arithmetic-prompts.jsonl"):
        prompt, answer = split(tokenizer, row["prompt"], [{"role": "assistant", "content": row["answer"]}])
        prompts.append({"prompt_ids": prompt, "answer_ids": answer})
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump({"preferences": preferences, "prompts": prompts}, f)
        f.write("\n")
    print(f"{OUT}: {len(preferences)} preference rows, {len(prompts)} prompt rows")


if __name__ == "__main__":
    main()
