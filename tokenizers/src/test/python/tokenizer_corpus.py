"""Writes tokenizers/src/test/resources/tokenizer/corpus.jsonl: one JSON string per line, the texts the
Java tokenizer must encode to Hugging Face tokenizers' ids. Deterministic (fixed seed); rerun only to
change the corpus, then rerun tokenizer_golden.py.

    python3 tokenizers/src/test/python/tokenizer_corpus.py
"""
import json
import pathlib
import random

OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "tokenizer" / "corpus.jsonl"

HANDWRITTEN = [
    # English prose
    "The quick brown fox jumps over the lazy dog.",
    "It's a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
    "She'd said they'll come, but we've waited; I'm sure you're right, and he's wrong.",
    "SHE'D SAID THEY'LL COME. I'M SURE YOU'RE RIGHT. It'S ThE 'Ll 'Ve 'D case.",
    "Dr. Smith (the one from St. Louis) paid $1,234.56 — roughly 20% more — on 2024-03-15 at 10:45pm.",
    "\"Quotes,\" 'single quotes', «guillemets», „Anführungszeichen“ and ‘curly’ ones.",
    "Ellipsis… em—dash – en dash - hyphen; semi: colon! bang? interrobang‽",
    "   leading spaces and trailing spaces   ",
    "",
    " ",
    "a",
    "Hello world",
    " Hello world",
    "Hello  world",
    "hello\nworld",
    "hello\r\nworld\r\n",
    "line one\n\nline three\n\n\n\nline seven",
    "\t\ttabbed\tcolumns\tand\t\ttabs\t",
    "trailing newline\n",
    "\n\n\n",
    " \n \n \t \n",
    "a" + " " * 40 + "b",
    " " * 100,
    "word" + "\t" * 7 + "word" + "\n" * 9 + "end",
    "x" + " \u00a0 \u2003\u2009 \u3000 " + "y",
    # code
    "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
    "for (int i = 0; i < n; i++) {\n\tsum += a[i] * b[i];\n}",
    "public static void main(String[] args) { System.out.println(\"Hello, \" + args[0]); }",
    "SELECT id, name FROM users WHERE age >= 18 AND name LIKE '%son' ORDER BY id DESC;",
    "<div class=\"container\"><p>Some <b>bold</b> &amp; <i>italic</i> text.</p></div>",
    "{\"key\": [1, 2, 3], \"nested\": {\"a\": null, \"b\": true, \"c\": -0.5e-10}}",
    "x = lambda a, b: (a ** 2 + b ** 2) ** 0.5  # hypotenuse",
    "if (x != y && z == w || !flag) return ~mask >> 3 << 2 ^ 0xFF;",
    "    indented(4)\n        indented(8)\n            indented(12)",
    "https://example.com/path/to/page?query=1&other=two#anchor",
    "user@example.org, admin+tag@sub.domain.co.uk",
    "C:\\Users\\name\\Documents\\file.txt",
    "$ git commit -m \"fix: don't crash\" && ./gradlew build --no-daemon",
    # digits
    "0",
    "1234567890",
    "3.14159265358979323846264338327950288419716939937510",
    "Call 555-0123 or +1 (800) 555-0199 ext. 42.",
    "12345 678901 2 34 5678 90000000000000000001",
    "Numbers: ١٢٣٤٥ (Arabic-Indic), ۱۲۳ (Persian), १२३ (Devanagari), ①②③, ½ ¾ ², Ⅻ.",
    "37+45=82, 100-7=93, 12*12=144, 81/9=9",
    # CJK
    "你好，世界！今天天气很好。我们去公园散步吧。",
    "東京は日本の首都です。ひらがな、カタカナ、漢字を混ぜて書きます。",
    "한국어 문장도 포함합니다. 안녕하세요!",
    "中文English混合text测试123数字",
    "ｆｕｌｌｗｉｄｔｈ　ＡＢＣ　１２３　！？",
    "半角ｶﾀｶﾅ and ㍿ ㌔ ㎏ compatibility characters",
    # Arabic, Hebrew, other scripts
    "مرحبا بالعالم! هذه جملة باللغة العربية.",
    "السلام عليكم ورحمة الله وبركاته",
    "שלום עולם, זה משפט בעברית.",
    "Привет, мир! Это предложение на русском языке.",
    "Γειά σου Κόσμε! ΟΔΥΣΣΕΥΣ ὀδυσσεύς ς σ Σ",
    "नमस्ते दुनिया, यह हिंदी में एक वाक्य है।",
    "สวัสดีชาวโลก ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    "Tiếng Việt có nhiều dấu: ắ ằ ẳ ẵ ặ ế ề ể ễ ệ",
    "İstanbul ıi İI ß ẞ ﬁ ﬂ ſ K Å",
    # emoji and ZWJ sequences
    "I love 🍕 and 🍣! 😀😃😄😁",
    "Family: 👨‍👩‍👧‍👦, couple: 👩‍❤️‍👨, flags: 🇫🇷🇯🇵🇺🇸, skin: 👍🏽👋🏿",
    "🏳️‍🌈 🏴‍☠️ 🧑‍💻 ❤️ ☺️ ✔︎ #️⃣ 1️⃣",
    "🤖🤖🤖🤖🤖🤖🤖🤖🤖🤖🤖🤖🤖🤖🤖🤖",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 𝒜𝒷𝒸 and 𠀀𠀁 (supplementary CJK)",
    # combining characters (NFC / NFKC / NFD differ)
    "e\u0301 vs \u00e9; a\u0308 vs \u00e4; n\u0303 vs \u00f1",
    "Cafe\u0301 re\u0301sume\u0301 nai\u0308ve",
    "A\u030a\u0323 \u212b \u1e0b\u0323 q\u0307\u0323",
    "\u0915\u093c \u0958 \u1100\u1161\u11a8 \uac01",
    "x\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308 stacked marks",
    "\ufb01nance \u2126 \u00c5ngstr\u00f6m \u2460 \u00bd \u33a1 \u2075",
    # special-token strings
    "<|begin_of_text|>Hello<|end_of_text|>",
    "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n4<|eot_id|>",
    "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    "<start_of_turn>user\nWrite a poem.<end_of_turn>\n<start_of_turn>model\nRoses are red<end_of_turn>",
    "<bos><bos>text<eos> <pad> <unk> <mask>",
    "<|endoftext|>",
    "before<|endoftext|>after <|endoftext|> spaced",
    "<|begin_of_text |> <|im_start |> <start_of_turn > almost special tokens",
    "<think>\nreasoning\n</think>\n\nanswer",
    "<s>[INST] Hi [/INST] Hello</s>",
    "a<mask>b <mask> c  <mask>  d",
    "hello world and helloworld and hello worlds",
    # byte-level edge cases
    "\u0000\u0001\u0002\u001f\u007f control characters",
    "\u200b zero\u200bwidth\u200c joiner\u200d and \ufeff BOM",
    "\ufffd replacement character \ufffd\ufffd",
    "\u2028 line separator \u2029 paragraph separator \u0085 next line",
    "\u000b vertical tab \u000c form feed",
    # lone surrogates (invalid UTF-16): encoded as U+FFFD
    "lone high \ud800 surrogate",
    "lone low \udc00 surrogate and \ud83d\ude00 a pair",
    "\udfff",
    "reversed pair \ude00\ud83d end",
]

