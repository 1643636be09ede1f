"""Infill quality of an exported model on held-out code, measured through the shipped engine.

Cuts single-line and multi-line holes from held-out documents (val.jsonl), runs
`node dist/cli.js infill` on them (the product's layout, sampler and syntax repair), and reports
exact match (whitespace-normalised), edit similarity and the syntax-valid rate, overall and per
language, next to the baseline of copying the lines right above the hole (`line_above`).
`syntax_ok_real` counts only real answers: a fill that parses and is not empty (nor, for
rewrites, the original text given back), and for holes, leaves no more syntax errors around the
hole than the true middle does (the engine itself judges an insertion against the document with
the hole, which is often broken there; `syntax_ok` is the engine's verdict). Run `npm run build`
first.

    /usr/bin/python3 models/training/eval_infill.py --model models/diffuse-code-mini --n 100
    # on the packages reserved for evaluation, which the model never saw:
    /usr/bin/python3 models/training/eval_infill.py --val test/bench/data/holdout.jsonl --kinds single --n 100
"""
import argparse
import json
import os
import random
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
LANG_IDS = {"typescript": "typescript", "javascript": "javascript", "python": "python", "go": "go",
            "rust": "rust", "c": "c", "cpp": "cpp"}


def make_tasks(docs, kind, n, seed):
    rng = random.Random(seed)
    tasks = []
    while len(tasks) < n:
        d = rng.choice(docs)
        lines = d["text"].split("\n")
        if len(lines) < 12:
            continue
        i = rng.randrange(3, len(lines) - 3)
        j = i if kind == "single" else min(len(lines) - 2, i + rng.randint(1, 4))
        if kind in ("anchored", "nodes"):  # a statement-sized region rewritten in place, as Diffuse Edit does
            j = min(len(lines) - 2, i + rng.randint(0, 5))
        body = lines[i:j + 1]
        if not body[0].strip() or sum(len(l.strip()) for l in body) < 8 or any(len(l) > 120 for l in body):
            continue
        indent = len(body[0]) - len(body[0].lstrip(" \t"))
        prompt = "\n".join(lines[:i]) + "\n" + body[0][:indent]
        middle = "\n".join(body)[indent:]
        suffix = "\n" + "\n".join(lines[j + 1:])
        task = {"task_id": f"{kind}/{len(tasks)}", "prompt": prompt[-6000:], "suffix": suffix[:6000],
                "language": LANG_IDS.get(d["lang"], "plaintext"),
                "max_tokens": 32 if kind == "single" else 96, "middle": middle}
        if kind in ("anchored", "nodes"):
            task["original"] = middle
        else:  # judged against the true middle: the document with the hole is often broken itself
            task["reference"] = middle
            # The baseline a model must beat: as many lines as the hole's, copied from right above it.
            task["above"] = "\n".join(lines[max(0, i - (j - i + 1)):i])
        if kind == "nodes":  # the lines widened to whole syntax nodes by the engine, as a selection is
            task["anchoring"] = "syntax"
        tasks.append(task)
    return tasks


def norm(s):
    return " ".join(s.split())


def edit_similarity(a, b):
    if not a and not b:
        return 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1 - prev[-1] / max(len(a), len(b))


def run(model, tasks, extra, dump=""):
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = os.path.join(tmp, "in.jsonl"), os.path.join(tmp, "out.jsonl")
        with open(inp, "w") as f:
            for t in tasks:
                f.write(json.dumps({k: v for k, v in t.items() if k not in ("middle", "above")}) + "\n")
        subprocess.run(["node", os.path.join(ROOT, "dist", "cli.js"), "infill", "--in", inp, "--out", out,
                        "--model", model, *extra], check=False)
        with open(out) as f:
            answers = {a["task_id"]: a for a in map(json.loads, f)}
    if dump:
        with open(dump, "w") as f:
            for t in tasks:
                f.write(json.dumps({**answers.get(t["task_id"], {}), "language": t["language"], "middle": t["middle"]}) + "\n")
    res = score(tasks, answers)
    if all("above" in t for t in tasks):
        res["line_above"] = {"exact_match": round(sum(norm(t["above"]) == norm(t["middle"]) for t in tasks) / len(tasks), 4),
                             "edit_similarity": round(sum(edit_similarity(norm(t["above"]), norm(t["middle"])) for t in tasks) / len(tasks), 4)}
    langs = sorted({t["language"] for t in tasks})
    if len(langs) > 1:
        res["by_language"] = {l: score([t for t in tasks if t["language"] == l], answers) for l in langs}
    return res


