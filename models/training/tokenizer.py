"""Byte-level BPE for code: training, a Hugging Face tokenizer.json writer, and a fast encoder.

The pre-tokenizer regex uses only constructs that behave the same in Python's `re` and in
JavaScript (no Unicode classes, no `\\s`), so the Python encoder used for training data and
@huggingface/tokenizers in the extension split text identically (checked by the pipeline test).

    /usr/bin/python3 models/training/tokenizer.py --vocab 8192 --out models/diffuse-code-mini
"""
import argparse
import heapq
import json
import os
import re
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

# Newline runs with the next line's indentation | identifiers (with one leading space) | up to three
# digits | punctuation runs (with one leading space) | non-ASCII runs | blanks that keep the last
# blank for the next piece | other blanks | any single character (lossless catch-all).
PATTERN = (
    r"(?:[ \t]*\r?\n)+[ \t]*"
    r"| ?[A-Za-z_$][A-Za-z0-9_$]*"
    r"|[0-9]{1,3}"
    r"| ?[!-#%-/:-@\[-\^`{-~]+"
    r"| ?[^\x00-\x7f]+"
    r"|[ \t]+(?![^ \t\r\n])"
    r"|[ \t]+"
    r"|[\s\S]"
)
SPLIT = re.compile(PATTERN)

SPECIALS = ["[PAD]", "[EOS]", "[MASK]", "[BOS]"]  # ids 0..3, in this order


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map (what HF ByteLevel uses)."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_CHAR = bytes_to_unicode()


def pretokenize(text):
    return SPLIT.findall(text)


def train_bpe(texts, vocab_size):
    """Classic BPE over word counts with a lazy max-heap; returns merges as (a, b) byte strings."""
    words = Counter()
    for t in texts:
        words.update(pretokenize(t))
    seqs = [[bytes([b]) for b in w.encode("utf-8")] for w in words]
    freqs = list(words.values())
    pair_count = Counter()
    where = defaultdict(set)
    for i, s in enumerate(seqs):
        for a, b in zip(s, s[1:]):
            pair_count[(a, b)] += freqs[i]
            where[(a, b)].add(i)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    n_merges = vocab_size - len(SPECIALS) - 256
    while len(merges) < n_merges and heap:
        c, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -c or -c < 2:
            if pair_count.get(pair, 0) >= 2 and pair_count[pair] != -c:
                heapq.heappush(heap, (-pair_count[pair], pair))
            continue
        merges.append(pair)
        a, b = pair
        new = a + b
        changed = Counter()
        for i in list(where[pair]):
            s, f = seqs[i], freqs[i]
            j, out = 0, []
            while j < len(s):
                if j + 1 < len(s) and s[j] == a and s[j + 1] == b:
                    out.append(new)
                    j += 2
                else:
                    out.append(s[j])
                    j += 1
            for x, y in zip(s, s[1:]):
                changed[(x, y)] -= f
            for x, y in zip(out, out[1:]):
                changed[(x, y)] += f
                where[(x, y)].add(i)
            seqs[i] = out
        for p, d in changed.items():
            if d:
                pair_count[p] += d
                if d > 0:
                    heapq.heappush(heap, (-pair_count[p], p))
        pair_count.pop(pair, None)
        where.pop(pair, None)
    return merges


def to_hf_json(merges):
    def s(bs):
        return "".join(BYTE_CHAR[x] for x in bs)

    vocab = {t: i for i, t in enumerate(SPECIALS)}
    for b in range(256):
        vocab[BYTE_CHAR[b]] = len(vocab)
    for a, b in merges:
        vocab[s(a + b)] = len(vocab)
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                          "normalized": False, "special": True} for i, t in enumerate(SPECIALS)],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        ]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": [[s(a), s(b)] for a, b in merges]},
    }


class Encoder:
    """Encodes like the HF BPE model: per pre-token, apply the lowest-ranked merge first."""

    def __init__(self, tokenizer_json):
        model = tokenizer_json["model"]
        self.vocab = model["vocab"]
        self.ranks = {tuple(m): i for i, m in enumerate(model["merges"])}
        self.cache = {}
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.char_byte = {c: b for b, c in BYTE_CHAR.items()}

    def _word(self, w):
        syms = [BYTE_CHAR[b] for b in w.encode("utf-8")]
        while len(syms) > 1:
            best, bi = None, -1
            for i in range(len(syms) - 1):
                r = self.ranks.get((syms[i], syms[i + 1]))
                if r is not None and (best is None or r < best):
                    best, bi = r, i
            if best is None:
                break
            syms[bi:bi + 2] = [syms[bi] + syms[bi + 1]]
        return [self.vocab[s] for s in syms]

    def encode(self, text):
        out = []
        for w in pretokenize(text):
            ids = self.cache.get(w)
            if ids is None:
                ids = self._word(w)
                if len(self.cache) < 2_000_000:
                    self.cache[w] = ids
            out.extend(ids)
        return out

    def decode(self, ids):
        data = bytes(self.char_byte[c] for i in ids if i >= len(SPECIALS) for c in self.id_to_token[i])
        return data.decode("utf-8", errors="replace")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=os.path.join(HERE, "data", "corpus", "train.jsonl"), help="training documents (jsonl)")
    ap.add_argument("--vocab", type=int, default=8192, help="vocabulary size including specials and 256 bytes")
    ap.add_argument("--sample-bytes", type=int, default=12_000_000, help="bytes of corpus to learn merges from")
    ap.add_argument("--out", required=True, help="folder that receives tokenizer.json")
    args = ap.parse_args()
    texts, total = [], 0
    with open(args.corpus) as f:
        for line in f:
            if total >= args.sample_bytes:
                break
            t = json.loads(line)["text"]
            texts.append(t)
            total += len(t)
    merges = train_bpe(texts, args.vocab)
    tok = to_hf_json(merges)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "tokenizer.json"), "w") as f:
        json.dump(tok, f, ensure_ascii=False)
    enc = Encoder(tok)
    sample = "".join(texts[:200])
    n = len(enc.encode(sample))
    assert enc.decode(enc.encode(sample)) == sample
    print(f"vocab {len(tok['model']['vocab'])}, {len(sample.encode())/n:.2f} bytes/token on {len(sample)} chars")


if __name__ == "__main__":
    main()
