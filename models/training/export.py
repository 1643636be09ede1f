"""Export the denoiser to an ONNX model package (model.onnx + config.json) and its fp16 checkpoint.

    /usr/bin/python3 models/training/export.py --state models/training/runs/mini/state.pt \
        --out models/diffuse-code-mini --checkpoint models/training/checkpoint/diffuse-code-mini.pt

The exported graph takes input_ids (int64, [batch, seq]) and attention_mask (int64, [batch, seq]) and
returns logits (float32, [batch, seq, vocab]); both axes are dynamic. It is Denoiser.step: it also takes
position_ids (int64, [batch, seq], each token's absolute position), past_mask (int64, [batch, past]) and
past.{layer}.{key,value} (float32, [batch, heads, past, head_dim]), and returns this call's own
present.{layer}.{key,value}. With a past of length 0 and positions 0 .. seq - 1 it is the whole-row
model; a fill runs its rows whole that way at its first step, keeps the keys and values of the code
around its canvas, and then runs each step the canvas alone with those as the past (config.json
onnx.cache tells the engine). It also takes positions (int64,
[n]) and returns the logits and the sampler's summary there only (models/onnx_head.py). With --quantize int8 every
weight matrix becomes int8 (7 bits, onnx_weights.INT8_WEIGHT_LEVELS) per output channel and is multiplied with MatMulInteger after a dynamic
uint8 quantization of the activations. export also writes check.json (inputs and PyTorch logits)
that check_onnx.mjs compares against onnxruntime-node.
"""
import argparse
import json
import os
import sys

import onnx
import torch

from export_ar import cache_names
from model import Denoiser, ModelConfig
from tokenizer import SPECIALS

# The int8 pass is the one every export uses (models/onnx_weights.py, next to this folder).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import onnx_head  # noqa: E402
import onnx_weights  # noqa: E402

FORMAT_VERSION = 1


class Step(torch.nn.Module):
    """The graph's signature: Denoiser.step with the cache as flat inputs and outputs."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, attention_mask, position_ids, past_mask, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, present = self.m.step(input_ids, attention_mask, position_ids, past_mask, past)
        return (logits, *[t for kv in present for t in kv])


def _weight_order(model):
    """The graph's weight tensors in the order its nodes read them (each once), and its other initializers by name."""
    inits = {t.name: t for t in model.graph.initializer}
    seen, order = set(), []
    for n in model.graph.node:
        for i in n.input:
            if i in inits and i not in seen and (i.endswith("_int8") or i.endswith("_scale") or i.startswith("onnx::MatMul")):
                seen.add(i)
                order.append(i)
    return inits, order


def carry_weights(src, path):
    """Replaces path's weights with src's: named parameters by name, the (anonymous) matmul weights and
    scales by the order the graphs read them, each pair checked for shape and type. Returns the count."""
    old, new = onnx.load(src), onnx.load(path)
    old_inits, old_order = _weight_order(old)
    new_inits, new_order = _weight_order(new)
    if len(old_order) != len(new_order):
        raise SystemExit(f"--weights-from: {src} has {len(old_order)} matmul weight tensors, the export {len(new_order)}")
    pairs = list(zip(old_order, new_order))
    pairs += [(n, n) for n in new_inits if n.startswith("m.") and n in old_inits]
    for a, b in pairs:
        ta, tb = old_inits[a], new_inits[b]
        if tuple(ta.dims) != tuple(tb.dims) or ta.data_type != tb.data_type:
            raise SystemExit(f"--weights-from: {a} {tuple(ta.dims)} does not match {b} {tuple(tb.dims)}")
        tb.CopyFrom(ta)
        tb.name = b
    onnx.save(new, path)
    return len(pairs)


