"""Writes the rotary-embedding reference of RotaryKernelsTransformersTest from Hugging Face transformers.

For three schedules -- the default (theta 10000), Llama 3.1's rope_scaling "llama3" (theta 500000,
factor 8, low/high frequency factors 1/4, original context 8192) and Gemma 3's global layers'
"linear" scaling (theta 1e6, factor 8) -- it records transformers' inverse frequencies and the cos/sin
of its rotary embedding module at a few positions (the first half of each row: transformers repeats
it for the rotate-half layout). Run with a Python that has torch and transformers (>= 4.50):

    python kernels/src/test/python/gen_rope_reference.py kernels/src/test/resources/rope/reference.json
"""
import json
import sys

import torch
import transformers
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

POSITIONS = [0, 1, 5, 63, 1000, 8191, 30000]

CASES = [
    ("default", 16, 10000.0, None),
    ("llama3", 64, 500000.0, {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                              "original_max_position_embeddings": 8192}),
    ("linear", 32, 1000000.0, {"rope_type": "linear", "factor": 8.0}),
]


def main(out):
    cases = []
    for name, head_dim, theta, scaling in CASES:
        cfg = LlamaConfig(hidden_size=head_dim * 2, num_attention_heads=2, head_dim=head_dim,
                          max_position_embeddings=131072, rope_theta=theta, rope_scaling=scaling)
        emb = LlamaRotaryEmbedding(cfg)
        pos = torch.tensor([POSITIONS])
        cos, sin = emb(torch.zeros(1, len(POSITIONS), head_dim), pos)
        half = head_dim // 2
        cases.append({
            "name": name, "head_dim": head_dim, "theta": theta, "scaling": scaling,
            "inv_freq": emb.inv_freq.tolist(),
            "attention_scaling": float(emb.attention_scaling),
            "positions": POSITIONS,
            "cos": cos[0, :, :half].tolist(), "sin": sin[0, :, :half].tolist(),
        })
    with open(out, "w") as f:
        json.dump({"generator": "kernels/src/test/python/gen_rope_reference.py", "torch": torch.__version__,
                   "transformers": transformers.__version__, "cases": cases}, f)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
