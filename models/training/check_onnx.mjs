// Compares an exported model.onnx in onnxruntime-node with the PyTorch logits that export.py saved.
//   node models/training/check_onnx.mjs models/diffuse-code-mini
// Prints one JSON line: max abs logit difference, argmax agreement, ms per forward at T=128/256, and
// for a graph with the position head (models/onnx_head.py) how far its logits at every position are
// from the full logits and whether its best token is their argmax ([MASK] left out).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node');
const dir = process.argv[2];
const check = JSON.parse(fs.readFileSync(path.join(dir, 'check.json'), 'utf8'));
const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));

const positionHead = session.inputNames.includes('positions');
const mask = config.special_tokens.mask;

/** The inputs; a graph with the position head is asked for every position. */
function feeds(rows, att) {
  const B = rows.length;
  const T = rows[0].length;
  const f = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, T]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(att.flat().map(BigInt)), [B, T]),
  };
  if (positionHead) f.positions = new ort.Tensor('int64', BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i)), [B * T]);
  return f;
}

const all = await session.run(feeds(check.input_ids, check.attention_mask));
const out = all.logits;
const [B, T, V] = out.dims;
let maxDiff = 0;
let agree = 0;
let total = 0;
for (let b = 0; b < B; b++) {
  for (let t = 0; t < T; t++) {
    const row = out.data.subarray((b * T + t) * V, (b * T + t + 1) * V);
    for (let v = 0; v < 64; v++) maxDiff = Math.max(maxDiff, Math.abs(row[v] - check.logits_sample[b][t][v]));
    let best = 0;
    for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
    if (check.attention_mask[b][t]) {
      total++;
      if (best === check.argmax[b][t]) agree++;
    }
  }
}
const timing = {};
for (const len of [128, 256]) {
  if (len > config.max_context) continue;
  const ids = [Array.from({ length: len }, (_, i) => 4 + ((i * 37) % (config.vocab_size - 4)))];
  const f = feeds(ids, [ids[0].map(() => 1)]);
  await session.run(f);
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) await session.run(f);
  timing[`ms_T${len}`] = +((performance.now() - t0) / 5).toFixed(1);
}
const head = {};
if (positionHead) {
  const [, , V2] = out.dims;
  let diff = 0;
  let topAgree = 0;
  for (let i = 0; i < all.lse.dims[0]; i++) {
    let best = -1;
    for (let v = 0; v < V2; v++) {
      const full = out.data[i * V2 + v];
      if (v === mask) continue;
      diff = Math.max(diff, Math.abs(full - all.logits_at.data[i * V2 + v]));
      if (best < 0 || full > out.data[i * V2 + best]) best = v;
    }
    if (Number(all.top_indices.data[i * all.top_indices.dims[1]]) === best) topAgree++;
  }
  head.position_head = { max_abs_diff: +diff.toFixed(6), top1_is_argmax: `${topAgree}/${all.lse.dims[0]}` };
}
console.log(JSON.stringify({ dims: out.dims, max_abs_diff_first64: +maxDiff.toFixed(5), argmax_agreement: `${agree}/${total}`, ...timing, ...head }));
