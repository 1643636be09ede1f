"""The speed benchmark's autoregressive anchor is a real KV-cached decoder: decoding with the cache
gives the logits of recomputing the whole causal sequence, in PyTorch and in onnxruntime-node, and
a decode fed an empty cache does not. A tiny shape, so it runs in seconds.
Run: /usr/bin/python3 -m unittest models/training/tests/test_export_ar.py
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(TRAINING))
PY = sys.executable
sys.path.insert(0, TRAINING)

from export_ar import CausalLM  # noqa: E402
from model import ModelConfig  # noqa: E402

# Large enough that export.py's int8 pass (matrices of 4,096 weights and more) quantises every matrix.
TINY = {"vocab_size": 300, "d_model": 64, "n_layers": 2, "n_heads": 2, "d_ff": 128, "max_context": 32, "rope_base": 10000.0}

# Prefill the prompt, then decode check.json's remaining tokens one at a time with the cache; next to
# each, the prefill graph over the whole sequence so far (no cache) and a decode fed zeros as cache.
NODE_CHECK = r"""
const ort = require('onnxruntime-node');
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[1];
const check = JSON.parse(fs.readFileSync(path.join(dir, 'check.json'), 'utf8'));
const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
const ids = (t) => new ort.Tensor('int64', BigInt64Array.from(t.map(BigInt)), [1, t.length]);
const cacheOf = (out) => Object.fromEntries(meta.cache.inputs.map((n, i) => [n, out[meta.cache.outputs[i]]]));
(async () => {
  const pre = await ort.InferenceSession.create(path.join(dir, 'prefill.onnx'));
  const dec = await ort.InferenceSession.create(path.join(dir, 'decode.onnx'));
  const seq = check.input_ids;
  const first = await pre.run({ input_ids: ids(seq.slice(0, check.prompt)) });
  let cache = cacheOf(first);
  const zeros = Object.fromEntries(Object.entries(cache).map(([k, t]) => [k, new ort.Tensor('float32', new Float32Array(t.size), t.dims)]));
  const rows = [{ cached: [...first.logits.data], full: [...first.logits.data], zeroed: [...first.logits.data], past: 0 }];
  for (let j = check.prompt + 1; j < seq.length + 1 && rows.length < check.argmax.length; j++) {
    const out = await dec.run({ input_ids: ids([seq[j - 1]]), ...cache });
    const zeroed = await dec.run({ input_ids: ids([seq[j - 1]]), ...zeros });
    const full = await pre.run({ input_ids: ids(seq.slice(0, j)) });
    rows.push({ cached: [...out.logits.data], full: [...full.logits.data], zeroed: [...zeroed.logits.data], past: cache['past.0.key'].dims[2],
                present: out['present.0.key'].dims });
    cache = cacheOf(out);
  }
  console.log(JSON.stringify(rows));
})().catch((e) => { console.error(e); process.exit(1); });
"""


def max_diff(a, b):
    return max(abs(x - y) for x, y in zip(a, b))


def argmax(a):
    return max(range(len(a)), key=a.__getitem__)


class ExportArTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="diffuse-ar-")
        config = os.path.join(cls.tmp, "config.json")
        with open(config, "w") as f:
            json.dump({"architecture": TINY, "onnx": {"quantization": "int8"}}, f)
        cls.dirs = {}
        for q in ("none", "int8"):
            cls.dirs[q] = os.path.join(cls.tmp, q)
            r = subprocess.run([PY, os.path.join(TRAINING, "export_ar.py"), "--config", config, "--out", cls.dirs[q],
                                "--quantize", q, "--check-prompt", "5", "--check-new", "4"],
                               cwd=ROOT, capture_output=True, text=True)
            if r.returncode != 0:
                raise AssertionError(f"export_ar.py failed:\n{r.stdout[-2000:]}\n{r.stderr[-4000:]}")

    def node_rows(self, q):
        r = subprocess.run(["node", "-e", NODE_CHECK, self.dirs[q]], cwd=ROOT, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr[-3000:])
        return json.loads(r.stdout)

    def test_torch_cache_matches_recompute(self):
        torch.manual_seed(0)
        m = CausalLM(ModelConfig(**TINY)).eval()
        ids = torch.randint(4, TINY["vocab_size"], (2, 9))
        with torch.no_grad():
            logits, cache = m(ids[:, :5])
            for t in range(5, 9):
                logits, cache = m(ids[:, t:t + 1], cache)
                full, _ = m(ids[:, :t + 1])
                self.assertLess((logits - full).abs().max().item(), 1e-5)
                self.assertEqual(cache[0][0].shape[2], t + 1)
            # Causal: what comes later changes nothing before it (the last layer's keys of the first six).
            _, short = m(ids[:, :6])
            _, long = m(ids)
            self.assertLess((short[-1][0] - long[-1][0][:, :, :6]).abs().max().item(), 1e-5)

    def test_onnx_float_decode_with_cache_equals_full_recompute(self):
        check = json.load(open(os.path.join(self.dirs["none"], "check.json")))
        rows = self.node_rows("none")
        self.assertEqual(len(rows), len(check["argmax"]))
        for j, row in enumerate(rows):
            self.assertLess(max_diff(row["cached"], row["full"]), 1e-4, f"token {j}")
            self.assertLess(max_diff(row["cached"][:64], check["logits_first64"][j]), 1e-4, f"token {j} against PyTorch")
            self.assertEqual(argmax(row["cached"]), check["argmax"][j])
        for j, row in enumerate(rows[1:], 1):
            self.assertEqual(row["past"], check["prompt"] + j - 1, "the cache grows by one per decoded token")
            self.assertEqual(row["present"][2], check["prompt"] + j)
            self.assertGreater(max_diff(row["zeroed"], row["full"]), 1e-2, "the decode reads its cache")

    def test_onnx_int8_decode_is_close_to_recompute(self):
        # Activations are quantised per call (a one-token decode and a whole-sequence pass round
        # differently), so this bound is loose; an ignored cache is still far outside it.
        rows = self.node_rows("int8")
        for row in rows[1:]:
            gap = max_diff(row["cached"], row["full"])
            self.assertLess(gap, max_diff(row["zeroed"], row["full"]) / 4)

    def test_int8_graphs_quantise_every_matrix_and_meta_names_the_shape(self):
        import onnx
        for name in ("prefill.onnx", "decode.onnx"):
            ops = [n.op_type for n in onnx.load(os.path.join(self.dirs["int8"], name)).graph.node]
            self.assertEqual(ops.count("MatMulInteger"), 4 * TINY["n_layers"] + 1, name)  # qkv, proj, fc, out; head
        meta = json.load(open(os.path.join(self.dirs["int8"], "meta.json")))
        self.assertEqual(meta["architecture"], TINY)
        self.assertEqual(meta["quantization"], "int8")
        self.assertEqual(len(meta["cache"]["inputs"]), 2 * TINY["n_layers"])


if __name__ == "__main__":
    unittest.main()