WORDS = ("the of and to in is was that for on with as by at from this be are or an it not but have had "
         "model token train gradient sparse mask weight delta reward policy value loss batch step layer "
         "attention head embedding vocabulary casino paper method result figure table").split()


def generated(rng):
    lines = []
    for _ in range(40):
        n = rng.randint(3, 40)
        parts = []
        for _ in range(n):
            r = rng.random()
            if r < 0.75:
                w = rng.choice(WORDS)
                parts.append(w.capitalize() if rng.random() < 0.15 else w)
            elif r < 0.85:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 8))))
            elif r < 0.92:
                parts.append(rng.choice([",", ".", ";", ":", "!", "?", "(", ")", "'s", "'ll", "--", "\"", "..."]))
            else:
                parts.append(rng.choice(["你好", "世界", "مرحبا", "🙂", "é", "naïve", "über", "\t", "\n", "  "]))
        lines.append(" ".join(parts))
    # a long line, so that the benchmark and the cache see long pre-tokens too
    lines.append(" ".join(rng.choice(WORDS) for _ in range(400)))
    lines.append("".join(rng.choice(WORDS) for _ in range(60)))
    return lines


def main():
    rng = random.Random(18)
    lines = HANDWRITTEN + generated(rng)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            # ensure_ascii keeps lone surrogates writable (as \\udXXX escapes)
            f.write(json.dumps(line, ensure_ascii=True) + "\n")
    print(f"{OUT}: {len(lines)} lines")


if __name__ == "__main__":
    main()
