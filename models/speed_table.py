"""The speed table of models/README.md: ms per denoising step of Dream-layout graphs with the shapes of
Qwen2.5-0.5B and Qwen2.5-1.5B (random weights), float32 and int8, in onnxruntime-node on the CPU.

    python3 models/speed_table.py --work /tmp/diffuse-speed                # build, then time
    python3 models/speed_table.py --work /tmp/diffuse-speed --only build   # checkpoints and graphs
    python3 models/speed_table.py --work /tmp/diffuse-speed --only check   # argmax against the reference
    python3 models/speed_table.py --work /tmp/diffuse-speed --only time    # time what was built

build: a random checkpoint per preset (hf_checkpoint.py: the hub's config keys and tensor names,
bfloat16 safetensors), its export by export_hf.py --builtin (float32; external data above 2 GB), and
the int8 package (onnx_weights.py). Each step runs in its own process, so memory is returned between
them; about 10 GB of memory and 13 GB of disk for the 1.5B model. check: hf_reference.py's float64
logits for two rows (one padded) against each package in the engine. time: models/speed_table.ts,
one node process per package. Nothing else should run on the machine while it times.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PRESETS = ["qwen2.5-0.5b", "qwen2.5-1.5b"]


def run(cmd, capture=False):
    print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
    r = subprocess.run(cmd, cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE if capture else None)
    return r.stdout


def build(work, preset):
    src, fp32, int8 = (os.path.join(work, preset, d) for d in ("checkpoint", "fp32", "int8"))
    if not os.path.exists(os.path.join(src, "model.safetensors")):
        run([sys.executable, os.path.join(HERE, "hf_checkpoint.py"), "random", "--preset", preset, "--out", src])
    if not os.path.exists(os.path.join(fp32, "config.json")):
        run([sys.executable, os.path.join(HERE, "export_hf.py"), "--src", src, "--out", fp32, "--builtin",
             "--name", f"{preset} fp32", "--max-context", "2048"])
    if not os.path.exists(os.path.join(int8, "config.json")):
        run([sys.executable, os.path.join(HERE, "onnx_weights.py"), "int8", "--src", os.path.join(fp32, "model.onnx"),
             "--out", os.path.join(int8, "model.onnx")])
        with open(os.path.join(int8, "config.json"), encoding="utf-8") as f:
            config = json.load(f)
        config["name"] = f"{preset} int8"
        with open(os.path.join(int8, "config.json"), "w", encoding="utf-8") as f:
            json.dump(config, f, indent=2)


def check(work, preset, precisions):
    """The graphs of the real shapes against the float64 reference on a padded batch of two rows."""
    src = os.path.join(work, preset, "checkpoint")
    with open(os.path.join(src, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    mask, bos = c["mask_token_id"], c["bos_token_id"]
    rows = [[bos, 1000, 2000, mask, mask, mask, 4000, 5000, mask, 60000, 70000, 80000, mask, mask, 120000, 33, 44, mask, mask, mask, 7, 8, 9, 10],
            [bos, 500, mask, mask, 900, 1100, 1200, mask, mask]]
    rows_file, ref_file = os.path.join(work, preset, "rows.json"), os.path.join(work, preset, "reference.json")
    with open(rows_file, "w", encoding="utf-8") as f:
        json.dump(rows, f)
    with open(ref_file, "w", encoding="utf-8") as f:
        f.write(run([sys.executable, os.path.join(HERE, "hf_reference.py"), "--src", src, "--rows", rows_file, "--top", "5"], capture=True))
    for precision in precisions:
        print(run(["node", "--import", "tsx", os.path.join(HERE, "speed_table.ts"), "--agree", ref_file, "--rows", rows_file,
                   os.path.join(work, preset, precision)], capture=True).strip())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--work", default="/tmp/diffuse-speed", help="folder for the checkpoints and graphs (default /tmp/diffuse-speed)")
    p.add_argument("--presets", default=",".join(PRESETS), help=f"comma-separated hf_checkpoint.py presets (default {','.join(PRESETS)})")
    p.add_argument("--only", choices=["build", "check", "time"], help="only build the graphs, check them, or time them")
    p.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads (default 2)")
    p.add_argument("--shapes", default="1x256,8x256,1x512,8x512", help="batch x tokens per row (default 1x256,8x256,1x512,8x512)")
    p.add_argument("--precisions", default="fp32,int8", help="which packages to time (default fp32,int8)")
    args = p.parse_args(argv)
    presets, precisions = args.presets.split(","), args.precisions.split(",")
    if args.only in (None, "build"):
        for preset in presets:
            build(args.work, preset)
    if args.only in (None, "check"):
        for preset in presets:
            check(args.work, preset, precisions)
    if args.only not in (None, "time"):
        return
    rows, cells = [], []
    for preset in presets:
        for precision in precisions:
            out = run(["node", "--import", "tsx", os.path.join(HERE, "speed_table.ts"), "--threads", str(args.threads),
                       "--shapes", args.shapes, os.path.join(args.work, preset, precision)], capture=True)
            lines = out.strip().splitlines()
            rows += [line for line in lines if line.startswith("| ") and not line.startswith("| model") and not line.startswith("| ---")]
            cells += json.loads(lines[-1])["cells"]
    print("| model | batch | T | ms / step (median) | min-max | n | peak RSS |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    print(json.dumps({"threads": args.threads, "cells": cells}))


if __name__ == "__main__":
    main()
