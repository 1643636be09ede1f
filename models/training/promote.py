"""Ship a training run's state if it is better than the shipped model.

Compares the held-out masked-token accuracy at t=0.15 of the run's latest state with the committed
checkpoint's; when better (or --force), writes the half-precision checkpoint, exports model.onnx and
config.json, and appends the run's evaluations to the committed metrics history (the training curve
of the model card).

    /usr/bin/python3 models/training/promote.py            # after train.py
"""
import argparse
import json
import os
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
METRIC = "acc@0.15"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run-dir", default=os.path.join(HERE, "runs", "mini"), help="training run folder (state.pt, metrics.jsonl)")
    ap.add_argument("--checkpoint", default=os.path.join(HERE, "checkpoint", "diffuse-code-mini.pt"), help="committed fp16 checkpoint")
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "diffuse-code-mini"), help="model package to export into")
    ap.add_argument("--history", default=os.path.join(HERE, "metrics_history.jsonl"), help="committed curve of held-out metrics")
    ap.add_argument("--force", action="store_true", help="export even when the metric did not improve")
    args = ap.parse_args()
    state = torch.load(os.path.join(args.run_dir, "state.pt"), map_location="cpu")
    new = state["metrics"][METRIC]
    old = None
    if os.path.exists(args.checkpoint):
        old = torch.load(args.checkpoint, map_location="cpu").get("metrics", {}).get(METRIC)
    print(f"{METRIC}: run {new:.4f} (step {state['step']}, {state['tokens']/1e6:.1f}M tokens) vs shipped {old}")
    if old is not None and new <= old and not args.force:
        print("not better: nothing shipped")
        return 1
    subprocess.run([sys.executable, os.path.join(HERE, "export.py"), "--state", os.path.join(args.run_dir, "state.pt"),
                    "--out", args.model, "--checkpoint", args.checkpoint], check=True)
    seen = set()
    if os.path.exists(args.history):
        with open(args.history) as f:
            seen = {json.loads(l)["tokens"] for l in f if l.strip()}
    with open(os.path.join(args.run_dir, "metrics.jsonl")) as f, open(args.history, "a") as out:
        for line in f:
            rec = json.loads(line)
            if rec["tokens"] not in seen:
                out.write(json.dumps(rec) + "\n")
    print("shipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
