"""Reference logits of a Dream or LLaDA checkpoint, in float64, computed the way the families' published
code computes one denoising step — the yardstick for export_hf.py's graphs in the engine.

    python3 models/hf_reference.py --src CKPT --rows rows.json > reference.json

rows.json is a list of token id lists. Rows are padded on the right with the pad id, as the engine's
session pads a batch, and the reference returns, for every row, the logits of its real positions.

Written step by step after the published model code, and independent of hf_families.py (only the
safetensors reader is shared):
  Dream (Dream-org Dream-v0 modeling_dream.py + generation_utils.py, DreamModel on Qwen2): with padding,
    generate() passes a boolean [b, 1, n, n] mask (real token to real token) and position ids
    cumsum(mask) - 1 (padding at 1); DreamSdpaAttention runs scaled_dot_product_attention with
    is_causal=False (rows with nothing to attend give zeros, as torch >= 2.5 does); q/k/v have biases,
    repeat_kv serves the grouped heads; generate() shifts the logits right by one
    (torch.cat([logits[:, :1], logits[:, :-1]], 1)): position i is predicted from position i - 1.
  LLaDA (GSAI-ML LLaDA-8B modeling_llada.py, LLaDALlamaBlock): generate.py calls model(x) with no mask,
    and the block's attention passes attn_mask=None with is_causal=False; OLMo's RotaryEmbedding
    (rotate_half over a [.., 2, hs/2] view), GQA by repeat_interleave, SiLU(ff_proj) * up_proj, ff_out.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

from hf_checkpoint import Checkpoint, family_of

D = torch.float64


def _w(state, name):
    return torch.tensor(state[name], dtype=D)


def _linear(state, x, name, bias):
    return F.linear(x, _w(state, name + ".weight"), _w(state, name + ".bias") if bias else None)


def _rms(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def _sdpa(q, k, v, mask):
    """scaled_dot_product_attention: a boolean mask keeps True; a row with no True gives zeros."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
        empty = ~mask.any(-1, keepdim=True)
        scores = scores.masked_fill(empty, 0.0)
        return (torch.softmax(scores, -1) @ v).masked_fill(empty, 0.0)
    return torch.softmax(scores, -1) @ v


