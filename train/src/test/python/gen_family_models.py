"""Writes tiny random Llama, Qwen2, Qwen3 and Gemma 3 models and transformers' logits for them.

Each family gets a directory <family>-model/ as save_pretrained writes it (config.json,
model.safetensors) and <family>-reference.safetensors beside it with two batches' "input_ids" (2, 9) and the "logits"
(2, 9, 50) transformers computes, and for random "targets" and "dlogp" the log-probs "logp" and every
parameter's gradient "grad.<name>" of sum(dlogp · logp), and greedy generation: "prompt_ids" (3, 5) and the
"generated_ids" (3, 37) of generate(do_sample=False, 32 new tokens), and every parameter after 5 steps of
torch.optim.AdamW (lr 1e-3, weight decay 0.01) on that loss, "adamw5.<name>"; DecoderModelTest loads the directory into the project's DecoderModel
and matches the logits. Variety: Llama with rope_scaling llama3, Qwen2 with q/k/v biases and an
untied head, Qwen3 with q/k norms, Gemma 3 with a sliding layer (window 4) and a full one, its local and
global rotary bases, query_pre_attn_scalar and scaled embeddings.

    v/bin/python train/src/test/python/gen_family_models.py train/src/test/resources/families
"""
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, Gemma3TextConfig, LlamaConfig, Qwen2Config, Qwen3Config

COMMON = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
              head_dim=8, vocab_size=50, rms_norm_eps=1e-6)

FAMILIES = {
    "llama": LlamaConfig(**COMMON, tie_word_embeddings=True, max_position_embeddings=131072, rope_theta=500000.0,
                         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                       "original_max_position_embeddings": 8192}),
    "qwen2": Qwen2Config(**COMMON, tie_word_embeddings=False, max_position_embeddings=64, rope_theta=10000.0),
    "qwen3": Qwen3Config(**COMMON, tie_word_embeddings=True, max_position_embeddings=64, rope_theta=1000000.0),
    "gemma3": Gemma3TextConfig(**COMMON, tie_word_embeddings=True, max_position_embeddings=64, rope_theta=1000000.0,
                               rope_local_base_freq=10000.0, sliding_window=4, query_pre_attn_scalar=16,
                               layer_types=["sliding_attention", "full_attention"]),
}


def main(out_dir):
    torch.manual_seed(1)
    for name, cfg in FAMILIES.items():
        cfg._attn_implementation = "eager"
        model = AutoModelForCausalLM.from_config(cfg).eval()
        with torch.no_grad():
            for p in model.parameters():
                p.normal_(0, 0.3)
        target = os.path.join(out_dir, name + "-model")
        model.save_pretrained(target, safe_serialization=True)
        ids = torch.randint(0, cfg.vocab_size, (2, 9))
        targets = torch.randint(0, cfg.vocab_size, (2, 9))
        dlogp = torch.randn(2, 9)
        logits = model(ids).logits
        logp = torch.log_softmax(logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
        (logp * dlogp).sum().backward()
        grads = {"grad." + k: p.grad.detach().contiguous() for k, p in model.named_parameters()}
        # five AdamW steps (torch defaults, lr 1e-3, weight decay 0.01) on the same loss, from the same weights
        trained = AutoModelForCausalLM.from_config(cfg).eval()
        trained.load_state_dict(model.state_dict())
        opt = torch.optim.AdamW(trained.parameters(), lr=1e-3, weight_decay=0.01, foreach=False)
        for _ in range(5):
            opt.zero_grad()
            lp = torch.log_softmax(trained(ids).logits, dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
            (lp * dlogp).sum().backward()
            opt.step()
        stepped = {"adamw5." + k: p.detach().contiguous() for k, p in trained.named_parameters()}
        prompts = torch.randint(0, cfg.vocab_size, (3, 5))
        with torch.no_grad():
            generated = model.generate(prompts, max_new_tokens=32, min_new_tokens=32, do_sample=False, eos_token_id=None,
                                       pad_token_id=0)
        save_file({"input_ids": ids.to(torch.int64).contiguous(), "logits": logits.detach().contiguous(),
                   "targets": targets.to(torch.int64).contiguous(), "dlogp": dlogp.contiguous(),
                   "logp": logp.detach().contiguous(), "prompt_ids": prompts.to(torch.int64).contiguous(),
                   "generated_ids": generated.to(torch.int64).contiguous(), **grads, **stepped},
                  os.path.join(out_dir, name + "-reference.safetensors"), metadata={"generator": "train/src/test/python/gen_family_models.py"})
        for extra in ("generation_config.json",):
            path = os.path.join(target, extra)
            if os.path.exists(path):
                os.remove(path)
        print(name, sorted(os.listdir(target)))


if __name__ == "__main__":
    main(sys.argv[1])
