#!/usr/bin/python3
"""Writes the safetensors fixtures under io/src/test/resources/safetensors/.

torch 1.13 has no safetensors writer, so this script writes the format by hand, exactly as
SafetensorsWriter does: an 8-byte little-endian header length, the header JSON
(json.dumps(header, separators=(",", ":"), ensure_ascii=False), "__metadata__" first, then the
tensors in order, each {"dtype", "shape", "data_offsets"}) padded with spaces to a multiple of 8
bytes, then each tensor's bytes (tensor.numpy().tobytes(); bf16 through a view as int16) in the
same order, contiguous from offset 0.

Beside each NAME.safetensors it writes NAME.expected.json with, per tensor, the values torch
itself gives: "f32_bits" (the float32 bit patterns of tensor.to(torch.float32), so torch's own
f16/bf16/f64/int -> f32 conversion is the oracle), "source_f32_bits" (the float32 values the
F32/F16/BF16 tensor was made from, before torch rounded them) and "int_values" (integer and
bool tensors). SafetensorsTorchFixtureTest compares the Java reader with f32_bits bit for bit and
rebuilds every file with the Java writer from the sources, byte for byte.

Run with Debian's python3-torch from the repository root:
    /usr/bin/python3 io/src/test/python/gen_safetensors_fixtures.py
Deterministic: same torch, same bytes.
"""
import json
import os
import struct
import sys

import torch

OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "safetensors")

DTYPE_NAMES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8",
    torch.uint8: "U8", torch.bool: "BOOL",
}


def f32_from_bits(bits):
    """A float32 tensor with these bit patterns (given as unsigned 32-bit ints)."""
    signed = [b - (1 << 32) if b >= (1 << 31) else b for b in bits]
    return torch.tensor(signed, dtype=torch.int32).view(torch.float32)


def bits_of_f32(t):
    """The unsigned 32-bit patterns of a float32 tensor, flattened."""
    return [b & 0xFFFFFFFF for b in t.contiguous().view(torch.int32).reshape(-1).tolist()]


def raw_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


class Fixture:
    """One safetensors file: tensors in order, each with its source and torch's values."""

    def __init__(self, name, metadata=None):
        self.name = name
        self.metadata = metadata or {}
        self.tensors = []

    def add_float(self, name, dtype, source):
        """A float tensor made from the float32 tensor `source` by torch's conversion."""
        assert source.dtype == torch.float32
        self.tensors.append((name, source.to(dtype), source))

    def add_int(self, name, tensor):
        self.tensors.append((name, tensor, None))

    def write(self, path):
        header = {}
        if self.metadata:
            header["__metadata__"] = self.metadata
        data = bytearray()
        expected = {}
        for name, t, source in self.tensors:
            payload = raw_bytes(t)
            header[name] = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                            "data_offsets": [len(data), len(data) + len(payload)]}
            data += payload
            entry = {"dtype": DTYPE_NAMES[t.dtype], "shape": list(t.shape),
                     "f32_bits": bits_of_f32(t.to(torch.float32))}
            if source is not None:
                entry["source_f32_bits"] = bits_of_f32(source)
            if not t.dtype.is_floating_point:
                entry["int_values"] = t.to(torch.int64).reshape(-1).tolist()
            expected[name] = entry
        text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        text += b" " * ((8 - len(text) % 8) % 8)
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            f.write(bytes(data))
        with open(path[:-len(".safetensors")] + ".expected.json", "w") as f:
            json.dump({"generator": "gen_safetensors_fixtures.py", "torch": torch.__version__,
                       "metadata": self.metadata, "tensors": expected}, f, indent=1)
            f.write("\n")
        return len(data)


# float32 values whose f16/bf16 rounding is easy to get wrong: ties (to even), overflow to
# infinity, subnormals, signed zero, infinities and NaN.
BF16_SPECIAL_BITS = [
    0x3F808000,  # 1 + 2^-8: tie between 0x3F80 and 0x3F81 -> 0x3F80 (even)
    0x3F818000,  # tie between 0x3F81 and 0x3F82 -> 0x3F82 (even)
    0x3F808001,  # just above a tie -> 0x3F81
    0xBF808000,  # -(1 + 2^-8): tie -> 0xBF80
    0x3EAAAAAB,  # 1/3 -> 0x3EAB
    0x7F7F7FFF,  # below the top tie -> 0x7F7F, the largest finite bf16
    0x7F7F8000,  # tie above 0x7F7F (odd) -> 0x7F80 = +inf
    0x7F7FFFFF,  # largest float -> +inf
    0x00008000,  # subnormal tie -> 0x0000
    0x00018000,  # subnormal tie -> 0x0002
    0x00000001,  # smallest subnormal -> 0
    0x007FFFFF,  # largest subnormal -> 0x0080, the smallest normal
    0x80000000,  # -0
    0x7F800000,  # +inf
    0xFF800000,  # -inf
    0x7FC00000,  # NaN
]

