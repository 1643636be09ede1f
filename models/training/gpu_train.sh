#!/usr/bin/env bash
# Train a larger configuration on one GPU (the device machine: PyTorch 2.x, no network) in one call.
#
# Here, before the call (packs the git-ignored corpus into the carried file, < 64 MiB; the held-out
# split of data/corpus-heldout/ when heldout_split.py made one):
#   bash models/training/gpu_train.sh pack
# On the GPU machine (carry models/training/data/gpu-pack.tar.xz):
#   bash models/training/gpu_train.sh run [MINUTES] [PRESET]
# Results come back under $OUT: the run's state.pt and metrics.jsonl; ship them here with
#   /usr/bin/python3 models/training/promote.py --run-dir <fetched folder>
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
data="$here/data"
case "${1:-}" in
  pack)
    # A fresh run trains on the held-out split (heldout_split.py) when there is one, so that its
    # held-out packages stay unseen; it lands in data/corpus/ on the GPU machine either way.
    if [ -f "$data/corpus-heldout/heldout.jsonl" ]; then
      tar -C "$data/corpus-heldout" --transform 's,^,corpus/,' -cJf "$data/gpu-pack.tar.xz" \
        train.jsonl val.jsonl heldout.jsonl tokens-8192-train.bin tokens-8192-val.bin tokens-8192-heldout.bin
    else
      tar -C "$data" -cJf "$data/gpu-pack.tar.xz" corpus/train.jsonl corpus/val.jsonl corpus/tokens-8192-train.bin corpus/tokens-8192-val.bin
    fi
    ls -la "$data/gpu-pack.tar.xz" ;;
  run)
    minutes=${2:-8}
    preset=${3:-base}
    out=${OUT:-$here/runs/gpu}
    mkdir -p "$out"
    tar -C "$data" -xJf "$data/gpu-pack.tar.xz"
    nvidia-smi --query-gpu=name,memory.total --format=csv || true
    python3 -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
    # One process per GPU; the data loader builds batches on the CPU cores.
    gpus=$(python3 -c "import torch; print(max(1, torch.cuda.device_count()))")
    python3 -m torch.distributed.run --standalone --nproc_per_node "$gpus" "$here/train.py" \
      --preset "$preset" --init '' --run-dir "$out" --minutes "$minutes" --eval-every 3 \
      --workers 6 --threads 2 --eval-rows 256 2>&1 | tee "$out/train.log"
    ;;
  *) echo "usage: gpu_train.sh pack | run [MINUTES] [PRESET]" >&2; exit 2 ;;
esac