def dream_step(state, c, x, attention_mask):
    """One step of Dream's generate(): the model's logits on x, shifted as generate() shifts them."""
    if attention_mask is not None and torch.any(attention_mask == 0):
        tok_idx = attention_mask.long().cumsum(-1) - 1
        tok_idx.masked_fill_(attention_mask == 0, 1)
        mask = torch.logical_and(attention_mask.bool().unsqueeze(1).unsqueeze(-2),
                                 attention_mask.bool().unsqueeze(1).unsqueeze(-1))
    else:
        tok_idx, mask = None, None  # generate() passes attention_mask="full"
    b, n = x.shape
    h, heads = c["hidden_size"], c["num_attention_heads"]
    kv_heads, hd = c.get("num_key_value_heads", heads), h // heads
    eps = c["rms_norm_eps"]
    position_ids = tok_idx if tok_idx is not None else torch.arange(n).unsqueeze(0)
    # DreamRotaryEmbedding (rope_type "default")
    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.int64).float() / hd))
    freqs = (inv_freq[None, :, None].expand(position_ids.shape[0], -1, 1) @ position_ids[:, None, :].float()).transpose(1, 2)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos().to(D).unsqueeze(1), emb.sin().to(D).unsqueeze(1)

    def rotate_half(t):
        return torch.cat((-t[..., t.shape[-1] // 2:], t[..., : t.shape[-1] // 2]), dim=-1)

    def repeat_kv(t, n_rep):
        bb, kvh, sl, d = t.shape
        return t if n_rep == 1 else t[:, :, None].expand(bb, kvh, n_rep, sl, d).reshape(bb, kvh * n_rep, sl, d)

    hs = F.embedding(x, _w(state, "model.embed_tokens.weight"))
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        residual = hs
        hs = _rms(hs, _w(state, p + "input_layernorm.weight"), eps)
        q = _linear(state, hs, p + "self_attn.q_proj", True).view(b, n, heads, hd).transpose(1, 2)
        k = _linear(state, hs, p + "self_attn.k_proj", True).view(b, n, kv_heads, hd).transpose(1, 2)
        v = _linear(state, hs, p + "self_attn.v_proj", True).view(b, n, kv_heads, hd).transpose(1, 2)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, heads // kv_heads), repeat_kv(v, heads // kv_heads)
        att = _sdpa(q, k, v, mask).transpose(1, 2).contiguous().view(b, n, h)
        hs = residual + _linear(state, att, p + "self_attn.o_proj", False)
        residual = hs
        hs = _rms(hs, _w(state, p + "post_attention_layernorm.weight"), eps)
        gate = _linear(state, hs, p + "mlp.gate_proj", False)
        hs = residual + _linear(state, F.silu(gate) * _linear(state, hs, p + "mlp.up_proj", False), p + "mlp.down_proj", False)
    hs = _rms(hs, _w(state, "model.norm.weight"), eps)
    head = "model.embed_tokens" if c.get("tie_word_embeddings", False) else "lm_head"
    logits = _linear(state, hs, head, False)
    return torch.cat([logits[:, :1], logits[:, :-1]], dim=1)


def llada_step(state, c, x):
    """LLaDAModelLM(x).logits, as generate.py calls it."""
    b, n = x.shape
    d, heads = c["d_model"], c["n_heads"]
    kv_heads, hs_dim, eps = c.get("n_kv_heads") or heads, d // heads, c["rms_norm_eps"]
    qkv_bias, bias = bool(c.get("include_bias") or c.get("include_qkv_bias")), bool(c.get("include_bias"))
    t = "model.transformer."

    def norm(h, name):  # RMSLayerNorm with affine weight (and bias when bias_for_layer_norm)
        out = _rms(h, _w(state, name + ".weight"), eps)
        nb = c.get("bias_for_layer_norm")
        return out + _w(state, name + ".bias") if (bias if nb is None else nb) else out

    # RotaryEmbedding.get_rotary_embedding / rotate_half / apply_rotary_pos_emb (rope_full_precision)
    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, hs_dim, 2, dtype=torch.float) / hs_dim))
    freqs = torch.einsum("i , j -> i j", torch.arange(n, dtype=torch.float), inv_freq)
    positions = torch.cat((freqs, freqs), dim=-1)
    pos_sin, pos_cos = positions.sin()[None, None].to(D), positions.cos()[None, None].to(D)

    def rotate_half(z):
        bb, nh, tt, hs = z.size()
        z1, z2 = z.view(bb, nh, tt, 2, hs // 2).unbind(dim=-2)
        return torch.cat((-z2, z1), dim=-1)

    h = F.embedding(x, _w(state, t + "wte.weight"))
    if c.get("input_emb_norm"):
        h = h * (d ** 0.5)
    for i in range(c["n_layers"]):
        p = f"{t}blocks.{i}."
        xn = norm(h, p + "attn_norm")
        q = _linear(state, xn, p + "q_proj", qkv_bias).view(b, n, heads, hs_dim).transpose(1, 2)
        k = _linear(state, xn, p + "k_proj", qkv_bias).view(b, n, kv_heads, hs_dim).transpose(1, 2)
        v = _linear(state, xn, p + "v_proj", qkv_bias).view(b, n, kv_heads, hs_dim).transpose(1, 2)
        q = q * pos_cos + rotate_half(q) * pos_sin
        k = k * pos_cos + rotate_half(k) * pos_sin
        if heads != kv_heads:
            k, v = k.repeat_interleave(heads // kv_heads, dim=1), v.repeat_interleave(heads // kv_heads, dim=1)
        att = _sdpa(q, k, v, None).transpose(1, 2).contiguous().view(b, n, d)
        h = h + _linear(state, att, p + "attn_out", bias)
        xn = norm(h, p + "ff_norm")
        up = _linear(state, xn, p + "up_proj", bias)
        h = h + _linear(state, F.silu(_linear(state, xn, p + "ff_proj", bias)) * up, p + "ff_out", bias)
    h = norm(h, t + "ln_f")
    logits = F.linear(h, _w(state, t + "wte.weight")) if c.get("weight_tying") else _linear(state, h, t + "ff_out", bias)
    return logits / math.sqrt(d) if c.get("scale_logits") else logits


def reference_logits(src, rows):
    """Float64 logits [row][real position][vocab] for id rows padded on the right with the pad id."""
    with open(os.path.join(src, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    state = Checkpoint(src)
    pad = c["pad_token_id"][0] if isinstance(c.get("pad_token_id"), list) else c.get("pad_token_id", 0)
    n = max(len(r) for r in rows)
    x = torch.full((len(rows), n), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), n), dtype=torch.long)
    for i, r in enumerate(rows):
        x[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = 1
    with torch.no_grad():
        if family_of(c) == "dream":
            logits = dream_step(state, c, x, mask)
        elif family_of(c) == "llada":
            logits = llada_step(state, c, x)
        else:
            sys.exit(f"hf_reference: model_type {c.get('model_type')!r} is neither Dream nor llada")
    return [logits[i, : len(r)].tolist() for i, r in enumerate(rows)]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--src", required=True, help="checkpoint folder (config.json, *.safetensors)")
    p.add_argument("--rows", required=True, help="JSON file: a list of token id lists")
    p.add_argument("--top", type=int, default=0,
                   help="print only the K best ids and their logits per position (for large vocabularies); default: all logits")
    args = p.parse_args(argv)
    with open(args.rows, encoding="utf-8") as f:
        rows = json.load(f)
    logits = reference_logits(args.src, rows)
    if args.top:
        best = [[sorted(range(len(v)), key=v.__getitem__, reverse=True)[: args.top] for v in row] for row in logits]
        json.dump({"top_ids": best, "top_logits": [[[v[i] for i in ids] for v, ids in zip(row, b)] for row, b in zip(logits, best)]}, sys.stdout)
    else:
        json.dump({"logits": logits}, sys.stdout)


if __name__ == "__main__":
    main()
