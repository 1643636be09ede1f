"""Built-in PyTorch implementations of the Dream and LLaDA families, for export_hf.py when transformers
is not installed (or with --builtin).

Each class takes a checkpoint folder as the hub ships it (config.json and *.safetensors, tensor names
unchanged) and has the forward() signature of the family's own model class, so export_hf.py wraps it
exactly as it wraps the transformers model:

    DreamLM(input_ids, attention_mask=None, position_ids=None).logits     (modeling_dream.DreamModel)
    LLaDALM(input_ids).logits                                             (modeling_llada.LLaDAModelLM)

They were written from the families' published model code (Dream-org Dream-v0 modeling_dream.py,
Qwen2-based; GSAI-ML LLaDA-8B modeling_llada.py, OLMo-based) and are checked against
hf_reference.py, which follows that code step by step, through the ONNX graph in the engine
(test/unit/exportHf.test.ts). Weight matrices are stored transposed ([in, out]) so that every
projection exports as a plain MatMul on an initializer: no Transpose for the exporter to fold (and
no second copy of a large model in memory), and the pattern onnx_int8.py rewrites.

hf_checkpoint.py reads the safetensors files and makes random checkpoints for the tests.
"""
import json
import math
import os

import numpy as np
import torch
from torch import nn

from hf_checkpoint import Checkpoint, family_of, tensor_shapes


def build(src, hf_config=None):
    """The built-in model for a checkpoint folder, in float32 and eval mode."""
    if hf_config is None:
        with open(os.path.join(src, "config.json"), encoding="utf-8") as f:
            hf_config = json.load(f)
    fam = family_of(hf_config)
    if fam is None:
        raise ValueError(f"model_type {hf_config.get('model_type')!r} has no built-in implementation (Dream, llada); install transformers")
    state = Checkpoint(src)
    missing = [n for n in tensor_shapes(hf_config) if n not in state]
    if missing:
        raise ValueError(f"the checkpoint has no tensor {missing[0]} ({len(missing)} missing): not a {hf_config['model_type']} checkpoint of this config.json?")
    return (DreamLM if fam == "dream" else LLaDALM)(hf_config, state).eval()


class Output:
    """What the families' forward() returns, as far as export_hf.py reads it."""

    def __init__(self, logits):
        self.logits = logits


def _t(a):
    a = np.asarray(a, dtype=np.float32)
    return torch.from_numpy(a if a.flags.writeable else a.copy())


class Linear(nn.Module):
    def __init__(self, state, name, bias=False):
        super().__init__()
        self.wt = nn.Parameter(_t(state[name + ".weight"]).t().contiguous(), requires_grad=False)
        self.b = nn.Parameter(_t(state[name + ".bias"]), requires_grad=False) if bias else None

    def forward(self, x):
        y = torch.matmul(x, self.wt)
        return y if self.b is None else y + self.b


class RMSNorm(nn.Module):
    def __init__(self, weight, eps, bias=None):
        super().__init__()
        self.w = nn.Parameter(_t(weight), requires_grad=False)
        self.b = nn.Parameter(_t(bias), requires_grad=False) if bias is not None else None
        self.eps = eps

    def forward(self, x):
        # Divided by sqrt (not times rsqrt): the pattern onnxruntime fuses into SimplifiedLayerNormalization.
        y = self.w * (x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))
        return y if self.b is None else y + self.b


def rope(positions, head_dim, theta):
    """cos and sin, [batch, 1, seq, head_dim], for integer positions [batch, seq] (both families)."""
    inv_freq = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    freqs = positions.unsqueeze(-1).float() * inv_freq
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def attention(q, k, v, cos, sin, n_heads, n_kv, hd, bias):
    """Bidirectional multi-head attention with grouped KV heads; q/k/v are [batch, seq, heads * hd]."""
    b, t = q.shape[0], q.shape[1]
    q = q.view(b, t, n_heads, hd).transpose(1, 2)
    k = k.view(b, t, n_kv, hd).transpose(1, 2)
    v = v.view(b, t, n_kv, hd).transpose(1, 2)
    q = q * cos + rotate_half(q) * sin
    k = k * cos + rotate_half(k) * sin
    if n_kv != n_heads:  # each KV head serves n_heads / n_kv consecutive query heads
        rep = n_heads // n_kv
        k = k.unsqueeze(2).expand(b, n_kv, rep, t, hd).reshape(b, n_heads, t, hd)
        v = v.unsqueeze(2).expand(b, n_kv, rep, t, hd).reshape(b, n_heads, t, hd)
    scores = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(hd))
    if bias is not None:
        scores = scores + bias
    out = torch.matmul(torch.softmax(scores, dim=-1), v)
    return out.transpose(1, 2).reshape(b, t, n_heads * hd)