def cached_reference(model, row, start=10, length=16):
    """Two calls of the cached graph, in PyTorch: the code around row[start:start + length] with no
    past, then that canvas against the keys and values it returned (check_onnx.mjs makes the same two
    calls in onnxruntime)."""
    T = row.shape[0]
    L, H, Dh = model.config.n_layers, model.config.n_heads, model.config.d_model // model.config.n_heads
    around = [t for t in range(T) if not start <= t < start + length]
    canvas = list(range(start, start + length))
    ctx_ids, can_ids = row[around][None], row[canvas][None]
    empty = [(torch.zeros(1, H, 0, Dh), torch.zeros(1, H, 0, Dh)) for _ in range(L)]
    _, past = model.step(ctx_ids, torch.ones_like(ctx_ids), torch.tensor([around]), torch.zeros(1, 0, dtype=torch.long), empty)
    logits, _ = model.step(can_ids, torch.ones_like(can_ids), torch.tensor([canvas]), torch.ones(1, len(around), dtype=torch.long), past)
    return {"context_ids": ctx_ids[0].tolist(), "context_positions": around, "canvas_ids": can_ids[0].tolist(),
            "canvas_positions": canvas, "logits_sample": logits[0, :, :64].tolist(), "argmax": logits[0].argmax(-1).tolist()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state", required=True, help="run state (state.pt) or committed checkpoint (.pt)")
    ap.add_argument("--out", required=True, help="model package folder (must hold tokenizer.json)")
    ap.add_argument("--checkpoint", default="", help="also write the fp16 EMA checkpoint here")
    ap.add_argument("--quantize", choices=["none", "int8"], default="int8", help="weight quantization of model.onnx")
    ap.add_argument("--name", default="diffuse-code-mini", help="model id written to config.json")
    ap.add_argument("--weights-from", default="",
                    help="an earlier model.onnx of the same model and quantization: its weights replace the exported ones "
                         "tensor for tensor, so that a new graph changes no weight (the fp16 checkpoint rounds them)")
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
    L, H, Dh = cfg.n_layers, cfg.n_heads, cfg.d_model // cfg.n_heads
    # Traced with a past of 3 so that no axis is specialised; run with any past, 0 included.
    g = torch.Generator().manual_seed(1)
    trace_past = [torch.randn(2, H, 3, Dh, generator=g) for _ in range(2 * L)]
    trace_pos = torch.arange(3, 51)[None].repeat(2, 1)
    past_names, present_names = cache_names("past", L), cache_names("present", L)
    path = os.path.join(args.out, "model.onnx")
    torch.onnx.export(Step(model), (ids, att, trace_pos, torch.ones(2, 3, dtype=torch.long), *trace_past), path,
                      opset_version=17,
                      input_names=["input_ids", "attention_mask", "position_ids", "past_mask", *past_names],
                      output_names=["logits", *present_names],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
                                    "position_ids": {0: "batch", 1: "seq"}, "past_mask": {0: "batch", 1: "past"},
                                    "logits": {0: "batch", 1: "seq"},
                                    **{n: {0: "batch", 2: "past"} for n in past_names},
                                    **{n: {0: "batch", 2: "seq"} for n in present_names}})
    if args.quantize == "int8":
        onnx_weights.quantize_int8(path, path)
    if args.weights_from:
        print(f"weights from {args.weights_from}: {carry_weights(args.weights_from, path)} tensors")
    # The LM head and the sampler's summary at the masked positions only (models/onnx_head.py).
    graph = onnx.load(path)
    onnx_head.add_position_head(graph, SPECIALS.index("[MASK]"), cfg.vocab_size)
    onnx.save(graph, path)
    onnx.checker.check_model(onnx.load(path))
    with torch.no_grad():
        ref = model(ids, att)
        cached = cached_reference(model, ids[0])
    with open(os.path.join(args.out, "check.json"), "w") as f:
        json.dump({"input_ids": ids.tolist(), "attention_mask": att.tolist(),
                   "logits_sample": ref[:, :, :64].tolist(), "argmax": ref.argmax(-1).tolist(), "cached": cached}, f)
    config = {
        "format_version": FORMAT_VERSION,
        "name": args.name,
        "description": "Small masked-diffusion code model trained by models/training (bidirectional transformer, RoPE).",
        "vocab_size": cfg.vocab_size,
        "max_context": cfg.max_context,
        "special_tokens": {"pad": SPECIALS.index("[PAD]"), "eos": SPECIALS.index("[EOS]"),
                           "mask": SPECIALS.index("[MASK]"), "bos": SPECIALS.index("[BOS]")},
        "onnx": {"inputs": {"input_ids": "input_ids", "attention_mask": "attention_mask", "positions": onnx_head.POSITIONS}, "output": "logits",
                 "takes_attention_mask": True, "quantization": args.quantize,
                 "cache": {"position_ids": "position_ids", "past_mask": "past_mask", "past": "past.{layer}.{kind}",
                           "present": "present.{layer}.{kind}", "layers": L, "heads": H, "head_dim": Dh}},
        "sampler": {"strategy": "threshold", "steps": 16, "threshold": 0.9, "temperature": 0.0, "slack": 0.25},
        "infill": {"hole_convention": "syntax-anchored: the hole starts at a node's first character and ends at its last; prefix and suffix are tokenized on their own"},
        "architecture": {**cfg.to_dict(), "parameters": model.num_params()},
        "training": {"step": s["step"], "tokens": s["tokens"], "metrics": s.get("metrics", {})},
    }
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    print(f"exported {path} ({os.path.getsize(path)/1e6:.1f} MB, {args.quantize}), step {s['step']}, tokens {s['tokens']/1e6:.1f}M")


if __name__ == "__main__":
    main()
