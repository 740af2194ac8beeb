#!/usr/bin/env python3
"""Golden DPO and GRPO losses from TRL's own trainer code, for TrlLossOracleTest.

Writes train/src/test/resources/rl/trl_losses.json: fixed random batches of per-token log-probs
(policy, sampling-time "old" policy, reference), completion masks with prompt and padding positions,
rewards and hyper-parameters, and for each batch TRL's loss, its logged metrics and the gradient of
the loss with respect to every per-token log-prob (torch autograd through the same computation).

What is TRL's code and what is replicated:
  * DPO: ``DPOTrainer._compute_loss`` itself (unbound, on a SimpleNamespace ``self``), with a stand-in
    model whose logits make ``selective_log_softmax`` return exactly the chosen per-token log-probs
    (vocabulary of 2: logit[target] = logp, logit[other] = log(1 - e^logp), so log-softmax[target] =
    logp and d log-softmax[target] / d logp = 1). The reference goes through the same method's
    ``ref_model`` branch. Loss, gradient and the metrics rewards/chosen, rewards/rejected,
    rewards/margins, rewards/accuracies are TRL's.
  * GRPO loss: ``GRPOTrainer._compute_loss`` itself, which calls the real
    ``GRPOTrainer._get_per_token_logps_and_entropies`` (bound to the namespace) on the same kind of
    stand-in model; old and reference log-probs and advantages are passed as ``inputs`` as TRL's
    ``_generate_and_score_completions`` leaves them.
  * GRPO advantages: replicated, because they are computed inside ``_generate_and_score_completions``
    (generation, reward functions, process slicing): the lines of its default
    ``multi_objective_aggregation="sum_then_normalize"`` branch with one reward function, copied below
    (``grpo_advantages``) and using TRL's own ``trl.trainer.utils.nanstd``, in float32 as TRL's reward
    tensor is.

Everything except the advantages runs in float64 on float32-representable inputs, so the fixture is
TRL's formula evaluated without rounding noise; the Java side then states its own float tolerances.

Run (needs torch, transformers and trl==1.13.0; no network, no model weights):
    PYTHON train/src/test/python/trl_losses.py
"""
import json
import math
import os
import sys
import types
from collections import defaultdict
from types import SimpleNamespace

import torch
import trl
from trl.trainer.dpo_trainer import DPOTrainer
from trl.trainer.grpo_trainer import GRPOTrainer
from trl.trainer.utils import nanstd

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "rl", "trl_losses.json")
DT = torch.float64


def f32(t):
    """float32-representable values (the Java side holds per-token log-probs as float)."""
    return t.to(torch.float32).to(DT)


def out_list(t):
    return [float(x) for x in t.detach().reshape(-1).tolist()]


class StandInModel(torch.nn.Module):
    """Returns logits (B, L, 2) whose log-softmax at position t of the target input_ids[:, t+1] is lp[:, t]."""

    def __init__(self, lp, labels):
        super().__init__()
        self.lp = lp            # (B, L-1) float64, < 0
        self.labels = labels    # (B, L-1) in {0, 1}
        self.is_gradient_checkpointing = False

    def forward(self, input_ids=None, attention_mask=None, use_cache=None, **kw):
        assert torch.equal(input_ids[:, 1:], self.labels)
        other = torch.log(-torch.expm1(self.lp))
        l0 = torch.where(self.labels == 0, self.lp, other)
        l1 = torch.where(self.labels == 1, self.lp, other)
        logits = torch.stack([l0, l1], dim=-1)
        logits = torch.cat([logits, torch.zeros(logits.shape[0], 1, 2, dtype=DT)], dim=1)
        return SimpleNamespace(logits=logits, aux_loss=None)


class OneProcess:
    device = torch.device("cpu")
    num_processes = 1
    process_index = 0
    sync_gradients = True
    is_main_process = True

    def gather(self, x):
        return x

    def gather_for_metrics(self, x):
        return x

    def reduce(self, x, reduction="sum"):
        return x

    def unwrap_model(self, m):
        return m


