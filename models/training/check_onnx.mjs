// Compares an exported model.onnx in onnxruntime-node with the PyTorch logits that export.py saved.
//   node models/training/check_onnx.mjs models/diffuse-code-mini
// Prints one JSON line: max abs logit difference, argmax agreement, ms per forward at T=128/256, and
// for a graph with the position head (models/onnx_head.py) how far its logits at every position are
// from the full logits and whether its best token is their argmax ([MASK] left out), and for a graph
// with the context cache (config.json onnx.cache) the same comparison for a canvas run against the
// cached code around it.
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
const cache = config.onnx.cache;
const mask = config.special_tokens.mask;

/** The inputs; a graph with the position head is asked for every position, one with the context cache gets no past. */
function feeds(rows, att) {
  const B = rows.length;
  const T = rows[0].length;
  const f = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(rows.flat().map(BigInt)), [B, T]),
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(att.flat().map(BigInt)), [B, T]),
  };
  if (positionHead) f.positions = new ort.Tensor('int64', BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i)), [B * T]);
  if (cache) {
    f[cache.position_ids] = new ort.Tensor('int64', BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T)), [B, T]);
    f[cache.past_mask] = new ort.Tensor('int64', new BigInt64Array(0), [B, 0]);
    for (let l = 0; l < cache.layers; l++) {
      for (const kind of ['key', 'value']) f[cache.past.replace('{layer}', l).replace('{kind}', kind)] = new ort.Tensor('float32', new Float32Array(0), [B, cache.heads, 0, cache.head_dim]);
    }
  }
  return f;
}

const all = await session.run(feeds(check.input_ids, check.attention_mask), ['logits', ...(positionHead ? ['logits_at', 'top_indices', 'lse'] : [])]);
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
  const fetch = positionHead ? ['top_indices', 'lse'] : ['logits'];
  await session.run(f, fetch);
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) await session.run(f, fetch);
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
// The context cache: the code around a canvas with no past, then the canvas against its keys and values.
const cached = {};
if (cache && check.cached) {
  const k = check.cached;
  const t = (type, data, dims) => new ort.Tensor(type, type === 'int64' ? BigInt64Array.from(data.map(BigInt)) : Float32Array.from(data), dims);
  const names = (pattern) => Array.from({ length: cache.layers }, (_, l) => ['key', 'value'].map((kind) => pattern.replace('{layer}', l).replace('{kind}', kind))).flat();
  const P = k.context_ids.length;
  const N = k.canvas_ids.length;
  const first = { ...feeds([k.context_ids], [k.context_ids.map(() => 1)]), [cache.position_ids]: t('int64', k.context_positions, [1, P]) };
  const present = await session.run(first, names(cache.present));
  const second = { ...feeds([k.canvas_ids], [k.canvas_ids.map(() => 1)]), [cache.position_ids]: t('int64', k.canvas_positions, [1, N]), [cache.past_mask]: t('int64', k.context_ids.map(() => 1), [1, P]) };
  names(cache.past).forEach((name, i) => (second[name] = present[names(cache.present)[i]]));
  const logits = (await session.run(second, ['logits'])).logits;
  let diff = 0;
  let same = 0;
  for (let i = 0; i < N; i++) {
    const row = logits.data.subarray(i * V, (i + 1) * V);
    for (let v = 0; v < 64; v++) diff = Math.max(diff, Math.abs(row[v] - k.logits_sample[i][v]));
    let best = 0;
    for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
    if (best === k.argmax[i]) same++;
  }
  cached.context_cache = { max_abs_diff_first64: +diff.toFixed(5), argmax_agreement: `${same}/${N}` };
}
console.log(JSON.stringify({ dims: out.dims, max_abs_diff_first64: +maxDiff.toFixed(5), argmax_agreement: `${agree}/${total}`, ...timing, ...head, ...cached }));
