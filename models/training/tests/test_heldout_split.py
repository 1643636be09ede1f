"""The held-out split's pure parts: near-duplicate detection and the package split.

    cd models/training && /usr/bin/python3 -m unittest tests.test_heldout_split
"""
import os
import random
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from heldout_split import build_split, choose_heldout, near_duplicate_clusters, package_of, package_stats  # noqa: E402

RESERVED = {"npm": ["mobx", "eslint"], "paths": ["requests", "jinja2"]}


def fake_code(rng, n_funcs=12):
    """A distinct-looking source file: random names, random bodies."""
    def name():
        return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9)))
    out = []
    for _ in range(n_funcs):
        args = [name() for _ in range(rng.randint(1, 3))]
        out.append(f"export function {name()}({', '.join(args)}) {{")
        for _ in range(rng.randint(3, 7)):
            a, b = rng.choice(args), name()
            op = rng.choice(["+", "-", "*", "&&", "||", "??"])
            out.append(f"  const {b} = {a} {op} {rng.randint(0, 999)};")
            out.append(f"  if ({b} > {rng.randint(0, 99)}) return {name()}({b}, \"{name()}\");")
        out.append(f"  return {rng.choice(args)};\n}}\n")
    return "\n".join(out)


def near_copy(rng, text):
    """Re-indented, one line edited, one line dropped, every string literal changed."""
    lines = text.split("\n")
    i = rng.randrange(len(lines))
    lines[i] = lines[i] + " // changed"
    del lines[rng.randrange(len(lines))]
    out = "\n".join("    " + l if l.strip() else l for l in lines)
    return re.sub(r'"([a-z]+)"', r'"x\1"', out)


class NearDuplicates(unittest.TestCase):
    def test_finds_planted_near_copies_and_keeps_distinct_files(self):
        rng = random.Random(3)
        texts = [fake_code(rng) for _ in range(40)]
        planted = {}
        for src in (0, 5, 17, 33):
            planted[len(texts)] = src
            texts.append(near_copy(rng, texts[src]))
        planted[len(texts)] = 5  # a second copy of file 5: one cluster of three
        texts.append(near_copy(rng, texts[5]))
        clusters = sorted(sorted(c) for c in near_duplicate_clusters(texts, threshold=0.7))
        expected = sorted(sorted([src] + [c for c, s in planted.items() if s == src]) for src in set(planted.values()))
        self.assertEqual(clusters, expected)

    def test_template_files_with_other_strings_are_near_duplicates(self):
        template = 'const formats = {\n  full: "%s",\n  long: "%s",\n  short: "%s",\n};\n' \
                   'export const formatLong = {\n  date: build({ formats, defaultWidth: "full" }),\n};\n'
        a = template % ("EEEE, d MMMM y", "d MMMM y", "dd/MM/y")
        b = template % ("EEEE d 'de' MMMM y", "d 'de' MMMM y", "dd/MM/yyyy")
        other = fake_code(random.Random(9), 2)
        self.assertEqual([sorted(c) for c in near_duplicate_clusters([a, b, other], threshold=0.7)], [[0, 1]])


def corpus(rng):
    docs = []
    langs = {"npm:{}@1.0.0": ("typescript", ".ts"), "deb:src/{}": ("go", ".go"),
             "deb:dist-packages/{}": ("python", ".py"), "deb:registry/{}-0.1.0": ("rust", ".rs")}
    for fmt, (lang, ext) in langs.items():
        for p in range(8):
            for f in range(6):
                docs.append({"path": f"{fmt.format(lang + str(p))}/src/f{f}{ext}", "lang": lang,
                             "text": fake_code(rng, 3), "split": "val" if f == 0 else "train"})
    for f in range(6):  # reserved names: never in any split, never held out
        docs.append({"path": f"npm:mobx@6.0.0/src/m{f}.ts", "lang": "typescript", "text": fake_code(rng, 3), "split": "train"})
        docs.append({"path": f"deb:dist-packages/requests/r{f}.py", "lang": "python", "text": fake_code(rng, 3), "split": "train"})
    return docs


