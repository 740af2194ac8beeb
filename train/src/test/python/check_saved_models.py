"""Loads the directories SaveFamilyModels wrote with transformers and compares their logits with the JVM's.

    java -cp cli/target/casino.jar:train/target/test-classes --add-modules=jdk.incubator.vector \
        --add-opens=java.base/java.nio=ALL-UNNAMED org.rlcasino.train.family.SaveFamilyModels /tmp/saved
    v/bin/python train/src/test/python/check_saved_models.py /tmp/saved

The root holds <family>/ (saved by DecoderModel.save, BF16, sharded) and <family>-trained/ (the final
directory of a short casino-train run from that model, F32). Exits non-zero when a directory does not load
or its logits differ by more than 1e-4.
"""
import os
import sys

import torch
from transformers import AutoModelForCausalLM

TOKENS = [[3, 14, 15, 9, 2, 6, 5, 35, 8]]


def main(root):
    worst = 0.0
    for family in sorted(os.listdir(root)):
        path = os.path.join(root, family)
        if not os.path.isfile(os.path.join(path, "java_logits.txt")):
            continue
        model = AutoModelForCausalLM.from_pretrained(path, attn_implementation="eager", dtype=torch.float32).eval()
        with torch.no_grad():
            logits = model(torch.tensor(TOKENS)).logits[0].flatten()
        java = torch.tensor([float(x) for x in open(os.path.join(path, "java_logits.txt")).read().split(",")])
        diff = (logits - java).abs().max().item()
        worst = max(worst, diff)
        print(f"{family}: max |transformers - java| = {diff:.3g} (max |logit| {logits.abs().max().item():.3g})")
    sys.exit(0 if worst <= 1e-4 else 1)


if __name__ == "__main__":
    main(sys.argv[1])