F16_SPECIAL_VALUES = [
    1 + 2 ** -11,      # tie -> 1.0 (even)
    1 + 3 * 2 ** -11,  # tie -> 1 + 2^-9 (even)
    -(1 + 2 ** -11),   # -> -1.0
    1 / 3,
    65504.0,           # largest finite f16
    65519.0,           # rounds down to 65504
    65520.0,           # tie above 65504 -> +inf
    1e6,               # -> +inf
    2 ** -24,          # smallest subnormal f16
    2 ** -25,          # tie -> 0
    3 * 2 ** -25,      # tie -> 2 * 2^-24 (even)
    2 ** -14 - 2 ** -25,  # tie between the largest subnormal and the smallest normal -> 2^-14
    1e-8,              # -> 0
    -0.0,
    float("inf"),
    float("-inf"),
    float("nan"),
]


def main():
    if sys.byteorder != "little":
        sys.exit("safetensors data is little-endian; run this on a little-endian machine")
    torch.use_deterministic_algorithms(True)
    generator = torch.Generator().manual_seed(20250611)

    def randn(*shape, scale=1.0):
        return torch.randn(shape, generator=generator, dtype=torch.float32) * scale

    os.makedirs(os.path.join(OUTPUT, "sharded"), exist_ok=True)
    written = {}

    f32 = Fixture("f32", {"format": "pt", "generator": "gen_safetensors_fixtures.py"})
    f32.add_float("embed.weight", torch.float32, randn(5, 3))
    f32.add_float("layer.0.bias", torch.float32, randn(4, scale=0.01))
    f32.add_float("scale", torch.float32, randn())  # shape [] (a scalar)
    f32.add_float("empty", torch.float32, randn(0, 4))
    f32.add_float("specials", torch.float32, f32_from_bits(
        [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x00000001, 0x7F7FFFFF, 0x807FFFFF]))
    written[f32.name] = f32

    f16 = Fixture("f16")
    f16.add_float("w", torch.float16, randn(4, 6, scale=3.0))
    f16.add_float("specials", torch.float16, torch.tensor(F16_SPECIAL_VALUES, dtype=torch.float32))
    written[f16.name] = f16

    bf16 = Fixture("bf16", {"format": "pt"})
    bf16.add_float("w", torch.bfloat16, randn(3, 2, 4))
    bf16.add_float("specials", torch.bfloat16, f32_from_bits(BF16_SPECIAL_BITS))
    written[bf16.name] = bf16

    mixed = Fixture("mixed", {"format": "pt", "note": "one tensor of every dtype"})
    mixed.add_float("x", torch.float32, randn(2, 3))
    mixed.add_float("y", torch.bfloat16, randn(3))
    mixed.add_float("z", torch.float16, randn(2, 2))
    # F64 values that are floats, so that the Java writer (which takes float[]) can rebuild the file.
    mixed.add_int("d", randn(3).to(torch.float64))
    mixed.add_int("steps", torch.tensor([0, 2 ** 40 + 1, -(2 ** 62)], dtype=torch.int64))
    mixed.add_int("index", torch.tensor([3, -1, 2 ** 31 - 1, -(2 ** 31)], dtype=torch.int32))
    mixed.add_int("short", torch.tensor([-32768, 32767, 5], dtype=torch.int16))
    mixed.add_int("signed", torch.tensor([-128, -1, 0, 127], dtype=torch.int8))
    mixed.add_int("bytes", torch.tensor([0, 1, 128, 255], dtype=torch.uint8))
    mixed.add_int("mask", torch.tensor([[True, False, True], [False, False, True]]))
    written[mixed.name] = mixed

    for name, fixture in written.items():
        fixture.write(os.path.join(OUTPUT, name + ".safetensors"))

    # A checkpoint in two shards with its index, as transformers' save_pretrained lays it out.
    shard1 = Fixture("sharded/model-00001-of-00002", {"format": "pt"})
    shard1.add_float("h.0.attn.weight", torch.bfloat16, randn(4, 4))
    shard1.add_float("h.0.attn.bias", torch.bfloat16, randn(4))
    shard2 = Fixture("sharded/model-00002-of-00002", {"format": "pt"})
    shard2.add_float("h.1.attn.weight", torch.bfloat16, randn(4, 4))
    shard2.add_float("lm_head.weight", torch.bfloat16, randn(2, 4))
    total = 0
    weight_map = {}
    for shard in (shard1, shard2):
        total += shard.write(os.path.join(OUTPUT, shard.name + ".safetensors"))
        for tensor_name, _, _ in shard.tensors:
            weight_map[tensor_name] = os.path.basename(shard.name) + ".safetensors"
    with open(os.path.join(OUTPUT, "sharded", "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
