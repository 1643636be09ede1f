"""Derive an honest evaluation split from a built corpus: whole packages held out, near-duplicates removed.

Reads <src>/{train,val}.jsonl (as written by corpus.py) and writes <out>/{train,val,heldout}.jsonl
plus <out>/split.json (the held-out packages, what deduplication removed and its biggest clusters).
The source folder is only read, so a training job may keep using it.

* Packages: an npm package (`npm:name@version`), a top-level module of Debian's Python stdlib or
  dist-packages, a top-level folder of Go's source tree, a Rust crate (`registry/<crate>-<version>`),
  a top-level header folder under /usr/include. Each belongs to the language group (TypeScript,
  JavaScript, Python, Go, Rust, C/C++) of most of its bytes.
* Held-out packages: per group, the first N candidates in an order fixed by a seeded hash of their
  names (adding a package to the corpus does not reshuffle the others). A candidate has at least
  --min-files files and at most --max-share of its group's bytes (so `effect` or Go's `cmd` is never
  taken), and is never one of sources.json's `reserved_for_evaluation` (which are not in the corpus at all).
* Near-duplicates: MinHash (128 hashes over 5-token shingles) with LSH banding (16 bands of 8) finds
  candidate pairs; a pair is a near-duplicate when the exact Jaccard similarity of its shingle sets is
  at least --threshold. Of each cluster (connected pairs) one file stays: a held-out-package file when
  the cluster has one (so no near-copy of held-out code stays in train or val), else the file with the
  smallest content hash. Only that file keeps its split.

    /usr/bin/python3 models/training/heldout_split.py                       # data/corpus -> data/corpus-heldout
    /usr/bin/python3 models/training/heldout_split.py --tokenize ../diffuse-code-mini   # also the token caches
"""
import argparse
import hashlib
import json
import os
import random
import re
from collections import Counter, defaultdict

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GROUPS = {"typescript": "typescript", "javascript": "javascript", "python": "python", "go": "go",
          "rust": "rust", "c": "c/cpp", "cpp": "c/cpp"}