def random_logps(g, shape):
    return f32(-(0.02 + 4.0 * torch.rand(shape, generator=g, dtype=DT)))


# ----------------------------------------------------------------------------------------------- DPO
def dpo_case(seed, pairs, seq_len, beta, name, big_margins=False, tie_pair=False, empty_rejected=False):
    g = torch.Generator().manual_seed(seed)
    rows = 2 * pairs
    L = seq_len + 1
    # completion_mask over input positions; position 0 is always prompt, then a prompt of 0..2 more
    # tokens, a completion, and right padding.
    cmask = torch.zeros(rows, L, dtype=torch.long)
    for b in range(rows):
        start = 1 + int(torch.randint(0, 3, (1,), generator=g))
        end = L - int(torch.randint(0, 3, (1,), generator=g))
        end = max(end, start + 1)
        cmask[b, start:end] = 1
    if empty_rejected:
        cmask[rows - 1, :] = 0
    labels = torch.randint(0, 2, (rows, seq_len), generator=g)
    input_ids = torch.cat([torch.zeros(rows, 1, dtype=torch.long), labels], dim=1)
    lp = random_logps(g, (rows, seq_len))
    ref = random_logps(g, (rows, seq_len))
    if big_margins:
        # push |z| to tens: chosen far more likely under the policy for some pairs, far less for others
        ref = f32(torch.where(torch.arange(rows).unsqueeze(1) % 2 == 0, ref * 0.2, ref))
    if tie_pair:
        lp[pairs - 1] = lp[rows - 1]
        ref[pairs - 1] = ref[rows - 1]
        cmask[pairs - 1] = cmask[rows - 1]
        labels[pairs - 1] = labels[rows - 1]
        input_ids[pairs - 1] = input_ids[rows - 1]
    lp = lp.clone().requires_grad_(True)

    model = StandInModel(lp, labels)
    model.train()
    ref_model = StandInModel(ref, labels)
    ns = SimpleNamespace(
        model=model, ref_model=ref_model, accelerator=OneProcess(), aux_loss_enabled=False, ld_alpha=None,
        precompute_ref_logps=False, args=SimpleNamespace(gradient_checkpointing_kwargs=None),
        f_divergence_type="reverse_kl", loss_types=["sigmoid"], loss_weights=[1.0], beta=beta,
        label_smoothing=0.0, use_weighting=False, _metrics=defaultdict(lambda: defaultdict(list)),
        _total_train_tokens=0, _tp_size=1)
    inputs = {"input_ids": input_ids, "attention_mask": torch.ones(rows, L, dtype=torch.long),
              "completion_mask": cmask}
    loss = DPOTrainer._compute_loss(ns, model, inputs, return_outputs=False)
    loss.backward()
    m = ns._metrics["train"]
    mask = cmask[:, 1:]
    return {
        "name": name, "pairs": pairs, "seqLen": seq_len, "beta": beta,
        "mask": [int(x) for x in mask.reshape(-1).tolist()],
        "logp": out_list(lp), "refLogp": out_list(ref),
        "loss": loss.item(), "grad": out_list(lp.grad),
        "rewardsChosen": m["rewards/chosen"][0], "rewardsRejected": m["rewards/rejected"][0],
        "margins": m["rewards/margins"][0], "accuracies": m["rewards/accuracies"][0],
    }


# ---------------------------------------------------------------------------------------------- GRPO
def grpo_advantages(rewards_list, num_generations, scale_rewards):
    """GRPOTrainer._generate_and_score_completions, multi_objective_aggregation="sum_then_normalize",
    one reward function of weight 1, one process (TRL 1.13 grpo_trainer.py, the lines after
    `rewards_per_func = self._calculate_rewards(...)`)."""
    rewards_per_func = torch.tensor(rewards_list, dtype=torch.float32).unsqueeze(1)  # TRL: torch.zeros(..) fp32
    reward_weights = torch.ones(1)
    unscorable_mask = torch.isnan(rewards_per_func).all(dim=1)
    rewards = (rewards_per_func * reward_weights.unsqueeze(0)).nansum(dim=1)
    rewards[unscorable_mask] = torch.nan
    mean_grouped_rewards = torch.nanmean(rewards.view(-1, num_generations), dim=1)
    mean_grouped_rewards = mean_grouped_rewards.repeat_interleave(num_generations, dim=0)
    if scale_rewards in ["group", "none"]:
        std_rewards = nanstd(rewards.view(-1, num_generations), dim=1)
        std_rewards = std_rewards.repeat_interleave(num_generations, dim=0)
    elif scale_rewards == "batch":
        std_rewards = nanstd(rewards).expand_as(rewards)
    advantages = rewards - mean_grouped_rewards
    if scale_rewards != "none":
        advantages = advantages / (std_rewards + 1e-4)
    advantages = torch.nan_to_num(advantages, nan=0.0)
    return advantages


