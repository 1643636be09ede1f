"""Export the denoiser to an ONNX model package (model.onnx + config.json) and its fp16 checkpoint.

    /usr/bin/python3 models/training/export.py --state models/training/runs/mini/state.pt \
        --out models/diffuse-code-mini --checkpoint models/training/checkpoint/diffuse-code-mini.pt

The exported graph takes input_ids (int64, [batch, seq]) and attention_mask (int64, [batch, seq]) and
returns logits (float32, [batch, seq, vocab]); both axes are dynamic. It also takes positions (int64,
[n]) and returns the logits and the sampler's summary there only (models/onnx_head.py). With --quantize int8 every
weight matrix becomes int8 per output channel and is multiplied with MatMulInteger after a dynamic
uint8 quantization of the activations. export also writes check.json (inputs and PyTorch logits)
that check_onnx.mjs compares against onnxruntime-node.
"""
import argparse
import json
import os
import sys

import onnx
import torch

from model import Denoiser, ModelConfig
from tokenizer import SPECIALS

# The int8 pass is the one every export uses (models/onnx_weights.py, next to this folder).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import onnx_head  # noqa: E402
import onnx_weights  # noqa: E402

FORMAT_VERSION = 1


class Wrapper(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask):
        return self.m(input_ids, attention_mask)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state", required=True, help="run state (state.pt) or committed checkpoint (.pt)")
    ap.add_argument("--out", required=True, help="model package folder (must hold tokenizer.json)")
    ap.add_argument("--checkpoint", default="", help="also write the fp16 EMA checkpoint here")
    ap.add_argument("--quantize", choices=["none", "int8"], default="int8", help="weight quantization of model.onnx")
    ap.add_argument("--name", default="diffuse-code-mini", help="model id written to config.json")
    args = ap.parse_args()
    s = torch.load(args.state, map_location="cpu")
    cfg = ModelConfig(**s["config"])
    weights = s["ema"] if "ema" in s else {k: v.float() for k, v in s["weights"].items()}
    model = Denoiser(cfg).eval()
    model.load_state_dict(weights)
    if args.checkpoint:
        os.makedirs(os.path.dirname(args.checkpoint), exist_ok=True)
        torch.save({"config": cfg.to_dict(), "weights": {k: v.half() for k, v in model.state_dict().items()},
                    "step": s["step"], "tokens": s["tokens"], "metrics": s.get("metrics", {})}, args.checkpoint)

    ids = torch.randint(len(SPECIALS), cfg.vocab_size, (2, 48))
    ids[0, 10:20] = SPECIALS.index("[MASK]")
    att = torch.ones_like(ids)
    att[1, 40:] = 0
    path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(Wrapper(model), (ids, att), path, opset_version=17,
                      input_names=["input_ids", "attention_mask"], output_names=["logits"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch", 1: "seq"}})
    if args.quantize == "int8":
        onnx_weights.quantize_int8(path, path)
    # The LM head and the sampler's summary at the masked positions only (models/onnx_head.py).
    graph = onnx.load(path)
    onnx_head.add_position_head(graph, SPECIALS.index("[MASK]"), cfg.vocab_size)
    onnx.save(graph, path)
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        ref = model(ids, att)
    with open(os.path.join(args.out, "check.json"), "w") as f:
        json.dump({"input_ids": ids.tolist(), "attention_mask": att.tolist(),
                   "logits_sample": ref[:, :, :64].tolist(), "argmax": ref.argmax(-1).tolist()}, f)
    config = {
        "format_version": FORMAT_VERSION,
        "name": args.name,
        "description": "Small masked-diffusion code model trained by models/training (bidirectional transformer, RoPE).",
        "vocab_size": cfg.vocab_size,
        "max_context": cfg.max_context,
        "special_tokens": {"pad": SPECIALS.index("[PAD]"), "eos": SPECIALS.index("[EOS]"),
                           "mask": SPECIALS.index("[MASK]"), "bos": SPECIALS.index("[BOS]")},
        "onnx": {"inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "positions": onnx_head.POSITIONS}, "output": "logits",
                 "takes_attention_mask": True, "quantization": args.quantize},
        "sampler": {"strategy": "threshold", "steps": 32, "threshold": 0.9, "temperature": 0.0, "slack": 0.25},
        "infill": {"hole_convention": "syntax-anchored: the hole starts at a node's first character and ends at its last; prefix and suffix are tokenized on their own"},
        "architecture": {**cfg.to_dict(), "parameters": model.num_params()},
        "training": {"step": s["step"], "tokens": s["tokens"], "metrics": s.get("metrics", {})},
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    print(f"exported {path} ({os.path.getsize(path)/1e6:.1f} MB, {args.quantize}), step {s['step']}, tokens {s['tokens']/1e6:.1f}M")


if __name__ == "__main__":
    main()
