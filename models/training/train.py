"""Train the masked-diffusion denoiser; resumable, time-boxed, and DDP-ready (torchrun).

    # resume the default model for 100 minutes on this machine's cores, at low priority
    nice -n 10 /usr/bin/python3 models/training/train.py --preset mini --minutes 100

    # two processes on CPU (gloo), or N GPUs (nccl), with the same script; with Debian's torch 1.13
    # on Python 3.11 add `--redirects 1 --tee 1` (its parser rejects the defaults)
    torchrun --nproc_per_node 2 models/training/train.py --preset tiny --minutes 1

State lives in --run-dir (full precision, with the optimizer). A fresh run starts from the committed
half-precision checkpoint (models/training/checkpoint/<id>.pt) when there is one, with a new optimizer
and a short warm-up.
"""
import argparse
import copy
import json
import math
import os
import random
import time

import torch
import torch.distributed as dist
import torch.nn.functional as F

from data import Batcher, encoder_for, fixed_eval_batches, load_docs, masked_input, token_stream
from model import Denoiser, ModelConfig

HERE = os.path.dirname(os.path.abspath(__file__))
PRESETS = {
    "tiny": dict(d_model=64, n_layers=2, n_heads=2, d_ff=256, max_context=128, batch=8, lr=3e-3),
    "small": dict(d_model=128, n_layers=4, n_heads=4, d_ff=512, max_context=256, batch=16, lr=3e-3),
    "mini": dict(d_model=256, n_layers=6, n_heads=4, d_ff=1024, max_context=256, batch=32, lr=2e-3),
    # For a GPU: 26M parameters, still quick enough on a laptop CPU once exported with int8 weights.
    "base": dict(d_model=512, n_layers=8, n_heads=8, d_ff=2048, max_context=512, batch=128, lr=1e-3),
}
EVAL_T = (0.15, 0.5, 0.85)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", choices=PRESETS, default="mini", help="model size and batch preset")
    ap.add_argument("--model-dir", default=os.path.join(HERE, "..", "diffuse-code-mini"), help="folder with tokenizer.json")
    ap.add_argument("--corpus", default=os.path.join(HERE, "data", "corpus"), help="folder with train.jsonl / val.jsonl, and "
                    "heldout.jsonl (whole packages never trained on, from heldout_split.py) when it has one")
    ap.add_argument("--run-dir", default=os.path.join(HERE, "runs", "mini"), help="resumable state and metrics log")
    ap.add_argument("--init", default=os.path.join(HERE, "checkpoint", "diffuse-code-mini.pt"), help="committed checkpoint to start a fresh run from")
    ap.add_argument("--minutes", type=float, default=60, help="wall-clock budget; saves and exits after it")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0 = no limit)")
    ap.add_argument("--batch", type=int, default=0, help="rows per step per process (0 = preset)")
    ap.add_argument("--width", type=int, default=0, help="override the preset's d_model (d_ff = 4 x width)")
    ap.add_argument("--depth", type=int, default=0, help="override the preset's number of layers")
    ap.add_argument("--context", type=int, default=0,
                    help="rows of this many tokens instead of the preset's max_context (rotary positions need no table, so a "
                         "checkpoint of another context loads); the default batch shrinks to keep the tokens of a step")
    ap.add_argument("--long-context", type=int, default=0,
                    help="with --long-share: rows of this many tokens on a share of the steps (same tokens a step, fewer rows); "
                         "meant to teach the long context while keeping the short rows the engine's short fills use; the log "
                         "shows both lengths (run 22 in models/training/README.md)")
    ap.add_argument("--long-share", type=float, default=0.0, help="share of steps with rows of --long-context tokens")
    ap.add_argument("--lr", type=float, default=0, help="peak learning rate (0 = preset)")
    ap.add_argument("--warmup", type=int, default=200, help="linear warm-up steps after every (re)start of the optimizer")
    ap.add_argument("--cooldown", type=float, default=0, help="minutes at the end of the budget over which the learning rate falls linearly to 10%%")
    ap.add_argument("--infill-share", type=float, default=0.5, help="share of infill-shaped rows in a batch")
    ap.add_argument("--long-canvas", type=float, default=0.5, help="share of infill rows whose canvas is up to 3x the hole (an insertion's budget) rather than about its length (a rewrite)")
    ap.add_argument("--slip-share", type=float, default=0.1, help="share of rows with visible one-token slips to correct (names, operators, numbers), at low mask rates")
    ap.add_argument("--low-t-share", type=float, default=0.0, help="share of masked-diffusion and infill rows whose mask rate is drawn "
                    "from (0, 0.3] instead of (0, 1]: more weight on the nearly visible rows Repair and short fills read")
    ap.add_argument("--seam-share", type=float, default=0.05, help="share of rows with 1-8 masked tokens between two known pieces")
    ap.add_argument("--ema", type=float, default=0.999, help="EMA decay of the weights that are evaluated and exported")
    ap.add_argument("--eval-every", type=float, default=10, help="minutes between held-out evaluations and saves")
    ap.add_argument("--eval-rows", type=int, default=96, help="held-out rows per mask rate")
    ap.add_argument("--threads", type=int, default=2, help="torch CPU threads per process")
    ap.add_argument("--bf16", type=int, default=-1, help="bf16 autocast (1), fp32 (0), or where the hardware computes in bf16 "
                    "(-1: a GPU, or a CPU with AVX512-BF16 or AMX; elsewhere bf16 matrix products are emulated, over 10x slower than fp32)")
    ap.add_argument("--seed", type=int, default=1234, help="data order seed (offset by step and rank)")
    ap.add_argument("--workers", type=int, default=0, help="data-loader processes that build batches (0 = in the training loop)")
    return ap.parse_args()