class DreamLM(nn.Module):
    """Dream / DiffuCoder (Qwen2 layout): GQA with biases on q/k/v, RoPE, RMSNorm, SwiGLU, no causal mask.
    Like DreamModel.forward, logits are not shifted here (export_hf.py shifts them)."""

    def __init__(self, c, state):
        super().__init__()
        self.heads, self.kv = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
        self.head_dim, self.theta = c["hidden_size"] // self.heads, float(c.get("rope_theta", 10000.0))
        if c.get("rope_scaling"):
            raise ValueError("rope_scaling is not implemented in the built-in Dream; install transformers")
        eps = float(c.get("rms_norm_eps", 1e-6))
        self.embed = nn.Parameter(_t(state["model.embed_tokens.weight"]), requires_grad=False)
        self.layers = nn.ModuleList()
        for i in range(c["num_hidden_layers"]):
            p = f"model.layers.{i}."
            layer = nn.Module()
            layer.ln1 = RMSNorm(state[p + "input_layernorm.weight"], eps)
            layer.q, layer.k, layer.v = (Linear(state, p + f"self_attn.{n}_proj", bias=True) for n in "qkv")
            layer.o = Linear(state, p + "self_attn.o_proj")
            layer.ln2 = RMSNorm(state[p + "post_attention_layernorm.weight"], eps)
            layer.gate, layer.up, layer.down = (Linear(state, p + f"mlp.{n}_proj") for n in ("gate", "up", "down"))
            self.layers.append(layer)
        self.norm = RMSNorm(state["model.norm.weight"], eps)
        head = state.get("lm_head.weight") if not c.get("tie_word_embeddings", False) else None
        self.head = Linear({"h.weight": state["model.embed_tokens.weight"] if head is None else head}, "h")

    def forward(self, input_ids, attention_mask=None, position_ids=None):
        x = nn.functional.embedding(input_ids, self.embed)
        if position_ids is None:
            position_ids = torch.arange(input_ids.shape[1]).unsqueeze(0).expand_as(input_ids)
        cos, sin = (r.to(x.dtype) for r in rope(position_ids, self.head_dim, self.theta))
        bias = None
        if isinstance(attention_mask, torch.Tensor):  # Dream's generate() passes a boolean [b, 1, seq, seq]
            bias = torch.zeros(attention_mask.shape, dtype=x.dtype).masked_fill(~attention_mask.bool(), torch.finfo(x.dtype).min)
        for layer in self.layers:
            h = layer.ln1(x)
            x = x + layer.o(attention(layer.q(h), layer.k(h), layer.v(h), cos, sin, self.heads, self.kv, self.head_dim, bias))
            h = layer.ln2(x)
            x = x + layer.down(nn.functional.silu(layer.gate(h)) * layer.up(h))
        return Output(self.head(self.norm(x)))


class LLaDALM(nn.Module):
    """LLaDA (block_type llama): attn_norm, q/k/v, RoPE, attn_out, ff_norm, SiLU(ff_proj) * up_proj, ff_out.
    Its attention takes no mask (the published code passes attn_mask=None), so neither does this."""

    def __init__(self, c, state):
        super().__init__()
        unsupported = [k for k, ok in (("block_type", c.get("block_type", "llama") == "llama"),
                                       ("layer_norm_type", c.get("layer_norm_type", "rms") == "rms"),
                                       ("activation_type", c.get("activation_type", "silu") == "silu"),
                                       ("rope", c.get("rope", True)), ("alibi", not c.get("alibi", False)),
                                       ("attention_layer_norm", not c.get("attention_layer_norm", False))) if not ok]
        if unsupported:
            raise ValueError(f"the built-in LLaDA does not implement {unsupported[0]}={c.get(unsupported[0])!r}; install transformers")
        d = c["d_model"]
        self.heads, self.kv = c["n_heads"], c.get("n_kv_heads") or c["n_heads"]
        self.head_dim, self.theta, self.d = d // self.heads, float(c.get("rope_theta", 10000.0)), d
        self.emb_norm, self.scale_logits = bool(c.get("input_emb_norm")), bool(c.get("scale_logits"))
        eps = float(c.get("rms_norm_eps", 1e-5))
        qkv_bias, bias = bool(c.get("include_bias") or c.get("include_qkv_bias")), bool(c.get("include_bias"))
        norm_bias = c.get("bias_for_layer_norm")
        norm_bias = bias if norm_bias is None else bool(norm_bias)
        affine = c.get("layer_norm_with_affine", True)

        def norm(name):
            w = state[name + ".weight"] if affine else np.ones(d, np.float32)
            return RMSNorm(w, eps, state[name + ".bias"] if norm_bias and affine else None)

        t = "model.transformer."
        self.wte = nn.Parameter(_t(state[t + "wte.weight"]), requires_grad=False)
        self.blocks = nn.ModuleList()
        for i in range(c["n_layers"]):
            p = f"{t}blocks.{i}."
            blk = nn.Module()
            blk.attn_norm, blk.ff_norm = norm(p + "attn_norm"), norm(p + "ff_norm")
            blk.q, blk.k, blk.v = (Linear(state, p + f"{n}_proj", bias=qkv_bias) for n in "qkv")
            blk.attn_out = Linear(state, p + "attn_out", bias=bias)
            blk.ff_proj, blk.up_proj, blk.ff_out = (Linear(state, p + n, bias=bias) for n in ("ff_proj", "up_proj", "ff_out"))
            self.blocks.append(blk)
        self.ln_f = norm(t + "ln_f")
        head = t + ("wte" if c.get("weight_tying", False) else "ff_out")
        self.head = Linear(state, head, bias=bias and head.endswith("ff_out"))

    def forward(self, input_ids):
        x = nn.functional.embedding(input_ids, self.wte)
        if self.emb_norm:
            x = x * (self.d ** 0.5)
        positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
        cos, sin = (r.to(x.dtype) for r in rope(positions, self.head_dim, self.theta))
        for blk in self.blocks:
            h = blk.attn_norm(x)
            x = x + blk.attn_out(attention(blk.q(h), blk.k(h), blk.v(h), cos, sin, self.heads, self.kv, self.head_dim, None))
            h = blk.ff_norm(x)
            x = x + blk.ff_out(nn.functional.silu(blk.ff_proj(h)) * blk.up_proj(h))
        logits = self.head(self.ln_f(x))
        return Output(logits * (1.0 / math.sqrt(self.d)) if self.scale_logits else logits)
