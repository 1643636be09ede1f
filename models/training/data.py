"""Training examples: the masked-diffusion objective and infill-shaped examples like the product's.

MDLM / LLaDA: a window of the token stream, t ~ U(eps, 1), every token masked with probability t,
cross-entropy on masked tokens weighted 1/t.

Infill: a document is cut as text into prefix | hole | suffix, each piece tokenized on its own (as
the engine does), the hole padded with [PAD] to a longer canvas so the model learns to stop, and
the canvas masked with probability t (the states the sampler passes through).

Slips (what Diffuse Repair meets): a window with one to three realistic one-token slips left
visible (a name one edit away, a swapped operator, a number off by one), as many untouched tokens
picked alike, and a low mask rate; the loss is on the masked tokens and on the picked ones, whose
target is the original token. The model learns to put its mass on the right token where the code
is wrong, and to keep it on the token that is there where it is right.

Seams (what Diffuse Apply's fills meet): one to eight masked tokens between two known pieces, all
the rest of the window visible.

Low mask rates: a share of the masked-diffusion and infill rows (`low_t_share`) draw their rate from
(0, 0.3] instead of (0, 1], which weighs the states Repair, confidence and short fills meet more.

Batches are (targets, loss positions, loss weights, model input): the input is the targets with
the masked positions replaced by [MASK] and the slips put in; a masked token weighs 1/t, and the
picked tokens of a slip row weigh a quarter of a row in all.
"""
import json
import os
import random
import re

import numpy as np
import torch

from tokenizer import SPECIALS, Encoder

PAD, EOS, MASK = SPECIALS.index("[PAD]"), SPECIALS.index("[EOS]"), SPECIALS.index("[MASK]")
EPS = 1e-3
# The top of the mask rates of the low-rate rows (`low_t_share`).
LOW_T = 0.3


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


# Operators a slip swaps, both ways (as the tokenizer writes them, after a space).
OPERATOR_SWAPS = [(" <", " <="), (" >", " >="), (" <", " >"), (" ==", " !="), (" ===", " !=="), (" &&", " ||"),
                  (" +", " -"), (" +=", " -="), (" ++", " --"), (" *", " /"), (" and", " or"), (" is", " is not")]
NAME = re.compile(r"^ ?[A-Za-z_][A-Za-z0-9_]{2,}$")
NUMBER = re.compile(r"^ ?[0-9]{1,3}$")


def _edit_distance_one(a, b):
    """One substitution, insertion, deletion or swap of neighbours turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


class Slips:
    """For every token that can slip, the tokens it can slip to: a name one edit away (the same
    leading space), the other operator of a swap, a number one off."""

    def __init__(self, enc):
        n = len(enc.id_to_token)
        text = {i: enc.decode([i]) for i in range(len(SPECIALS), n)}
        by_text = {t: i for i, t in text.items()}
        options = {}
        # Names: tokens sharing a one-character deletion are candidates, checked exactly.
        names = {i: t for i, t in text.items() if NAME.match(t)}
        deletions = {i: {t} | {t[:j] + t[j + 1:] for j in range(len(t))} for i, t in names.items()}
        keys = {}
        for i, ks in deletions.items():
            for k in ks:
                keys.setdefault(k, []).append(i)
        for i, t in names.items():
            near = set()
            for k in deletions[i]:
                near.update(keys.get(k, ()))
            # The same leading space: a slip changes the name, not the spacing.
            near = [o for o in near if names[o][:1].isspace() == t[:1].isspace() and _edit_distance_one(t, names[o])]
            if near:
                options[i] = near
        for a, b in OPERATOR_SWAPS:
            if a in by_text and b in by_text:
                options.setdefault(by_text[a], []).append(by_text[b])
                options.setdefault(by_text[b], []).append(by_text[a])
        for i, t in text.items():
            if NUMBER.match(t):
                lead, v = (" ", int(t[1:])) if t.startswith(" ") else ("", int(t))
                near = [by_text[f"{lead}{w}"] for w in (v - 1, v + 1) if w >= 0 and f"{lead}{w}" in by_text]
                if near:
                    options.setdefault(i, []).extend(near)
        self.options = options
        self.can_slip = np.zeros(n, dtype=bool)
        self.can_slip[list(options)] = True


class Batcher:
    def __init__(self, docs, stream, enc, seq_len, infill_share, seed, long_canvas=0.0, slip_share=0.0, seam_share=0.0,
                 low_t_share=0.0):
        self.docs = [d for d in docs if d.count("\n") >= 4]
        self.stream = stream
        self.enc = enc
        self.T = seq_len
        self.infill_share = infill_share
        self.long_canvas = long_canvas
        self.slip_share = slip_share
        self.seam_share = seam_share
        self.low_t_share = low_t_share
        self.slips = Slips(enc) if slip_share > 0 else None
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

    def slip_row(self, t):
        """A window with 1-3 visible slips and as many picked untouched tokens (loss on both, target
        the original), the rest masked with rate t; returns (targets, loss positions, weights, input)."""
        x, m = self.mdlm_row(t)
        w = torch.full((self.T,), 1.0 / t)
        can = np.flatnonzero(self.slips.can_slip[x.numpy()] & ~m.numpy())
        inp = masked_input(x, m)
        if len(can) == 0:
            return x, m, w, inp
        k = min(len(can), self.rng.randint(1, 3))
        picked = self.rng.sample(list(can), min(len(can), 2 * k))
        for n, p in enumerate(picked):
            m[p] = True
            w[p] = self.T / (4 * len(picked))
            inp[p] = x[p] if n >= k else self.rng.choice(self.slips.options[int(x[p])])
        return x, m, w, inp

    def seam_row(self):
        """1-8 masked tokens between two known pieces; returns (targets, loss positions, t)."""
        x, _ = self.mdlm_row(0.0)
        n = 1 + int(self.rng.random() * 8)
        a = self.rng.randrange(0, self.T - n)
        m = torch.zeros(self.T, dtype=torch.bool)
        m[a:a + n] = True
        return x, m, n / self.T

    def batch(self, B):
        xs, ms, ws, inps = [], [], [], []
        # Stratified t over the batch lowers the variance of the 1/t-weighted loss.
        u = (torch.arange(B) + torch.rand(B)) / B
        for k in range(B):
            t = float(EPS + (1 - EPS) * u[k])
            if self.low_t_share and self.rng.random() < self.low_t_share:
                # Repair, confidence and short fills read the model with nearly everything visible.
                t = float(EPS + (LOW_T - EPS) * u[k])
            r = self.rng.random()
            inp = w = None
            if r < self.slip_share:
                # Repair reads the model with few tokens hidden: slips come with low mask rates.
                x, m, w, inp = self.slip_row(float(0.02 + 0.28 * u[k]))
            elif r < self.slip_share + self.seam_share:
                x, m, t = self.seam_row()
            elif r < self.slip_share + self.seam_share + self.infill_share:
                x, m = self.infill_row(t)
            else:
                x, m = self.mdlm_row(t)
            xs.append(x)
            ms.append(m)
            ws.append(torch.full((self.T,), 1.0 / t) if w is None else w)
            inps.append(masked_input(x, m) if inp is None else inp)
        return torch.stack(xs), torch.stack(ms), torch.stack(ws), torch.stack(inps)


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
