"""A bidirectional pre-norm transformer with rotary positions: the masked-diffusion denoiser.

No causal mask and no time input: like LLaDA and MDLM, the mask tokens themselves tell the model how
much is hidden. The output head shares the embedding matrix.
"""
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    vocab_size: int = 8192
    d_model: int = 256
    n_layers: int = 6
    n_heads: int = 4
    d_ff: int = 1024
    max_context: int = 256
    rope_base: float = 10000.0

    def to_dict(self):
        return asdict(self)


def rope_tables(T, head_dim, base, device=None):
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2, device=device).float() / head_dim))
    ang = torch.arange(T, device=device).float()[:, None] * inv[None, :]
    return ang.cos(), ang.sin()  # (T, head_dim/2)


def apply_rope(x, cos, sin):
    # x: (B, H, T, Dh); rotate the two halves (the "rotate_half" form, export-friendly).
    h = x.shape[-1] // 2
    x1, x2 = x[..., :h], x[..., h:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


class Block(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.n_heads = c.n_heads
        self.ln1 = nn.LayerNorm(c.d_model)
        self.qkv = nn.Linear(c.d_model, 3 * c.d_model, bias=False)
        self.proj = nn.Linear(c.d_model, c.d_model, bias=False)
        self.ln2 = nn.LayerNorm(c.d_model)
        self.fc = nn.Linear(c.d_model, c.d_ff, bias=False)
        self.out = nn.Linear(c.d_ff, c.d_model, bias=False)

    def forward(self, x, cos, sin, key_bias):
        B, T, D = x.shape
        H = self.n_heads
        q, k, v = self.qkv(self.ln1(x)).view(B, T, 3, H, D // H).permute(2, 0, 3, 1, 4)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(D // H))
        if key_bias is not None:
            att = att + key_bias
        y = att.softmax(dim=-1) @ v
        x = x + self.proj(y.transpose(1, 2).reshape(B, T, D))
        return x + self.out(F.gelu(self.fc(self.ln2(x))))


class Denoiser(nn.Module):
    def __init__(self, c: ModelConfig):
        super().__init__()
        self.config = c
        self.emb = nn.Embedding(c.vocab_size, c.d_model)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.n_layers))
        self.ln_f = nn.LayerNorm(c.d_model)
        nn.init.normal_(self.emb.weight, std=0.02)
        for b in self.blocks:
            for lin in (b.qkv, b.fc):
                nn.init.normal_(lin.weight, std=0.02)
            for lin in (b.proj, b.out):  # residual projections scaled down with depth (GPT-2)
                nn.init.normal_(lin.weight, std=0.02 / math.sqrt(2 * c.n_layers))

    def forward(self, ids, attention_mask=None, select=None):
        """ids: (B, T) int64; attention_mask: (B, T) 1 = real token, 0 = padding of the batch.
        Returns (B, T, V) logits, or with `select` (a (B, T) bool mask) the (N, V) logits of the selected
        positions only: training needs the masked positions, and the vocabulary projection of the rest
        is a quarter of a training step's work."""
        B, T = ids.shape
        c = self.config
        cos, sin = rope_tables(T, c.d_model // c.n_heads, c.rope_base, ids.device)
        key_bias = None
        if attention_mask is not None:
            key_bias = (1.0 - attention_mask.to(torch.float32))[:, None, None, :] * -1e4
        x = self.emb(ids)
        for b in self.blocks:
            x = b(x, cos, sin, key_bias)
        x = self.ln_f(x)
        if select is not None:
            x = x[select]
        return x @ self.emb.weight.t()

    def step(self, ids, attention_mask, position_ids, past_mask, past):
        """One call of the context cache the engine runs (the exported model.onnx): `ids` (B, T) at
        absolute `position_ids` (B, T) attend to the `past` keys and values (a list of (key, value),
        each (B, H, P, Dh), rotated at their own positions; P may be 0) and to each other. Masks are
        1 for real tokens, 0 for padding. Returns the (B, T, V) logits and this call's own keys and
        values per layer. With P = 0 and position_ids 0 .. T - 1 this is `forward`. A fill runs its
        rows whole that way at its first step and keeps the keys and values of the code around its
        canvas; every later step passes the canvas alone, with those as the past."""
        c = self.config
        B, T = ids.shape
        H, Dh = c.n_heads, c.d_model // c.n_heads
        inv = 1.0 / (c.rope_base ** (torch.arange(0, Dh, 2, device=ids.device).float() / Dh))
        ang = position_ids.to(torch.float32)[:, :, None] * inv[None, None, :]
        cos, sin = ang.cos()[:, None], ang.sin()[:, None]  # (B, 1, T, Dh/2)
        keep = torch.cat([past_mask, attention_mask], dim=1).to(torch.float32)
        key_bias = (1.0 - keep)[:, None, None, :] * -1e4
        x = self.emb(ids)
        present = []
        for i, b in enumerate(self.blocks):
            q, k, v = b.qkv(b.ln1(x)).view(B, T, 3, H, Dh).permute(2, 0, 3, 1, 4)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            present.append((k, v))
            keys = torch.cat([past[i][0], k], dim=2)
            values = torch.cat([past[i][1], v], dim=2)
            att = (q @ keys.transpose(-2, -1)) * (1.0 / math.sqrt(Dh)) + key_bias
            y = att.softmax(dim=-1) @ values
            x = x + b.proj(y.transpose(1, 2).reshape(B, T, c.d_model))
            x = x + b.out(F.gelu(b.fc(b.ln2(x))))
        return self.ln_f(x) @ self.emb.weight.t(), present

    def num_params(self):
        return sum(p.numel() for p in self.parameters())