def grpo_case(seed, groups, group_size, seq_len, name, loss_type="grpo", eps_low=0.2, eps_high=None, beta=0.0,
              bias_kl=False, scale_rewards="group", rewards=None, on_policy=False, ratio_noise=0.3,
              empty_row=False, max_completion_length=None):
    g = torch.Generator().manual_seed(seed)
    rows = groups * group_size
    eps_high = eps_low if eps_high is None else eps_high
    max_completion_length = seq_len if max_completion_length is None else max_completion_length
    # completion mask: right padding (TRL pads completions on the right); 1..seq_len tokens per row
    lengths = torch.randint(1, seq_len + 1, (rows,), generator=g)
    mask = (torch.arange(seq_len).unsqueeze(0) < lengths.unsqueeze(1)).long()
    if empty_row:
        mask[1] = 0
    labels = torch.randint(0, 2, (rows, seq_len), generator=g)
    lp = random_logps(g, (rows, seq_len))
    if on_policy:
        old = lp.clone()
    else:
        old = f32(torch.clamp(lp + ratio_noise * torch.randn((rows, seq_len), generator=g, dtype=DT), max=-1e-3))
    ref = f32(torch.clamp(lp + 0.5 * torch.randn((rows, seq_len), generator=g, dtype=DT), max=-1e-3))
    if rewards is None:
        rewards = [float(x) for x in torch.randint(0, 2, (rows,), generator=g).tolist()]
    adv32 = grpo_advantages(rewards, group_size, scale_rewards)
    adv = adv32.to(DT)
    lp = lp.clone().requires_grad_(True)

    model = StandInModel(lp, labels)
    model.train()
    ns = SimpleNamespace(
        model=model, model_kwarg_keys=set(), temperature=1.0, _entropy_bonus_enabled=False,
        aux_loss_enabled=False, top_entropy_quantile=1.0, off_policy_mask_threshold=None,
        importance_sampling_level="token", beta=beta, loss_type=loss_type, epsilon_low=eps_low,
        epsilon_high=eps_high, use_vllm=False, vllm_importance_sampling_correction=False,
        current_gradient_accumulation_steps=1, max_completion_length=max_completion_length,
        accelerator=OneProcess(), _metrics=defaultdict(lambda: defaultdict(list)),
        args=SimpleNamespace(use_bias_correction_kl=bias_kl, delta=None, steps_per_generation=1))
    ns._get_per_token_logps_and_entropies = types.MethodType(GRPOTrainer._get_per_token_logps_and_entropies, ns)
    inputs = {
        "prompt_ids": torch.zeros(rows, 1, dtype=torch.long), "prompt_mask": torch.ones(rows, 1, dtype=torch.long),
        "completion_ids": labels, "completion_mask": mask, "advantages": adv,
        "old_per_token_logps": old, "num_items_in_batch": mask.sum().to(DT),
    }
    if beta != 0.0:
        inputs["ref_per_token_logps"] = ref
    loss = GRPOTrainer._compute_loss(ns, model, inputs)
    loss.backward()
    m = ns._metrics["train"]
    return {
        "name": name, "rows": rows, "groupSize": group_size, "seqLen": seq_len, "lossType": loss_type,
        "epsilonLow": eps_low, "epsilonHigh": eps_high, "beta": beta, "useBiasCorrectionKl": bias_kl,
        "scaleRewards": scale_rewards, "maxCompletionLength": max_completion_length,
        "mask": [int(x) for x in mask.reshape(-1).tolist()],
        "logp": out_list(lp), "oldLogp": out_list(old), "refLogp": out_list(ref),
        "rewards": rewards, "advantages": out_list(adv32),
        "loss": loss.item(), "grad": out_list(lp.grad),
        "kl": m["kl"][0] if beta != 0.0 else None,
        "clipRatioLow": m["clip_ratio/low_mean"][0], "clipRatioHigh": m["clip_ratio/high_mean"][0],
        "clipRatioRegion": m["clip_ratio/region_mean"][0],
    }


