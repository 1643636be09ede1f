// The context cache of the bundled graph (config.json onnx.cache, model/session.ts): a fill's first
// call runs the whole rows and keeps the keys and values of the code around the canvases; the calls
// after it run the canvases alone against them. Checked against the whole-row calls of the same
// real model, on rows of real code with canvases of different lengths and places in one batch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logits } from '../../src/core/sampler';
import { canvasBatch, contextOf, holdsContext, packPast, pastMask } from '../../src/model/contextCache';
import { fillBatch, layoutRequest, loadModel, type LoadedModel } from '../../src/model/fillEngine';
import type { FillRequest } from '../../src/core/types';
import { defaultModel, MODEL_DIR, sampler, SUM_SOURCE, TS_PREFIX, TS_SUFFIX } from './helpers/model';

const REQUESTS: FillRequest[] = [
  { prefix: TS_PREFIX, suffix: TS_SUFFIX, original: 'return hi;' },
  { prefix: SUM_SOURCE.slice(0, SUM_SOURCE.indexOf('sum += item;')), suffix: SUM_SOURCE.slice(SUM_SOURCE.indexOf('sum += item;') + 12), original: 'sum += item;' },
  { prefix: 'def mean(xs):\n    ', suffix: '\n    return total / len(xs)\n', original: 'total = sum(xs)' },
];

function rowsOf(m: LoadedModel): Array<{ ids: Int32Array; start: number; length: number }> {
  return REQUESTS.map((r) => {
    const l = layoutRequest(m, r);
    return { ids: Int32Array.from(l.ids), start: l.start, length: l.length };
  });
}

/** Per masked position of `rows`: the best token and the softmax denominator. */
function summary(l: Logits, rows: readonly Int32Array[], mask: number): Array<{ at: number; best: number; lse: number }> {
  assert.ok(l.top, 'the bundled graph summarises the masked positions');
  const out: Array<{ at: number; best: number; lse: number }> = [];
  rows.forEach((r, b) => r.forEach((id, t) => {
    if (id !== mask) return;
    const at = b * l.seqLen + t;
    out.push({ at, best: Number(l.top!.indices[at * l.top!.k]), lse: l.top!.lse[at] });
  }));
  return out;
}

test('the bundled graph declares a context cache', async () => {
  const m = await defaultModel();
  assert.ok(m.pkg.config.cache, 'config.json onnx.cache');
  assert.equal(m.pkg.config.cache.layers, 6);
});

test('a fill\'s first call is the whole rows\' call; the next ones, canvases alone, agree with it', async () => {
  const m = await defaultModel();
  const mask = m.pkg.config.special.mask;
  const rows = rowsOf(m);
  const ids = rows.map((r) => r.ids);
  assert.ok(new Set(rows.map((r) => r.start)).size > 1 && new Set(rows.map((r) => r.ids.length)).size > 1, 'canvases at different places in rows of different lengths');
  const whole = summary(await m.session.forward(ids), ids, mask);
  const call = m.session.fillForward(rows);
  const first = summary(await call(ids), ids, mask);
  assert.deepEqual(first, whole, 'the first call runs the whole rows');
  // The same rows again: the canvases alone, against the kept keys and values. Only the int8
  // activations' scale (per tensor, over fewer rows) differs from the whole-row call.
  const second = summary(await call(ids), ids, mask);
  assert.equal(second.length, whole.length);
  const agree = second.filter((s, i) => s.best === whole[i].best).length;
  const lseDiff = Math.max(...second.map((s, i) => Math.abs(s.lse - whole[i].lse)));
  assert.ok(agree / whole.length >= 0.9, `best tokens agree at ${agree} of ${whole.length} positions`);
  assert.ok(lseDiff < 0.5, `softmax denominators differ by up to ${lseDiff}`);
});

test('a canvas\'s committed tokens are seen by the calls after the first; the code around it is kept', async () => {
  const m = await defaultModel();
  const mask = m.pkg.config.special.mask;
  const rows = rowsOf(m);
  const call = m.session.fillForward(rows);
  const ids = rows.map((r) => Int32Array.from(r.ids));
  await call(ids);
  // Commit the first half of every canvas with the tokens the whole-row model ranks best.
  const l = await m.session.forward(ids);
  rows.forEach((r, b) => {
    for (let t = r.start; t < r.start + Math.floor(r.length / 2); t++) ids[b][t] = Number(l.top!.indices[(b * l.seqLen + t) * l.top!.k]);
  });
  const whole = summary(await m.session.forward(ids), ids, mask);
  const cached = summary(await call(ids), ids, mask);
  assert.deepEqual(cached.map((c) => c.at), whole.map((w) => w.at), 'the still masked positions, by their place in the whole rows');
  const agree = cached.filter((c, i) => c.best === whole[i].best).length;
  assert.ok(agree / whole.length >= 0.8, `best tokens agree with the whole rows' at ${agree} of ${whole.length} positions`);
});

