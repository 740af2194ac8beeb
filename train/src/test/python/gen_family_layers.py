"""Writes one decoder layer of tiny random Llama, Qwen2, Qwen3 and Gemma 3 models, as transformers runs it.

For each family: a 2-layer model of hidden size 32 (4 query heads, 2 key/value heads, head size 8,
MLP 64, vocabulary 50) with random weights, and one batch of 7 tokens. The safetensors file holds
layer 0's weights under their Hugging Face names (dtype float32), the layer's input (the embeddings,
scaled by sqrt(hidden) for Gemma) as "input" (1, 7, 32) and its output as "output"; the metadata
holds the config. FamilyLayerTest composes the project's kernels into the same layer and matches it.

    v/bin/python train/src/test/python/gen_family_layers.py train/src/test/resources/families
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, Gemma3TextConfig, LlamaConfig, Qwen2Config, Qwen3Config

COMMON = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
              head_dim=8, vocab_size=50, max_position_embeddings=64, rms_norm_eps=1e-6, tie_word_embeddings=True)

FAMILIES = {
    "llama": LlamaConfig(**COMMON, rope_theta=10000.0),
    "qwen2": Qwen2Config(**COMMON, rope_theta=10000.0),
    "qwen3": Qwen3Config(**COMMON, rope_theta=10000.0),
    "gemma3": Gemma3TextConfig(**COMMON, rope_theta=1000000.0, rope_local_base_freq=10000.0, sliding_window=4,
                               query_pre_attn_scalar=16, layer_types=["sliding_attention", "full_attention"]),
}


def main(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    for name, cfg in FAMILIES.items():
        cfg._attn_implementation = "eager"
        model = AutoModelForCausalLM.from_config(cfg).eval()
        with torch.no_grad():
            for p in model.parameters():
                p.normal_(0, 0.3)
        ids = torch.randint(0, cfg.vocab_size, (1, 7))
        with torch.no_grad():
            hidden = model(ids, output_hidden_states=True).hidden_states
        tensors = {k[len("model.layers.0."):]: v.detach().contiguous()
                   for k, v in model.state_dict().items() if k.startswith("model.layers.0.")}
        tensors["input"] = hidden[0].contiguous()
        tensors["output"] = hidden[1].contiguous()
        # the layer's backward: gradients of sum(output * upstream) for a random upstream gradient
        layer = model.model.layers[0]
        x = hidden[0].clone().requires_grad_(True)
        position_ids = torch.arange(ids.shape[1])[None]
        rotary = model.model.rotary_emb
        layer_type = getattr(cfg, "layer_types", ["full_attention"])[0]
        try:
            cos_sin = rotary(x, position_ids, layer_type) if name == "gemma3" else rotary(x, position_ids)
        except TypeError:
            cos_sin = rotary(x, position_ids)
        t = ids.shape[1]
        mask = torch.full((t, t), float("-inf")).triu(1)
        if name == "gemma3":
            window = cfg.sliding_window
            for q in range(t):
                for k in range(t):
                    if q - k >= window:
                        mask[q, k] = float("-inf")
        out = layer(x, attention_mask=mask[None, None], position_ids=position_ids, position_embeddings=cos_sin)
        out = out[0] if isinstance(out, tuple) else out
        upstream = torch.randn_like(out)
        model.zero_grad()
        (out * upstream).sum().backward()
        tensors["forward_check"] = out.detach().contiguous()
        tensors["upstream"] = upstream.contiguous()
        tensors["grad.input"] = x.grad.contiguous()
        for k, p in layer.named_parameters():
            tensors["grad." + k] = p.grad.detach().contiguous()
        meta = {"config": json.dumps(cfg.to_diff_dict() | {"model_type": cfg.model_type}),
                "generator": "train/src/test/python/gen_family_layers.py",
                "torch": torch.__version__, "transformers": transformers.__version__}
        save_file(tensors, os.path.join(out_dir, name + "-layer0.safetensors"), metadata=meta)
        print(name, sorted(k for k in tensors))


if __name__ == "__main__":
    main(sys.argv[1])
