import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denoise, type CanvasRow, type Logits } from '../../src/core/sampler';
import { sampler } from './helpers/model';

const special = { mask: 2, pad: 0, eos: 1 };
const V = 12;

/** Logits that prefer `want[p]` at canvas position p (a scripted model, to test the sampler's rules). */
function scripted(want: number[], start: number): (rows: readonly Int32Array[]) => Promise<Logits> {
  return async (rows) => {
    const T = rows[0].length;
    const data = new Float32Array(rows.length * T * V);
    for (let p = 0; p < want.length; p++) {
      const o = (start + p) * V;
      for (let v = 0; v < V; v++) data[o + v] = v === want[p] ? 5 : v === 10 ? 3 : 0;
    }
    return { data, seqLen: T, vocab: V };
  };
}

test('padding proposed before content is replaced by the best other token; padding stays a suffix', async () => {
  // Canvas of 6: the model's top choice is PAD at position 1 and at the last two positions.
  const want = [7, 0, 8, 9, 0, 0];
  const row: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 2, 2, 2, 6]), start: 1, length: 6 };
  await denoise(scripted(want, 1), [row], special, sampler({ strategy: 'confidence', steps: 3 }));
  assert.deepEqual([...row.ids], [5, 7, 10, 8, 9, 0, 0, 6]);
});

test('a rewrite keeps its minimum length: padding is refused in the first positions, by every strategy', async () => {
  for (const strategy of ['threshold', 'confidence', 'ar'] as const) {
    const row: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 2, 6]), start: 1, length: 4, minLength: 2 };
    await denoise(scripted([0, 0, 0, 0], 1), [row], special, sampler({ strategy, threshold: 0.5, steps: 4 }));
    assert.deepEqual([...row.ids], [5, 10, 10, 0, 0, 6], strategy);
  }
});

test('a canvas the model pads entirely ends empty, in one pass of the tail rule', async () => {
  const row: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 6]), start: 1, length: 3 };
  const nfe = await denoise(scripted([0, 0, 0], 1), [row], special, sampler({ strategy: 'threshold', threshold: 0.5, steps: 8 }));
  assert.deepEqual([...row.ids], [5, 0, 0, 0, 6]);
  assert.equal(nfe, 1);
});
