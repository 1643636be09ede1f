"""What the choices buy: short runs from scratch that differ in one choice each, same data and
budget, compared on held-out masked-token accuracy. Appends to ablations.json (read by model_card.py).

    /usr/bin/python3 models/training/ablate.py --steps 400 --only base,vocab2k,infill0,deep
    /usr/bin/python3 models/training/ablate.py --group size --steps 400   # widths and depths at equal compute

Runs are equal in training tokens (steps), not in wall-clock time, so a busy machine changes only
how long they take. Vocabularies are compared in bits per byte (bpb@0.15), which does not depend
on how finely the text is cut into tokens; infill@1 is the share of a fully masked infill canvas
(hole tokens and [PAD]s) predicted right in one pass.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))

# name -> (train.py flags, tokenizer vocabulary, note)
VARIANTS = {
    "base": ([], 8192, "d=128, 4 layers, infill rows 50%"),
    "vocab2k": ([], 2048, "vocabulary 2,048 instead of 8,192"),
    "infill0": (["--infill-share", "0"], 8192, "no infill-shaped rows"),
    "wide": (["--width", "192"], 8192, "d=192 instead of 128"),
    "deep": (["--depth", "6"], 8192, "6 layers instead of 4"),
}


# The size ablation: the bundled model's recipe (mini preset, its tokenizer, the split corpus)
# at other widths and depths, from scratch, each given the same training compute.
# name -> (d_model, n_layers, note)
SIZES = {
    "mini": (256, 6, "the bundled model's shape: d=256, 6 layers (6.8M parameters)"),
    "mini_wide": (384, 6, "d=384, 6 layers"),
    "mini_deep": (256, 10, "d=256, 10 layers"),
}
MINI_BATCH, MINI_CONTEXT, VOCAB = 32, 256, 8192


def train_flops_per_token(d, layers, T=MINI_CONTEXT, vocab=VOCAB, masked=0.5):
    """Training FLOPs per token (forward and backward, 3x the forward): the layers' matmuls
    (2 per weight), attention over T positions (2 x T x d per layer for scores and values, twice),
    and the tied LM head at the masked positions only (about half of them over the mask rates)."""
    weights = layers * (4 * d * d + 2 * d * 4 * d)
    forward = 2 * weights + 4 * layers * T * d + 2 * vocab * d * masked
    return 3 * forward


def size_ablation(args):
    """Equal training compute per size: each shape runs from scratch until it has spent what the
    bundled shape spends in --steps steps, with held-out evaluations along the way, so the curves
    of held-out loss against compute can be compared (and the crossover read off, if any)."""
    budget = args.steps * MINI_BATCH * MINI_CONTEXT * train_flops_per_token(*SIZES["mini"][:2])
    corpus = os.path.join(HERE, "data", "corpus-heldout")
    results = json.load(open(args.out)) if os.path.exists(args.out) else []
    for name in args.only.split(","):
        d, layers, note = SIZES[name]
        per_step = MINI_BATCH * MINI_CONTEXT * train_flops_per_token(d, layers)
        steps = max(1, round(budget / per_step))
        run_dir = os.path.join(tempfile.mkdtemp(prefix="diffuse-ablate-"), f"run-{name}")
        # The recipe (the warm-up the same share of each budget), then where and how this run goes.
        flags = ["--preset", "mini", "--width", str(d), "--depth", str(layers), "--max-steps", str(steps), "--lr", str(args.lr),
                 "--warmup", str(max(10, steps // 5))]
        cmd = [sys.executable, os.path.join(HERE, "train.py"), *flags, "--corpus", corpus, "--run-dir", run_dir, "--init", "",
               "--minutes", "600", "--eval-every", str(args.eval_every), "--eval-rows", "64", "--threads", str(args.threads)]
        t0 = time.time()
        subprocess.run(cmd, check=True)
        minutes = round((time.time() - t0) / 60, 1)
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            curve = [json.loads(l) for l in f]
        for point in curve:
            point["pflop"] = round(point["tokens"] * train_flops_per_token(d, layers) / 1e15, 3)
        rec = {"name": name, "group": "size", "note": note, "steps": curve[-1]["step"], "tokens": curve[-1]["tokens"],
               "pflop": curve[-1]["pflop"], "minutes": minutes, **{k: v for k, v in curve[-1].items() if "@" in k},
               "curve": curve, "command": " ".join(["train.py", *flags, "--corpus", "data/corpus-heldout", "--init ''"])}
        print(json.dumps({k: v for k, v in rec.items() if k != "curve"}), flush=True)
        results.append(rec)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--group", choices=["choices", "size"], default="choices",
                    help="choices: one recipe choice each, equal in tokens (small preset); size: the bundled model's "
                         "recipe at other widths and depths, equal in training compute (--steps of the bundled shape)")
    ap.add_argument("--eval-every", type=float, default=4, help="size: minutes between held-out evaluations")
    ap.add_argument("--lr", type=float, default=1e-3, help="size: peak learning rate of every shape (the mini preset's 2e-3 spiked from scratch with a short warm-up)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per run (1 shares a busy machine best)")
    ap.add_argument("--steps", type=int, default=400, help="training steps of each run (16 rows x 256 tokens)")
    ap.add_argument("--only", default=",".join(VARIANTS), help="comma-separated variants to run")
    ap.add_argument("--corpus", default=os.path.join(HERE, "data", "corpus"), help="corpus folder (train/val jsonl)")
    ap.add_argument("--docs", type=int, default=1500, help="training documents in the slice")
    ap.add_argument("--out", default=os.path.join(HERE, "ablations.json"), help="results file (appended)")
    args = ap.parse_args()
    if args.group == "size":
        if args.only == ",".join(VARIANTS):
            args.only = ",".join(SIZES)
        return size_ablation(args)
    tmp = tempfile.mkdtemp(prefix="diffuse-ablate-")
    corpus = os.path.join(tmp, "corpus")
    os.makedirs(corpus)
    with open(os.path.join(args.corpus, "train.jsonl")) as f, open(os.path.join(corpus, "train.jsonl"), "w") as out:
        for i, line in enumerate(f):
            if i >= args.docs:
                break
            out.write(line)
    with open(os.path.join(args.corpus, "val.jsonl")) as f, open(os.path.join(corpus, "val.jsonl"), "w") as out:
        out.writelines(f.readlines()[:150])
    results = json.load(open(args.out)) if os.path.exists(args.out) else []
    for name in args.only.split(","):
        flags, vocab, note = VARIANTS[name]
        model_dir = os.path.join(tmp, f"tok{vocab}")
        if not os.path.exists(os.path.join(model_dir, "tokenizer.json")):
            subprocess.run([sys.executable, os.path.join(HERE, "tokenizer.py"), "--corpus", os.path.join(corpus, "train.jsonl"),
                            "--vocab", str(vocab), "--sample-bytes", "4000000", "--out", model_dir], check=True)
        run_corpus = os.path.join(tmp, f"corpus{vocab}")
        if not os.path.exists(run_corpus):
            os.symlink(corpus, run_corpus)
        run_dir = os.path.join(tmp, f"run-{name}")
        cmd = [sys.executable, os.path.join(HERE, "train.py"), "--preset", "small", "--model-dir", model_dir, "--corpus", run_corpus,
               "--run-dir", run_dir, "--init", "", "--max-steps", str(args.steps), "--minutes", "600", "--eval-every", "1000", "--eval-rows", "64", "--threads", str(args.threads),
               "--long-canvas", "0", *flags]  # the base recipe's infill rows (rewrite-sized canvases) in every variant
        t0 = time.time()
        subprocess.run(cmd, check=True)
        minutes = round((time.time() - t0) / 60, 1)
        with open(os.path.join(run_dir, "metrics.jsonl")) as f:
            last = [json.loads(l) for l in f][-1]
        rec = {"name": name, "note": note, "tokens": last["tokens"], "steps": last["step"], "minutes": minutes,
               **{k: v for k, v in last.items() if "@" in k},
               "command": " ".join([f"tokenizer.py --vocab {vocab} &&", "train.py", "--preset", "small", *flags, "--max-steps", str(args.steps)])}
        print(json.dumps(rec), flush=True)
        results.append(rec)
        with open(args.out, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