def score(tasks, answers):
    """Means over `tasks`, with the fills that parse and are a real answer (`syntax_ok_real`): not
    empty, and for a rewrite (a task with "original") not the original text given back; and the
    share whose repair kept a bracket-balanced or cut-back variant of a sampled fill (`variant`), and
    of those, the share that ended as the parser's recovery of the fill (`recovered`)."""
    em = es = ok = ok_before = nfe = ms = real = empty = same = variant = recovered = 0
    for t in tasks:
        a = answers.get(t["task_id"], {})
        c = a.get("completion", "")
        middle = a.get("replaced", t["middle"])  # what the fill replaced, when the engine widened the region
        em += norm(c) == norm(middle)
        es += edit_similarity(norm(c), norm(middle))
        good = a.get("syntax_ok_reference", a.get("syntax_ok")) is not False and "error" not in a
        ok += a.get("syntax_ok") is not False and "error" not in a
        ok_before += good and not a.get("repair_rounds")
        is_empty, is_same = not c.strip(), "original" in t and norm(c) == norm(a.get("replaced", t["original"]))
        empty += is_empty
        same += is_same
        real += good and not is_empty and not is_same
        variant += bool(a.get("variant_fills"))
        recovered += bool(a.get("recovered"))
        nfe += a.get("nfe", 0)
        ms += a.get("ms", 0)
    n = len(tasks)
    res = {"exact_match": round(em / n, 4), "edit_similarity": round(es / n, 4), "syntax_ok": round(ok / n, 4), "syntax_ok_before_repair": round(ok_before / n, 4),
           "syntax_ok_real": round(real / n, 4), "empty": round(empty / n, 4), "variant": round(variant / n, 4),
           "recovered": round(recovered / n, 4),
           "nfe": round(nfe / n, 2), "ms": round(ms / n, 1), "n": n}
    if any("original" in t for t in tasks):
        res["unchanged"] = round(same / n, 4)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "diffuse-code-mini"), help="model package folder")
    ap.add_argument("--val", default=os.path.join(HERE, "data", "corpus", "val.jsonl"), help="held-out documents")
    ap.add_argument("--n", type=int, default=100, help="holes per kind")
    ap.add_argument("--seed", type=int, default=0, help="which holes are cut")
    ap.add_argument("--kinds", default="single,multi", help="comma-separated: single, multi, anchored (line regions rewritten in place, for the syntax-valid rate), nodes (the same regions widened to whole syntax nodes, as Diffuse Edit anchors a selection)")
    ap.add_argument("--out", default="", help="also write the results as JSON here")
    ap.add_argument("--dump", default="", help="write every answer (with the expected middle) to <dump>.<kind>.jsonl")
    ap.add_argument("cli_args", nargs="*", help="extra diffuse-edit options after --, e.g. -- --strategy ar")
    args = ap.parse_args()
    with open(args.val) as f:
        docs = [json.loads(l) for l in f]
    with open(os.path.join(args.model, "config.json")) as f:
        res = {"model_step": json.load(f).get("training", {}).get("step")}  # which model was measured
    for kind in args.kinds.split(","):
        res[kind] = run(args.model, make_tasks(docs, kind, args.n, args.seed), args.cli_args,
                        f"{args.dump}.{kind}.jsonl" if args.dump else "")
        print(kind, json.dumps(res[kind]), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
