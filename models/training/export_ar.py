"""A causal (decoder-only) twin of the denoiser with a KV cache, exported to ONNX: the honest
autoregressive anchor of the speed benchmark (`npm run bench -- --only ar`).

    /usr/bin/python3 models/training/export_ar.py --config models/diffuse-code-mini/config.json \
        --out node_modules/.cache/diffuse-edit-bench/ar-anchor

Same width, depth, heads, feed-forward size, vocabulary and tied head as the shipped model (read
from its config.json, or from a checkpoint with --checkpoint), the same int8 weights by default, but
a causal mask and a cache: the prompt goes through prefill.onnx once, then each new token through
decode.onnx, which attends to the cached keys and values instead of recomputing them. Weights are
random unless --checkpoint gives some: the anchor measures speed, never quality.

prefill.onnx   input_ids [batch, seq] int64
               -> logits [batch, vocab] (last position), present.{i}.key / .value [batch, heads, seq, head_dim]
decode.onnx    input_ids [batch, seq] int64 (seq = 1 when decoding), past.{i}.key / .value [batch, heads, past, head_dim]
               -> logits [batch, vocab] (last position), present.{i}.key / .value [batch, heads, past + seq, head_dim]

Every axis but heads and head_dim is dynamic. Positions past the shipped model's context are
allowed (rotary tables are computed in the graph), so a 512-token answer needs no window. The
folder also gets meta.json (what was built, from what) and check.json (PyTorch logits of the full
causal recompute, which tests/test_export_ar.py compares with the cached decode in onnxruntime-node).
The output is a build product: write it to an ignored folder, never commit it.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

from model import Denoiser, ModelConfig, apply_rope

ARCH_KEYS = ("vocab_size", "d_model", "n_layers", "n_heads", "d_ff", "max_context", "rope_base")
# Bumped when the graphs change, so that the bench rebuilds an anchor built by an older version.
FORMAT_VERSION = 1


class CausalLM(Denoiser):
    """The denoiser's modules (so its checkpoints load), run left to right with a KV cache."""

    def forward(self, ids, past=None):
        """ids: (B, T) int64; past: None or a list of (key, value), each (B, H, P, Dh), for the P
        tokens before these. Returns the last position's logits (B, V) and the cache for P + T tokens."""
        c = self.config
        B, T = ids.shape
        H, Dh = c.n_heads, c.d_model // c.n_heads
        P = 0 if past is None else past[0][0].shape[2]
        # Rotary angles of absolute positions P .. P+T-1, computed in the graph (any length).
        inv = 1.0 / (c.rope_base ** (torch.arange(0, Dh, 2).float() / Dh))
        pos = torch.arange(T) + P
        ang = pos.float()[:, None] * inv[None, :]
        cos, sin = ang.cos(), ang.sin()
        # Query i sits at P + i and sees keys 0 .. P + i (all of them when T = 1).
        allowed = torch.arange(T + P)[None, :] <= pos[:, None]
        x = self.emb(ids)
        present = []
        for i, b in enumerate(self.blocks):
            q, k, v = b.qkv(b.ln1(x)).view(B, T, 3, H, Dh).permute(2, 0, 3, 1, 4)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            if past is not None:
                k = torch.cat([past[i][0], k], dim=2)
                v = torch.cat([past[i][1], v], dim=2)
            present.append((k, v))
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(Dh))
            att = att.masked_fill(~allowed, float("-inf"))
            y = att.softmax(dim=-1) @ v
            x = x + b.proj(y.transpose(1, 2).reshape(B, T, c.d_model))
            x = x + b.out(F.gelu(b.fc(b.ln2(x))))
        x = self.ln_f(x[:, -1])
        return x @ self.emb.weight.t(), present


class Prefill(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids):
        logits, present = self.m(input_ids)
        return (logits, *[t for kv in present for t in kv])