class PackageSplit(unittest.TestCase):
    def test_package_of(self):
        self.assertEqual(package_of("npm:@codemirror/view@6.43.15/dist/index.js"), "npm:@codemirror/view@6.43.15")
        self.assertEqual(package_of("npm:zod@4.6.7/src/v4/core.ts"), "npm:zod@4.6.7")
        self.assertEqual(package_of("deb:dist-packages/numpy/core/x.py"), "deb:dist-packages/numpy")
        self.assertEqual(package_of("deb:python3.11/argparse.py"), "deb:python3.11/argparse")
        self.assertEqual(package_of("deb:src/net/http/server.go"), "deb:src/net")
        self.assertEqual(package_of("deb:registry/tokio-1.24.2/src/lib.rs"), "deb:registry/tokio-1.24.2")

    def test_deterministic_and_excludes_reserved(self):
        docs = corpus(random.Random(1))
        stats = package_stats(docs)
        a = choose_heldout(stats, 2, seed=0, min_files=3, max_share=0.5, reserved=RESERVED)
        b = choose_heldout(dict(reversed(list(stats.items()))), 2, seed=0, min_files=3, max_share=0.5, reserved=RESERVED)
        self.assertEqual(a, b)
        self.assertEqual(sorted(a), ["go", "python", "rust", "typescript"])
        self.assertTrue(all(len(v) == 2 for v in a.values()))
        chosen = {p for v in a.values() for p in v}
        self.assertFalse(any("mobx" in p or "requests" in p for p in chosen))
        self.assertNotEqual(a, choose_heldout(stats, 2, seed=1, min_files=3, max_share=0.5, reserved=RESERVED))

    def test_no_heldout_file_or_near_copy_in_train(self):
        rng = random.Random(2)
        docs = corpus(rng)
        first, _ = build_split(docs, 2, seed=0, threshold=0.7, min_files=3, max_share=0.5, reserved=RESERVED)
        held = {package_of(d["path"]) for d in first["heldout"]}
        # Plant a near-copy of every held-out file in a training package, and near-copies within train.
        victim = next(d for d in docs if d["split"] == "train" and package_of(d["path"]) not in held)
        for i, d in enumerate(first["heldout"]):
            docs.append({"path": f"{package_of(victim['path'])}/vendored/h{i}.ts", "lang": d["lang"],
                         "text": near_copy(rng, d["text"]), "split": "train"})
        train_copies = [d for d in docs if d["split"] == "train" and package_of(d["path"]) not in held][:5]
        copies = []
        for i, d in enumerate(train_copies):
            copies.append({"path": f"{package_of(d['path'])}/copy/c{i}.ts", "lang": d["lang"],
                           "text": near_copy(rng, d["text"]), "split": "val"})
        docs += copies
        out, report = build_split(docs, 2, seed=0, threshold=0.7, min_files=3, max_share=0.5, reserved=RESERVED)
        self.assertEqual({package_of(d["path"]) for d in out["heldout"]}, held)  # same packages held out
        self.assertEqual(len(out["heldout"]), len(first["heldout"]))
        trained = out["train"] + out["val"]
        self.assertFalse(any(package_of(d["path"]) in held for d in trained))
        self.assertFalse(any("/vendored/" in d["path"] for d in trained))  # near-copies of held-out files
        paths = {d["path"] for d in trained}
        for d, c in zip(train_copies, copies):  # one file of each cluster kept
            self.assertEqual((d["path"] in paths) + (c["path"] in paths), 1)
        self.assertFalse(any("mobx" in d["path"] or "/requests/" in d["path"] for s in out.values() for d in s))
        self.assertEqual(report["removed_near_duplicates"]["files"], len(first["heldout"]) + len(train_copies))
        self.assertEqual(sum(len(v) for v in out.values()) + report["removed_near_duplicates"]["files"], len(docs) - 12)


if __name__ == "__main__":
    unittest.main()