class BatchStream(torch.utils.data.IterableDataset):
    """Endless batches; every data-loader worker draws from its own seed."""

    def __init__(self, batcher, batch):
        self.batcher, self.batch = batcher, batch

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        if info is not None:
            self.batcher.reseed(info.id + 1)
        while True:
            yield self.batcher.batch(self.batch)


def setup_distributed():
    if "RANK" not in os.environ:
        return 0, 1, torch.device("cpu")
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    dev = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}") if backend == "nccl" else torch.device("cpu")
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
    return rank, world, dev


def native_bf16(dev):
    """Whether bf16 matrix products run in hardware on `dev`."""
    if dev.type == "cuda":
        return True
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split(":", 1)[1].split() for line in f if line.startswith("flags")), [])
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def loss_fn(model, x, m, w, inp, dev, bf16):
    """Cross-entropy at the loss positions `m` of input `inp` (targets `x`), weighted by `w` (1/t for a masked token)."""
    inp, m = inp.to(dev), m.to(dev)
    with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
        logits = model(inp, select=m)  # logits of the masked positions only
    ce = F.cross_entropy(logits.float(), x.to(dev)[m], reduction="none")
    return (ce * w.to(dev)[m]).sum() / m.numel()


@torch.no_grad()
def evaluate(model, val_stream, T, rows, dev, bf16, byte_len=None, infill=None, prefix=""):
    """Masked-token accuracy at each EVAL_T; with `byte_len` (bytes per token id) also bits per
    byte of the masked tokens at t = 0.15, which compares models with different vocabularies; with
    `infill` (fixed infill-shaped rows, canvas fully masked) the share of canvas positions, hole
    tokens and [PAD]s, predicted right in one pass: the product's task. Keys get `prefix`
    (`heldout_pkg_` for the held-out packages)."""
    model.eval()
    out = {}
    if infill is not None:
        x, m = infill
        correct = total = 0
        for i in range(0, len(x), 16):
            xb, mb = x[i:i + 16], m[i:i + 16]
            with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
                pred = model(masked_input(xb, mb).to(dev)).argmax(-1).cpu()
            correct += (pred[mb] == xb[mb]).sum().item()
            total += mb.sum().item()
        out[f"{prefix}infill@1"] = correct / max(1, total)
    for t in EVAL_T:
        x, m = fixed_eval_batches(val_stream, T, t, rows, seed=7)
        correct = total = 0
        nats = nbytes = 0.0
        for i in range(0, rows, 16):
            xb, mb = x[i:i + 16], m[i:i + 16]
            with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
                logits = model(masked_input(xb, mb).to(dev))
            pred = logits.argmax(-1).cpu()
            correct += (pred[mb] == xb[mb]).sum().item()
            total += mb.sum().item()
            if byte_len is not None and t == EVAL_T[0]:
                nats += F.cross_entropy(logits.float().cpu()[mb], xb[mb], reduction="sum").item()
                nbytes += byte_len[xb[mb]].sum().item()
        out[f"{prefix}acc@{t}"] = correct / max(1, total)
        if byte_len is not None and t == EVAL_T[0]:
            out[f"{prefix}bpb@{t}"] = nats / max(1.0, nbytes) / math.log(2)
    model.train()
    return out