class Decode(torch.nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, input_ids, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, present = self.m(input_ids, past)
        return (logits, *[t for kv in present for t in kv])


def cache_names(prefix, n_layers):
    return [f"{prefix}.{i}.{kind}" for i in range(n_layers) for kind in ("key", "value")]


def load_model(args):
    """The causal twin and where its shape (and weights) came from."""
    if args.checkpoint:
        s = torch.load(args.checkpoint, map_location="cpu")
        cfg = ModelConfig(**s["config"])
        m = CausalLM(cfg)
        m.load_state_dict({k: v.float() for k, v in s["weights"].items()})
        return m.eval(), {"checkpoint": args.checkpoint, "weights": "checkpoint", "step": s.get("step")}
    with open(args.config) as f:
        arch = json.load(f)["architecture"]
    cfg = ModelConfig(**{k: arch[k] for k in ARCH_KEYS if k in arch})
    torch.manual_seed(args.seed)
    return CausalLM(cfg).eval(), {"config": args.config, "weights": f"random (seed {args.seed})"}


def quantization_of(args):
    if args.quantize:
        return args.quantize
    try:
        with open(args.config) as f:
            return json.load(f).get("onnx", {}).get("quantization", "int8")
    except OSError:
        return "int8"


def export(m, out, quantize):
    # Imported here: the int8 pass every export uses (models/onnx_weights.py).
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    import onnx_weights
    import onnx

    c = m.config
    L, H, Dh = c.n_layers, c.n_heads, c.d_model // c.n_heads
    g = torch.Generator().manual_seed(1)
    # Traced with lengths > 1 so that no axis is specialised to 1.
    ids = torch.randint(4, c.vocab_size, (2, 5), generator=g)
    past = [torch.randn(2, H, 3, Dh, generator=g) for _ in range(2 * L)]
    present_names = cache_names("present", L)
    files = {"prefill": os.path.join(out, "prefill.onnx"), "decode": os.path.join(out, "decode.onnx")}
    torch.onnx.export(Prefill(m), (ids,), files["prefill"], opset_version=17,
                      input_names=["input_ids"], output_names=["logits", *present_names],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch"},
                                    **{n: {0: "batch", 2: "seq"} for n in present_names}})
    past_names = cache_names("past", L)
    torch.onnx.export(Decode(m), (ids, *past), files["decode"], opset_version=17,
                      input_names=["input_ids", *past_names], output_names=["logits", *present_names],
                      dynamic_axes={"input_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch"},
                                    **{n: {0: "batch", 2: "past"} for n in past_names},
                                    **{n: {0: "batch", 2: "total"} for n in present_names}})
    for path in files.values():
        if quantize == "int8":
            onnx_weights.quantize_int8(path, path)
        onnx.checker.check_model(onnx.load(path))
    return files


def reference(m, n_prompt, n_new, seed):
    """PyTorch logits of the full causal recompute after the prompt and after each of the next
    n_new - 1 tokens: what prefill, then n_new - 1 decode calls, must give."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(4, m.config.vocab_size, (1, n_prompt + n_new), generator=g)
    with torch.no_grad():
        full = [m(ids[:, : n_prompt + j])[0][0] for j in range(n_new)]
    return {"input_ids": ids[0].tolist(), "prompt": n_prompt,
            "logits_first64": [r[:64].tolist() for r in full], "argmax": [int(r.argmax()) for r in full]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="models/diffuse-code-mini/config.json",
                    help="model package config.json whose architecture (and onnx.quantization) the anchor copies")
    ap.add_argument("--checkpoint", default="",
                    help="take the shape and weights from this checkpoint (.pt with config and weights) instead of --config")
    ap.add_argument("--out", required=True, help="output folder (an ignored path, e.g. node_modules/.cache/diffuse-edit-bench/ar-anchor)")
    ap.add_argument("--quantize", choices=["none", "int8"], default="",
                    help="weight quantization (default: the one --config names, as the shipped model)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random weights")
    ap.add_argument("--check-prompt", type=int, default=7, help="prompt tokens of the PyTorch reference in check.json")
    ap.add_argument("--check-new", type=int, default=4,
                    help="logit rows of the reference in check.json: the prompt's, then one per decoded token")
    args = ap.parse_args()
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))
    m, source = load_model(args)
    quantize = quantization_of(args)
    os.makedirs(args.out, exist_ok=True)
    files = export(m, args.out, quantize)
    with open(os.path.join(args.out, "check.json"), "w") as f:
        json.dump(reference(m, args.check_prompt, args.check_new, args.seed + 1), f)
    meta = {
        "format_version": FORMAT_VERSION,
        "architecture": {k: getattr(m.config, k) for k in ARCH_KEYS},
        "parameters": m.num_params(),
        "quantization": quantize,
        **source,
        "files": {k: os.path.basename(v) for k, v in files.items()},
        "cache": {"inputs": cache_names("past", m.config.n_layers), "outputs": cache_names("present", m.config.n_layers),
                  "layout": "[batch, heads, tokens, head_dim] float32"},
        "command": " ".join([os.path.basename(sys.executable), *sys.argv]),
        "torch": torch.__version__,
    }
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    sizes = ", ".join(f"{os.path.basename(p)} {os.path.getsize(p) / 1e6:.1f} MB" for p in files.values())
    print(f"exported the causal anchor to {args.out} ({sizes}, {quantize}, {m.num_params()} parameters)")


if __name__ == "__main__":
    main()