test('rows whose code around the canvas changed are run whole again', async () => {
  const m = await defaultModel();
  const mask = m.pkg.config.special.mask;
  const rows = rowsOf(m);
  const call = m.session.fillForward(rows);
  await call(rows.map((r) => r.ids));
  const changed = rows.map((r) => Int32Array.from(r.ids));
  changed[1][0] = changed[1][0] === 100 ? 101 : 100;
  assert.deepEqual(summary(await call(changed), changed, mask), summary(await m.session.forward(changed), changed, mask));
});

test('fills with and without the context cache both complete every canvas', async () => {
  const m = await defaultModel();
  for (const contextCache of [true, false]) {
    const out = await fillBatch(m, REQUESTS, sampler({ contextCache }));
    assert.equal(out.texts.length, REQUESTS.length);
    out.texts.forEach((t, i) => assert.ok(!t.includes('\u2591'), `request ${i} (cache ${contextCache}) left masks: ${JSON.stringify(t)}`));
    assert.ok(out.nfe >= 1 && out.nfe <= 16);
  }
});

function copyWithCache(edit: (cache: Record<string, unknown>) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-cache-'));
  for (const f of ['model.onnx', 'tokenizer.json']) fs.copyFileSync(path.join(MODEL_DIR, f), path.join(dir, f));
  const config = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'config.json'), 'utf8'));
  edit(config.onnx.cache);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

test('a context cache that config.json names but the graph lacks fails at load, naming the tensor', async () => {
  const dir = copyWithCache((c) => (c.position_ids = 'pos_ids'));
  await assert.rejects(loadModel(dir, 'cpu'), (e: Error) => e.name === 'ModelPackageError' && /context cache's input "pos_ids"/.test(e.message));
  const dir2 = copyWithCache((c) => (c.present = 'kv.{layer}.{kind}'));
  await assert.rejects(loadModel(dir2, 'cpu'), (e: Error) => /context cache's output "kv\.0\.key"/.test(e.message));
});

test('a malformed context cache in config.json is reported with the key to fix', async () => {
  const dir = copyWithCache((c) => (c.past = 'past.key'));
  await assert.rejects(loadModel(dir, 'cpu'), (e: Error) => e.name === 'ModelPackageError' && /"onnx\.cache\.past" must be a tensor name holding \{layer\} and \{kind\}/.test(e.message));
  const dir2 = copyWithCache((c) => (c.heads = 0));
  await assert.rejects(loadModel(dir2, 'cpu'), (e: Error) => /"onnx\.cache\.heads" must be positive/.test(e.message));
});

test('the code around each canvas: its tokens and positions, its packed keys and values, its mask', () => {
  const rows = [Int32Array.from([10, 11, 2, 2, 14]), Int32Array.from([20, 2, 22])];
  const spans = [{ start: 2, length: 2 }, { start: 1, length: 1 }];
  const ctx = contextOf(rows, spans);
  assert.deepEqual(ctx.ids.map((x) => [...x]), [[10, 11, 14], [20, 22]]);
  assert.deepEqual(ctx.at.map((x) => [...x]), [[0, 1, 4], [0, 2]]);
  assert.ok(holdsContext(ctx, rows.map((r) => Int32Array.from(r, (id) => (id === 2 ? 7 : id))), spans), 'canvas tokens are not the context');
  assert.ok(!holdsContext(ctx, [rows[0], Int32Array.from([21, 2, 22])], spans), 'a changed token around the canvas is');
  assert.ok(!holdsContext(ctx, rows, [spans[0], { start: 0, length: 1 }]), 'and so is a moved canvas');
  // present [B=2, heads=1, T=5, headDim=2]: the value at (b, t, d) is 100 b + 10 t + d.
  const T = 5;
  const present = Float32Array.from({ length: 2 * T * 2 }, (_, i) => 100 * Math.floor(i / (T * 2)) + 10 * Math.floor((i % (T * 2)) / 2) + (i % 2));
  const packed = packPast(present, ctx, 1, 2, T);
  assert.equal(packed.P, 3);
  assert.deepEqual([...packed.data], [0, 1, 10, 11, 40, 41, 100, 101, 120, 121, 0, 0]);
  assert.deepEqual([...pastMask(ctx).data], [1n, 1n, 1n, 1n, 1n, 0n]);
});

test('a later call\'s batch: the canvases alone at their positions; masked positions in both numberings', () => {
  const rows = [Int32Array.from([10, 11, 2, 13, 2]), Int32Array.from([20, 2, 22])];
  const b = canvasBatch(rows, [{ start: 2, length: 3 }, { start: 1, length: 1 }], 2, 0);
  assert.equal(b.N, 3);
  assert.equal(b.T, 5);
  assert.deepEqual([...b.ids], [2n, 13n, 2n, 2n, 0n, 0n]);
  assert.deepEqual([...b.attention], [1n, 1n, 1n, 1n, 0n, 0n]);
  assert.deepEqual([...b.positions], [2n, 3n, 4n, 1n, 0n, 0n]);
  assert.deepEqual(b.asked, [0, 2, 3]);
  assert.deepEqual(b.masked, [2, 4, 6]);
});
