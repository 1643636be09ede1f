import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCopyIndex, mixCopyPrior } from '../../src/core/copyPrior';

const M = 2; // mask id in these rows

test('the copy prior proposes what followed the same tokens in the context, longest match first', () => {
  // context: 10 11 12 13 | canvas: 10 11 M M | context: 20 11 14
  const ids = Int32Array.from([10, 11, 12, 13, 10, 11, M, M, 20, 11, 14]);
  const index = buildCopyIndex(ids, 4, 4);
  const c = index.candidates(ids, 6, M);
  assert.ok(c);
  assert.equal(c.n, 2, 'matched "10 11"');
  assert.deepEqual([...c.dist], [[12, 1]]);
  // One token of context: "11" was followed by 12 and by 14.
  const ids2 = Int32Array.from([10, 11, 12, 13, 99, 11, M, M, 20, 11, 14]);
  const c2 = buildCopyIndex(ids2, 4, 4).candidates(ids2, 6, M);
  assert.equal(c2?.n, 1);
  assert.deepEqual([...(c2?.dist ?? [])].sort(), [[12, 0.5], [14, 0.5]]);
  // Nothing left of a masked position is known: no prior.
  assert.equal(index.candidates(ids, 7, M), undefined);
});

test('canvas tokens are never copied from themselves', () => {
  const ids = Int32Array.from([5, 6, 7, 8, 9]);
  const index = buildCopyIndex(ids, 0, 5);
  assert.equal(index.candidates(ids, 3, M), undefined);
});

test('mixing keeps a distribution', () => {
  const p = new Float64Array([0.5, 0.25, 0.25, 0]);
  mixCopyPrior(p, new Map([[3, 1]]), 4, 0.4);
  assert.ok(Math.abs(p.reduce((a, b) => a + b) - 1) < 1e-12);
  assert.ok(Math.abs(p[3] - 0.4) < 1e-12);
});