WORD = re.compile(r"[A-Za-z_$0-9]+|[^\sA-Za-z_$0-9]")
STRING = re.compile(r"""("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")
MASK64 = (1 << 64) - 1


# ---------------------------------------------------------------- packages

def package_of(path):
    """The package a corpus path belongs to, e.g. `npm:zod@4.6.7`, `deb:dist-packages/numpy`,
    `deb:src/net`, `deb:registry/tokio-1.24.2`, `deb:include/glm`, `deb:python3.11/email`."""
    if path.startswith("npm:"):
        at = path.index("@", 5)  # the version's @ (a scoped name starts with @ at index 4)
        return path[:path.index("/", at)]
    parts = path.split("/")
    if len(parts) < 2:
        return parts[0]
    top = parts[1]
    if top.endswith(".py"):
        top = top[:-3]
    return f"{parts[0]}/{top}"


def package_names(pkg):
    """Bare names a package goes by (to compare with the reserved names of sources.json)."""
    if pkg.startswith("npm:"):
        return {pkg[4:pkg.index("@", 5)]}
    name = pkg.split("/", 1)[-1]
    return {name, re.sub(r"-[0-9][0-9A-Za-z.+-]*$", "", name)}


def is_reserved(pkg, path, reserved):
    npm = set(reserved.get("npm", []))
    paths = reserved.get("paths", [])
    return bool(package_names(pkg) & (npm | set(paths))) or any(f"/{r}/" in f"/{path.split('/', 1)[-1]}" for r in paths)


def package_stats(docs):
    """{package: {"files", "bytes", "group"}}; the group is the language group of most of its bytes."""
    files, nbytes, by_group = Counter(), Counter(), defaultdict(Counter)
    for d in docs:
        p = package_of(d["path"])
        b = len(d["text"].encode())
        files[p] += 1
        nbytes[p] += b
        by_group[p][GROUPS[d["lang"]]] += b
    return {p: {"files": files[p], "bytes": nbytes[p], "group": by_group[p].most_common(1)[0][0]} for p in files}


def choose_heldout(stats, n_per_group, seed=0, min_files=5, max_share=0.1, reserved=None, max_mean_kb=50):
    """Per language group, the first n candidates in the order of sha1(seed:package). A candidate has
    at least min_files files of at most max_mean_kb kB on average (not generated tables such as
    linux-raw-sys' bindings) and at most max_share of its group's bytes."""
    reserved = reserved or {}
    group_bytes = Counter()
    for s in stats.values():
        group_bytes[s["group"]] += s["bytes"]
    chosen = {}
    for g in sorted(group_bytes):
        cands = [p for p, s in stats.items() if s["group"] == g and s["files"] >= min_files
                 and s["bytes"] <= max_share * group_bytes[g] and s["bytes"] <= max_mean_kb * 1000 * s["files"]
                 and not is_reserved(p, p + "/", reserved)]
        cands.sort(key=lambda p: hashlib.sha1(f"{seed}:{p}".encode()).hexdigest())
        chosen[g] = sorted(cands[:n_per_group])
    return chosen


# ---------------------------------------------------------------- near-duplicates

def _splitmix(x):
    x = (x + np.uint64(0x9E3779B97F4A7C15))
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


class Shingler:
    """Unique 64-bit hashes of the k-token shingles of a text (tokens: identifiers/numbers, single
    punctuation characters; whitespace ignored, so re-indented copies match). With `literals=False`
    every one-line string literal counts as the same token, so files that are one template filled with
    different strings (date-fns' locales, codec tables) are near-duplicates too."""

    def __init__(self, k=5, literals=False):
        self.k = k
        self.literals = literals
        self.ids = {}

    def _tok(self, w):
        h = self.ids.get(w)
        if h is None:
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            self.ids[w] = h
        return h

    def __call__(self, text):
        if not self.literals:
            text = STRING.sub(" \x00 ", text)  # one token for every string
        toks = np.fromiter((self._tok(w) for w in WORD.findall(text)), dtype=np.uint64)
        with np.errstate(over="ignore"):
            if len(toks) == 0:
                return np.zeros(1, dtype=np.uint64)
            k = min(self.k, len(toks))
            n = len(toks) - k + 1
            h = np.zeros(n, dtype=np.uint64)
            for j in range(k):  # position-dependent mix of the k token hashes
                h = _splitmix(h ^ toks[j:j + n])
        return np.unique(h)


def minhash(shingles, num_perm=128, seed=1, block=4096):
    """MinHash signature (num_perm uint64) of a set of 64-bit shingle hashes: min over x of a*x + b
    (mod 2^64, a odd: a bijection) for num_perm seeded (a, b)."""
    rng = np.random.default_rng(seed)
    a = (rng.integers(0, 2**63, num_perm, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
    b = rng.integers(0, 2**63, num_perm, dtype=np.uint64)
    sig = np.full(num_perm, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(0, len(shingles), block):
            x = shingles[i:i + block, None]
            sig = np.minimum(sig, (x * a[None, :] + b[None, :]).min(axis=0))
    return sig


def jaccard(a, b):
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / max(1, len(a) + len(b) - inter)


class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i, j):
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)
        return ri != rj


def near_duplicate_clusters(texts, threshold=0.7, bands=16, rows=8, k=5, seed=1):
    """Clusters (lists of indices, size >= 2) of texts whose shingle sets have Jaccard >= threshold,
    joined transitively. LSH candidates, exact verification."""
    shingler = Shingler(k)
    sh = [shingler(t) for t in texts]
    sigs = np.stack([minhash(s, bands * rows, seed) for s in sh]) if texts else np.zeros((0, bands * rows), np.uint64)
    uf = UnionFind(len(texts))
    for band in range(bands):
        buckets = defaultdict(list)
        part = sigs[:, band * rows:(band + 1) * rows]
        for i in range(len(texts)):
            buckets[part[i].tobytes()].append(i)
        for members in buckets.values():
            for n, j in enumerate(members[1:], 1):
                # Compare with one earlier member of each cluster j is not yet part of: the signature
                # estimate first (cheap), then the exact Jaccard of the shingle sets.
                reps = {}
                for i in members[:n]:
                    reps.setdefault(uf.find(i), i)
                for root, i in reps.items():
                    if root == uf.find(j):
                        continue
                    if np.mean(sigs[i] == sigs[j]) >= threshold - 0.15 and jaccard(sh[i], sh[j]) >= threshold:
                        uf.union(i, j)
    clusters = defaultdict(list)
    for i in range(len(texts)):
        clusters[uf.find(i)].append(i)
    return [c for c in clusters.values() if len(c) > 1]


# ---------------------------------------------------------------- the split

def build_split(docs, n_per_group=3, seed=0, threshold=0.7, dedup=True, min_files=5, max_share=0.1, reserved=None):
    """docs: dicts with path, lang, text, split ("train" or "val"). Returns ({split: [docs]}, report)."""
    reserved = reserved or {}
    docs = [d for d in docs if not is_reserved(package_of(d["path"]), d["path"], reserved)]
    stats = package_stats(docs)
    held = choose_heldout(stats, n_per_group, seed, min_files, max_share, reserved)
    held_set = {p for ps in held.values() for p in ps}
    is_held = [package_of(d["path"]) in held_set for d in docs]
    drop = set()
    clusters_report = []
    if dedup:
        clusters = near_duplicate_clusters([d["text"] for d in docs], threshold)
        for c in clusters:
            sha = {i: hashlib.sha1(docs[i]["text"].encode()).hexdigest() for i in c}
            keep = min(c, key=lambda i: (not is_held[i], sha[i]))
            drop.update(i for i in c if i != keep)
            clusters_report.append({"files": len(c), "bytes": sum(len(docs[i]["text"].encode()) for i in c),
                                    "kept": docs[keep]["path"], "packages": sorted({package_of(docs[i]["path"]) for i in c}),
                                    "sample": sorted(docs[i]["path"] for i in c)[:5]})
    out = {"train": [], "val": [], "heldout": []}
    removed = defaultdict(lambda: {"files": 0, "bytes": 0})
    for i, d in enumerate(docs):
        if i in drop:
            r = removed[d["lang"]]
            r["files"], r["bytes"] = r["files"] + 1, r["bytes"] + len(d["text"].encode())
            continue
        out["heldout" if is_held[i] else d["split"]].append(d)
    clusters_report.sort(key=lambda c: -c["bytes"])

    def size(ds):
        by = defaultdict(lambda: {"files": 0, "bytes": 0})
        for d in ds:
            by[d["lang"]]["files"] += 1
            by[d["lang"]]["bytes"] += len(d["text"].encode())
        return {"files": len(ds), "bytes": sum(v["bytes"] for v in by.values()), "by_lang": dict(sorted(by.items()))}

    report = {
        "seed": seed, "per_group": n_per_group, "min_files": min_files, "max_share": max_share,
        "dedup": {"threshold": threshold, "shingle_tokens": 5, "num_perm": 128, "bands": 16} if dedup else None,
        "heldout_packages": {g: [{"package": p, **{k: stats[p][k] for k in ("files", "bytes")}} for p in ps] for g, ps in held.items()},
        "input": size(docs),
        "removed_near_duplicates": {"files": len(drop), "bytes": sum(r["bytes"] for r in removed.values()),
                                    "by_lang": dict(sorted(removed.items()))},
        "clusters": len(clusters_report),
        "largest_clusters": clusters_report[:25],
        "splits": {k: size(v) for k, v in out.items()},
    }
    return out, report


def read_corpus(src):
    docs = []
    for split in ("train", "val"):
        with open(os.path.join(src, f"{split}.jsonl")) as f:
            for line in f:
                d = json.loads(line)
                d["split"] = split
                docs.append(d)
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=os.path.join(HERE, "data", "corpus"), help="corpus folder built by corpus.py (only read)")
    ap.add_argument("--out", default=os.path.join(HERE, "data", "corpus-heldout"), help="new corpus folder (git-ignored)")
    ap.add_argument("--holdout-packages", type=int, default=3, help="packages held out per language group")
    ap.add_argument("--seed", type=int, default=0, help="seed of the held-out package order")
    ap.add_argument("--min-files", type=int, default=5, help="files a package needs to be held out")
    ap.add_argument("--max-share", type=float, default=0.1, help="largest share of its language group's bytes a held-out package may have")
    ap.add_argument("--threshold", type=float, default=0.7, help="Jaccard similarity (5-token shingles) from which two files are near-duplicates")
    ap.add_argument("--no-dedup", action="store_true", help="hold out packages only")
    ap.add_argument("--tokenize", default="", help="model folder with tokenizer.json: also write the token caches train.py reads")
    args = ap.parse_args()
    assert os.path.abspath(args.out) != os.path.abspath(args.src), "write the split to a new folder"
    with open(os.path.join(HERE, "sources.json")) as f:
        reserved = json.load(f)["reserved_for_evaluation"]
    docs = read_corpus(args.src)
    out, report = build_split(docs, args.holdout_packages, args.seed, args.threshold, not args.no_dedup,
                              args.min_files, args.max_share, reserved)
    os.makedirs(args.out, exist_ok=True)
    for split, ds in out.items():
        with open(os.path.join(args.out, f"{split}.jsonl.tmp"), "w") as f:
            for d in ds:
                f.write(json.dumps({"path": d["path"], "lang": d["lang"], "text": d["text"]}) + "\n")
        os.replace(os.path.join(args.out, f"{split}.jsonl.tmp"), os.path.join(args.out, f"{split}.jsonl"))
        for stale in [n for n in os.listdir(args.out) if n.startswith("tokens-") and n.endswith(f"-{split}.bin")]:
            os.remove(os.path.join(args.out, stale))  # caches of an older split
    report["source"] = os.path.relpath(args.src, HERE)
    with open(os.path.join(args.out, "split.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps({k: report[k] for k in ("heldout_packages", "removed_near_duplicates", "splits")}, indent=1))
    for c in report["largest_clusters"][:10]:
        print(f"cluster {c['files']} files {c['bytes']/1e3:.0f} kB {c['packages'][:3]} kept {c['kept']}")
    if args.tokenize:
        from data import encoder_for, token_stream
        enc = encoder_for(args.tokenize)
        for split, ds in out.items():
            token_stream([d["text"] for d in ds], enc, os.path.join(args.out, f"tokens-{len(enc.vocab)}-{split}.bin"))
            print(f"tokens {split} written")


if __name__ == "__main__":
    main()