def main():
    torch.manual_seed(0)
    dpo = [
        dpo_case(1, 1, 4, 0.1, "one pair"),
        dpo_case(2, 3, 6, 0.1, "3 pairs, beta 0.1"),
        dpo_case(3, 4, 8, 0.5, "4 pairs, beta 0.5"),
        dpo_case(4, 5, 7, 2.0, "big margins, beta 2", big_margins=True),
        dpo_case(5, 3, 5, 0.1, "tied pair (z = 0) and an empty rejected completion", tie_pair=True,
                 empty_rejected=True),
    ]
    tie_rewards = [1.0, 1.0, 0.0, 0.0, 0.5, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 1.0, 0.0, 0.0, 0.0]
    grpo = [
        grpo_case(11, 2, 4, 6, "grpo, eps 0.2, no KL", loss_type="grpo"),
        grpo_case(12, 4, 4, 5, "grpo, ties and all-equal groups, beta 0.04, KL not ratio-weighted",
                  loss_type="grpo", beta=0.04, rewards=tie_rewards),
        grpo_case(13, 3, 2, 7, "grpo, asymmetric eps 0.2/0.28, beta 0.1, an empty row", loss_type="grpo",
                  eps_high=0.28, beta=0.1, empty_row=True, ratio_noise=0.5),
        grpo_case(14, 2, 8, 4, "grpo, on-policy (old = logp), beta 0.1", loss_type="grpo", beta=0.1,
                  on_policy=True),
        grpo_case(15, 2, 4, 6, "bnpo, eps 0.1", loss_type="bnpo", eps_low=0.1),
        grpo_case(16, 4, 4, 5, "dapo (TRL default), beta 0.04, KL ratio-weighted (TRL default)",
                  loss_type="dapo", beta=0.04, bias_kl=True, rewards=tie_rewards),
        grpo_case(17, 2, 8, 4, "dapo, on-policy, beta 0.1, KL ratio-weighted", loss_type="dapo", beta=0.1,
                  bias_kl=True, on_policy=True),
        grpo_case(18, 3, 4, 6, "dr_grpo, max_completion_length 8, eps 0.2/0.28, beta 0.04", loss_type="dr_grpo",
                  eps_high=0.28, beta=0.04, max_completion_length=8),
        grpo_case(19, 4, 4, 5, "grpo, scale_rewards batch", loss_type="grpo", scale_rewards="batch",
                  rewards=tie_rewards),
        grpo_case(20, 4, 4, 5, "grpo, scale_rewards none", loss_type="grpo", scale_rewards="none",
                  rewards=tie_rewards),
        grpo_case(21, 2, 4, 6, "grpo, ratio-weighted KL, beta 0.1, off-policy", loss_type="grpo", beta=0.1,
                  bias_kl=True, ratio_noise=0.5),
    ]
    doc = {
        "generator": "train/src/test/python/trl_losses.py",
        "trl": trl.__version__, "torch": torch.__version__.split("+")[0],
        "layout": "row-major (rows x seqLen); DPO rows are TRL's [chosen_0..chosen_{P-1}, rejected_0..rejected_{P-1}];"
                  " mask 1 = completion token that counts; grad = dLoss/dlogp (float64 autograd)",
        "dpo": dpo, "grpo": grpo,
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(OUT)}: {len(dpo)} DPO and {len(grpo)} GRPO batches (trl {trl.__version__})")


if __name__ == "__main__":
    sys.exit(main())
