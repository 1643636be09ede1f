"""Training examples: the masked-diffusion objective and infill-shaped examples like the product's.

MDLM / LLaDA: a window of the token stream, t ~ U(eps, 1), every token masked with probability t,
cross-entropy on masked tokens weighted 1/t.

Infill: a document is cut as text into prefix | hole | suffix, each piece tokenized on its own (as
the engine does), the hole padded with [PAD] to a longer canvas so the model learns to stop, and
the canvas masked with probability t (the states the sampler passes through).
"""
import json
import os
import random

import numpy as np
import torch

from tokenizer import SPECIALS, Encoder

PAD, EOS, MASK = SPECIALS.index("[PAD]"), SPECIALS.index("[EOS]"), SPECIALS.index("[MASK]")
EPS = 1e-3


def load_docs(path):
    with open(path) as f:
        return [json.loads(line)["text"] for line in f]


def token_stream(docs, enc, cache_path=None):
    """All documents as one uint16 stream separated by [EOS]; cached on disk."""
    if cache_path and os.path.exists(cache_path):
        return np.fromfile(cache_path, dtype=np.uint16)
    parts = []
    for d in docs:
        parts.append(np.asarray(enc.encode(d), dtype=np.uint16))
        parts.append(np.asarray([EOS], dtype=np.uint16))
    stream = np.concatenate(parts)
    if cache_path:
        stream.tofile(cache_path)
    return stream


class Batcher:
    def __init__(self, docs, stream, enc, seq_len, infill_share, seed, long_canvas=0.0):
        self.docs = [d for d in docs if d.count("\n") >= 4]
        self.stream = stream
        self.enc = enc
        self.T = seq_len
        self.infill_share = infill_share
        self.long_canvas = long_canvas
        self.rng = random.Random(seed)
        self.np_rng = np.random.default_rng(seed)

    def reseed(self, offset):
        self.rng.seed(self.rng.random() + offset)
        torch.manual_seed(torch.initial_seed() + offset)

    def mdlm_row(self, t):
        start = self.rng.randrange(0, len(self.stream) - self.T)
        x = torch.from_numpy(self.stream[start:start + self.T].astype(np.int64))
        m = torch.rand(self.T, generator=None) < t
        return x, m

    def infill_row(self, t):
        """prefix | canvas (hole + PADs) | suffix, exactly T tokens; loss only on the canvas."""
        T = self.T
        for _ in range(20):
            doc = self.rng.choice(self.docs)
            lines = doc.split("\n")
            i = self.rng.randrange(0, len(lines) - 1)
            j = min(len(lines) - 1, i + int(self.rng.expovariate(1 / 4)))
            line_starts = np.cumsum([0] + [len(l) + 1 for l in lines])
            kind = self.rng.random()
            if kind < 0.5:  # a syntax-anchored region: first non-blank of line i .. end of line j
                a = line_starts[i] + (len(lines[i]) - len(lines[i].lstrip(" \t")))
                b = line_starts[j] + len(lines[j])
            elif kind < 0.8:  # whole lines, newline included
                a, b = line_starts[i], line_starts[j + 1]
            else:  # a random character span
                a = self.rng.randrange(0, len(doc) - 1)
                b = min(len(doc), a + 1 + int(self.rng.expovariate(1 / 60)))
            hole = self.enc.encode(doc[a:b])
            if self.long_canvas and self.rng.random() < self.long_canvas:
                # An insertion's canvas (a fixed token budget): up to 3x the hole, so the length has to
                # come from the code around it, not from the size of the canvas.
                slack = int(self.rng.random() * (2 * len(hole) + 16))
            else:  # a rewrite's canvas: about the original's length (the engine's 1.25x + 4)
                slack = int(self.rng.random() * (0.25 * len(hole) + 8))
            L = len(hole) + slack
            if not 1 <= len(hole) or L > T * 3 // 4:
                continue
            prefix = self.enc.encode(doc[max(0, a - 4 * T):a])
            suffix = self.enc.encode(doc[b:b + 4 * T])
            room = T - L
            n_pre = min(len(prefix), self.rng.randint(room // 4, room))
            n_suf = room - n_pre
            if n_suf > len(suffix):
                n_suf = len(suffix)
                n_pre = min(len(prefix), room - n_suf)
            ids = prefix[len(prefix) - n_pre:] + hole + [PAD] * slack + suffix[:n_suf]
            ids += [EOS] * (T - len(ids))
            x = torch.tensor(ids, dtype=torch.int64)
            m = torch.zeros(T, dtype=torch.bool)
            m[n_pre:n_pre + L] = torch.rand(L) < t
            if not m.any():
                m[n_pre + self.rng.randrange(L)] = True
            return x, m
        return self.mdlm_row(t)

    def batch(self, B):
        xs, ms, ts = [], [], []
        # Stratified t over the batch lowers the variance of the 1/t-weighted loss.
        u = (torch.arange(B) + torch.rand(B)) / B
        for k in range(B):
            t = float(EPS + (1 - EPS) * u[k])
            x, m = self.infill_row(t) if self.rng.random() < self.infill_share else self.mdlm_row(t)
            xs.append(x)
            ms.append(m)
            ts.append(t)
        x = torch.stack(xs)
        m = torch.stack(ms)
        return x, m, torch.tensor(ts)


def masked_input(x, m):
    return torch.where(m, torch.full_like(x, MASK), x)


def fixed_eval_batches(stream, seq_len, t, n_rows, seed):
    """Deterministic held-out rows with a fixed mask rate t (for masked-token accuracy)."""
    g = torch.Generator().manual_seed(seed)
    starts = torch.randint(0, len(stream) - seq_len, (n_rows,), generator=g)
    x = torch.stack([torch.from_numpy(stream[s:s + seq_len].astype(np.int64)) for s in starts.tolist()])
    m = torch.rand(x.shape, generator=g) < t
    return x, m


def encoder_for(model_dir):
    with open(os.path.join(model_dir, "tokenizer.json")) as f:
        return Encoder(json.load(f))