def fixed_infill_rows(docs, stream, enc, T, rows):
    """Fixed infill-shaped evaluation rows (seed 11), canvas fully masked."""
    vb = Batcher(docs, stream, enc, T, 1.0, seed=11)
    made = [vb.infill_row(1.0) for _ in range(rows)]
    return torch.stack([r[0] for r in made]), torch.stack([r[1] for r in made])


def main():
    args = parse_args()
    rank, world, dev = setup_distributed()
    torch.set_num_threads(args.threads)
    p = dict(PRESETS[args.preset])
    batch, lr = args.batch or p.pop("batch"), args.lr or p.pop("lr")
    p.pop("batch", None), p.pop("lr", None)
    if args.width:
        p.update(d_model=args.width, d_ff=4 * args.width)
    if args.depth:
        p.update(n_layers=args.depth)
    if args.context:
        if not args.batch:
            batch = max(1, batch * p["max_context"] // args.context)
        p.update(max_context=args.context)
    short_T = p["max_context"]
    long_T = args.long_context if args.long_share > 0 and args.long_context > short_T else 0
    long_batch = max(1, batch * short_T // long_T) if long_T else 0
    enc = encoder_for(args.model_dir)
    # Bytes each token stands for (byte-level BPE: one symbol per byte; special tokens none).
    with open(os.path.join(args.model_dir, "tokenizer.json")) as f:
        specials = {t["content"] for t in json.load(f).get("added_tokens", [])}
    byte_len = torch.tensor([0 if enc.id_to_token[i] in specials else len(enc.id_to_token[i]) for i in range(len(enc.vocab))],
                            dtype=torch.float64)
    cfg = ModelConfig(vocab_size=len(enc.vocab), **{**p, "max_context": long_T or short_T})
    os.makedirs(args.run_dir, exist_ok=True)
    state_path = os.path.join(args.run_dir, "state.pt")

    model = Denoiser(cfg).to(dev)
    ema = copy.deepcopy(model).eval()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    step, tokens, opt_step = 0, 0, 0
    # An average that starts from trained weights (a committed checkpoint is itself an average) decays at
    # the full --ema from the first step: a young average would follow the re-warmed weights and drop the
    # annealed ones the checkpoint holds.
    ema_settled = False
    if os.path.exists(state_path):
        s = torch.load(state_path, map_location="cpu")
        model.load_state_dict(s["model"]), ema.load_state_dict(s["ema"]), opt.load_state_dict(s["opt"])
        step, tokens, opt_step = s["step"], s["tokens"], s["opt_step"]
        ema_settled = bool(s.get("ema_settled", False))
    elif args.init and os.path.exists(args.init):
        s = torch.load(args.init, map_location="cpu")
        same_shape = {k: v for k, v in s["config"].items() if k != "max_context"} == {k: v for k, v in cfg.to_dict().items() if k != "max_context"}
        assert same_shape, "committed checkpoint has another shape; pass --init ''"
        weights = {k: v.float() for k, v in s["weights"].items()}
        model.load_state_dict(weights), ema.load_state_dict(weights)
        step, tokens = s["step"], s["tokens"]
        ema_settled = True
    bf16 = bool(args.bf16) if args.bf16 >= 0 else native_bf16(dev)
    if rank == 0:
        print(f"params {model.num_params()/1e6:.2f}M, step {step}, tokens {tokens/1e6:.1f}M, batch {batch}x{short_T}x{world}, {'bf16' if bf16 else 'fp32'}"
              + (f", {args.long_share:.0%} of steps {long_batch}x{long_T}" if long_T else ""), flush=True)

    train_docs = load_docs(os.path.join(args.corpus, "train.jsonl"))
    val_docs = load_docs(os.path.join(args.corpus, "val.jsonl"))
    cache = os.path.join(args.corpus, f"tokens-{len(enc.vocab)}")
    if rank == 0 or not os.path.exists(cache + "-train.bin"):
        train_stream = token_stream(train_docs, enc, cache + "-train.bin")
        val_stream = token_stream(val_docs, enc, cache + "-val.bin")
    if world > 1:
        dist.barrier()
        train_stream = token_stream(train_docs, enc, cache + "-train.bin")
        val_stream = token_stream(val_docs, enc, cache + "-val.bin")
    infill_eval = None
    heldout_path = os.path.join(args.corpus, "heldout.jsonl")
    heldout_stream = heldout_infill = heldout_long_infill = None
    if rank == 0:
        infill_eval = fixed_infill_rows(val_docs, val_stream, enc, short_T, args.eval_rows)
        if os.path.exists(heldout_path):  # whole packages never trained on: the honest figure
            heldout_docs = load_docs(heldout_path)
            heldout_stream = token_stream(heldout_docs, enc, cache + "-heldout.bin")
            heldout_infill = fixed_infill_rows(heldout_docs, heldout_stream, enc, short_T, args.eval_rows)
            if long_T:
                heldout_long_infill = fixed_infill_rows(heldout_docs, heldout_stream, enc, long_T, max(16, args.eval_rows // 4))
    torch.manual_seed(args.seed + step * 7919 + rank)

    def stream_of(T, B, seed):
        batcher = Batcher(train_docs, train_stream, enc, T, args.infill_share, seed, args.long_canvas, args.slip_share, args.seam_share,
                          args.low_t_share)
        return iter(BatchStream(batcher, B)) if args.workers == 0 else iter(torch.utils.data.DataLoader(
            BatchStream(batcher, B), batch_size=None, num_workers=args.workers, pin_memory=dev.type == "cuda",
            persistent_workers=True, prefetch_factor=4))
    batches = stream_of(short_T, batch, args.seed + step * 7919 + rank)
    long_batches = stream_of(long_T, long_batch, args.seed + step * 7919 + rank + 104729) if long_T else None
    # Which steps are long: the same draw on every process, so DDP ranks step on rows of one length.
    length_rng = random.Random(args.seed + step)
    ddp = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model

    t0 = time.time()
    last_eval = t0
    log = open(os.path.join(args.run_dir, "metrics.jsonl"), "a") if rank == 0 else None
    start_tokens, start_opt_step = tokens, opt_step
    ema_p, model_p = list(ema.parameters()), list(model.parameters())
    while True:
        elapsed = time.time() - t0
        flags = torch.tensor([elapsed > args.minutes * 60 or bool(args.max_steps and step >= args.max_steps),
                              time.time() - last_eval > args.eval_every * 60], dtype=torch.int32)
        if world > 1:  # rank 0 decides, so every process steps and stops together
            dist.broadcast(flags, 0)
        done, eval_now = bool(flags[0]), bool(flags[1])
        if rank == 0 and (done or eval_now):
            metrics = evaluate(ema, val_stream, short_T, args.eval_rows, dev, bf16, byte_len, infill_eval)
            if heldout_stream is not None:
                metrics.update(evaluate(ema, heldout_stream, short_T, args.eval_rows, dev, bf16, byte_len,
                                        heldout_infill, prefix="heldout_pkg_"))
                if long_T:
                    metrics.update(evaluate(ema, heldout_stream, long_T, max(16, args.eval_rows // 4), dev, bf16, byte_len,
                                            heldout_long_infill, prefix=f"heldout_pkg_{long_T}_"))
            rec = {"step": step, "tokens": tokens, "minutes": round(elapsed / 60, 2), **metrics}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n"), log.flush()
            torch.save({"model": model.state_dict(), "ema": ema.state_dict(), "opt": opt.state_dict(), "step": step,
                        "tokens": tokens, "opt_step": opt_step, "config": cfg.to_dict(), "metrics": metrics,
                        "ema_settled": ema_settled}, state_path + ".tmp")
            os.replace(state_path + ".tmp", state_path)
            last_eval = time.time()
        if world > 1 and eval_now:
            last_eval = time.time()
        if done:
            break
        cur_lr = lr * min(1.0, (opt_step - start_opt_step + 1) / args.warmup)  # every (re)start warms up again
        if args.cooldown > 0:  # warm-up, stable, then a linear cool-down to a tenth in the last minutes of the budget
            left = max(0.0, args.minutes * 60 - elapsed)
            cur_lr *= 0.1 + 0.9 * min(1.0, left / (args.cooldown * 60))
        for g in opt.param_groups:
            g["lr"] = cur_lr
        long_step = long_T and length_rng.random() < args.long_share
        x, m, w, inp = next(long_batches if long_step else batches)
        loss = loss_fn(ddp, x, m, w, inp, dev, bf16)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        decay = args.ema if ema_settled else min(args.ema, (1 + opt_step) / (10 + opt_step))  # a young average must not lag far behind
        with torch.no_grad():
            torch._foreach_mul_(ema_p, decay)
            torch._foreach_add_(ema_p, model_p, alpha=1 - decay)
        step, opt_step, tokens = step + 1, opt_step + 1, tokens + x.numel() * world
        if rank == 0 and step % 50 == 0:
            print(f"step {step} loss {loss.item():.3f} lr {cur_lr:.2e} tok/s {(tokens - start_tokens) / (time.time() - t0):.0f}", flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
