"""Measure a checkpoint on a corpus folder's splits: in-package val and, when present, the held-out packages.

The same measurement as train.py's evaluations (masked-token accuracy at t = 0.15 / 0.5 / 0.85 on
fixed rows, seed 7; bits per byte at t = 0.15; one-pass infill accuracy), on `val.jsonl` (held-out
files of packages trained on) and `heldout.jsonl` (whole packages, from heldout_split.py; keys
`heldout_pkg_*`). Token caches are written next to the jsonl files when missing (except in
--no-cache mode, for a folder a running job reads).

    nice -n 10 /usr/bin/python3 models/training/eval_heldout.py --corpus models/training/data/corpus-heldout --rows 192
    nice -n 10 /usr/bin/python3 models/training/eval_heldout.py --state models/training/runs/mini/state.pt
"""
import argparse
import json
import os

import torch

from data import encoder_for, load_docs, token_stream
from model import Denoiser, ModelConfig
from train import evaluate, fixed_infill_rows, native_bf16

HERE = os.path.dirname(os.path.abspath(__file__))


def load_model(path):
    s = torch.load(path, map_location="cpu")
    model = Denoiser(ModelConfig(**s["config"]))
    weights = s["ema"] if "ema" in s else s["weights"]  # a run's state.pt or a committed checkpoint
    model.load_state_dict({k: v.float() for k, v in weights.items()})
    return model.eval(), s


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--state", default=os.path.join(HERE, "checkpoint", "diffuse-code-mini.pt"), help="committed checkpoint or a run's state.pt")
    ap.add_argument("--model-dir", default=os.path.join(HERE, "..", "diffuse-code-mini"), help="folder with tokenizer.json")
    ap.add_argument("--corpus", default=os.path.join(HERE, "data", "corpus-heldout"), help="folder with val.jsonl and heldout.jsonl")
    ap.add_argument("--rows", type=int, default=96, help="rows per mask rate (train.py's --eval-rows)")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    ap.add_argument("--no-cache", action="store_true", help="tokenize in memory, write nothing into --corpus")
    ap.add_argument("--by-lang", type=int, default=0, help="also this many rows per mask rate for each language of the held-out packages")
    ap.add_argument("--out", default="", help="also write the metrics here (JSON)")
    ap.add_argument("--context", type=int, default=0, help="rows of this many tokens (default: the state's max_context), to compare models of different contexts on the same rows")
    ap.add_argument("--bf16", type=int, default=-1, help="bf16 autocast (1), fp32 (0), or where the hardware computes in bf16 (-1); "
                    "compare two checkpoints with the same setting")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    enc = encoder_for(args.model_dir)
    with open(os.path.join(args.model_dir, "tokenizer.json")) as f:
        specials = {t["content"] for t in json.load(f).get("added_tokens", [])}
    byte_len = torch.tensor([0 if enc.id_to_token[i] in specials else len(enc.id_to_token[i]) for i in range(len(enc.vocab))],
                            dtype=torch.float64)
    model, s = load_model(args.state)
    T = args.context or s["config"]["max_context"]
    bf16 = bool(args.bf16) if args.bf16 >= 0 else native_bf16(torch.device("cpu"))
    rec = {"state": os.path.relpath(args.state), "step": s.get("step"), "tokens": s.get("tokens"),
           "corpus": os.path.relpath(args.corpus), "rows": args.rows, "context": T, "bf16": bf16}
    for split, prefix in (("val", ""), ("heldout", "heldout_pkg_")):
        path = os.path.join(args.corpus, f"{split}.jsonl")
        if not os.path.exists(path):
            continue
        docs = load_docs(path)
        cache = None if args.no_cache else os.path.join(args.corpus, f"tokens-{len(enc.vocab)}-{split}.bin")
        stream = token_stream(docs, enc, cache)
        infill = fixed_infill_rows(docs, stream, enc, T, args.rows)
        rec.update(evaluate(model, stream, T, args.rows, torch.device("cpu"), bf16, byte_len, infill, prefix=prefix))
        print(json.dumps(rec), flush=True)
    heldout = os.path.join(args.corpus, "heldout.jsonl")
    if args.by_lang and os.path.exists(heldout):
        by = {}
        with open(heldout) as f:
            for line in f:
                d = json.loads(line)
                by.setdefault(d["lang"], []).append(d["text"])
        rec["heldout_pkg_by_lang"] = {}
        for lang, docs in sorted(by.items()):
            stream = token_stream(docs, enc)
            if len(stream) <= 4 * T:
                continue
            m = evaluate(model, stream, T, args.by_lang, torch.device("cpu"), bf16, byte_len)
            rec["heldout_pkg_by_lang"][lang] = {"tokens": len(stream), **m}
            print(lang, json.dumps(rec["heldout_pkg_by_lang"][lang]), flush=True)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(rec, f, indent=1)


if __name__ == "__main__":
    main()
