// The runtime's per-position summary (topk.onnx: best tokens and softmax denominator) must give
// the greedy sampler exactly what its pass over the vocabulary gives: the same fills, the same
// recorded probabilities, with the real model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillBatch, type LoadedModel } from '../../src/model/fillEngine';
import { logitsAt, type Logits } from '../../src/core/sampler';
import { samplerOptions } from '../../src/engine/defaults';
import type { FillRequest } from '../../src/core/types';
import { defaultModel, TS_PREFIX, TS_SUFFIX } from './helpers/model';

/** The same model with the summary stripped from every call: the sampler's own pass over the vocabulary. */
function withoutSummary(m: LoadedModel): LoadedModel {
  const strip = (f: (rows: readonly Int32Array[]) => Promise<Logits>) => async (rows: readonly Int32Array[]) => ({ ...(await f(rows)), top: undefined });
  return { ...m, session: { ...m.session, forward: strip(m.session.forward), fillForward: (canvases) => strip(m.session.fillForward(canvases)) } };
}

const REQUESTS: FillRequest[] = [
  { prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 48 },
  { prefix: 'def mean(xs):\n    ', suffix: '\n    return total / len(xs)\n', original: 'total = sum(xs)' },
  { prefix: 'const items = [1, 2, 3];\nfor (const item of items) {\n  ', suffix: '\n}\n', original: 'console.log(item);' },
];

test('the session summarises the masked positions (best tokens and denominator) for the greedy sampler', async () => {
  const m = await defaultModel();
  const mask = m.pkg.config.special.mask;
  const ids = Int32Array.from([5, mask, 7, mask]);
  const logits = await m.session.forward([ids]);
  assert.ok(logits.top, 'the graph\'s position head (or topk.onnx next to the session module) summarises');
  assert.equal(logits.top.lse.length, 4);
  for (let at = 0; at < 4; at++) {
    if (ids[at] !== mask) {
      assert.ok(Number.isNaN(logits.top.lse[at]), 'a committed position is not summarised');
      continue;
    }
    const row = logitsAt(logits, at);
    assert.equal(row[mask], -Infinity, '[MASK] is left out');
    let best = 0;
    for (let v = 1; v < row.length; v++) if (row[v] > row[best]) best = v;
    assert.equal(Number(logits.top.indices[at * logits.top.k]), best);
    let sum = 0;
    for (const l of row) if (Number.isFinite(l)) sum += Math.exp(l - row[best]);
    assert.ok(Math.abs(Math.log(sum) + row[best] - logits.top.lse[at]) < 1e-3, `lse at ${at}`);
  }
});

for (const strategy of ['threshold', 'confidence'] as const) {
  test(`greedy fills (${strategy}) are the same with the runtime's summary as with the pass over the vocabulary`, async () => {
    const m = await defaultModel();
    const opts = samplerOptions({}, { strategy, steps: 16 });
    const fast = await fillBatch(m, REQUESTS, opts);
    const slow = await fillBatch(withoutSummary(m), REQUESTS, opts);
    assert.deepEqual(fast.texts, slow.texts);
    assert.equal(fast.nfe, slow.nfe);
    fast.confidence!.forEach((spans, i) => spans.forEach((s, j) => {
      const o = slow.confidence![i][j];
      assert.deepEqual([s.start, s.end], [o.start, o.end]);
      assert.ok(Math.abs(s.p - o.p) < 1e-4, `request ${i} token ${j}: ${s.p} vs ${o.p}`);
    }));
  });
}

test('the position head returns the full head\'s logits at the masked positions, and only there', async () => {
  const m = await defaultModel();
  const c = m.pkg.config;
  assert.equal(c.positions, 'positions', 'the bundled model carries the position head (models/onnx_head.py)');
  const mask = c.special.mask;
  const rows = [Int32Array.from([40, 41, mask, 43, mask, 45]), Int32Array.from([50, mask, 52, 53, 54, 55])];
  const logits = await m.session.forward(rows);
  assert.ok(logits.slots, 'only the asked positions come back');
  // The same graph asked for every position, its full `logits` output read.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
  const session = await ort.InferenceSession.create(m.pkg.onnxPath, { intraOpNumThreads: 1 });
  const T = 6;
  const ids = BigInt64Array.from(rows.flatMap((r) => [...r]), BigInt);
  const feeds: Record<string, import('onnxruntime-node').Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [2, T]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(2 * T).fill(1n), [2, T]),
    positions: new ort.Tensor('int64', BigInt64Array.from([0n]), [1]),
  };
  // The graph's context cache inputs, when it has them: whole rows at 0 .. T - 1, no past.
  const k = c.cache;
  if (k) {
    feeds[k.positionIds] = new ort.Tensor('int64', BigInt64Array.from({ length: 2 * T }, (_, i) => BigInt(i % T)), [2, T]);
    feeds[k.pastMask] = new ort.Tensor('int64', new BigInt64Array(0), [2, 0]);
    for (let l = 0; l < k.layers; l++) {
      for (const kind of ['key', 'value']) feeds[k.past.replace('{layer}', String(l)).replace('{kind}', kind)] = new ort.Tensor('float32', new Float32Array(0), [2, k.heads, 0, k.headDim]);
    }
  }
  const full = (await session.run(feeds, ['logits'])).logits.data as Float32Array;
  await session.release();
  const V = c.vocabSize;
  let compared = 0;
  rows.forEach((r, b) => r.forEach((id, t) => {
    const at = b * T + t;
    if (id !== mask) {
      assert.throws(() => logitsAt(logits, at), /only the masked positions/);
      return;
    }
    const here = logitsAt(logits, at);
    assert.equal(here[mask], -Infinity, '[MASK] is left out');
    let diff = 0;
    for (let v = 0; v < V; v++) if (v !== mask) diff = Math.max(diff, Math.abs(here[v] - full[at * V + v]));
    assert.ok(diff < 1e-4, `position ${at}: the head's logits differ from the full ones by ${diff}`);
    compared++;
  }));
  assert.equal(compared, 3);
});
