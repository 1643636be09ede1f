import { test } from 'node:test';
import assert from 'node:assert/strict';
import { denoise, loopToken, REPEAT_SPAN, spreadRepeats, type CanvasRow, type Logits } from '../../src/core/sampler';
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

test('a canvas the model pads entirely ends empty, after one model call', async () => {
  const row: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 6]), start: 1, length: 3 };
  const nfe = await denoise(scripted([0, 0, 0], 1), [row], special, sampler({ strategy: 'threshold', threshold: 0.5, steps: 8 }));
  assert.deepEqual([...row.ids], [5, 0, 0, 0, 6]);
  assert.equal(nfe, 1);
});

/**
 * A model whose belief in padding at p grows once p + 1 is padding (as a real one's does): on the
 * empty canvas it pads only the last two positions, but after a [PAD] at p + 1 it pads p too, and it
 * is surer of padding than of any content token, so padding is committed first.
 */
function cascading(start: number, length: number): (rows: readonly Int32Array[]) => Promise<Logits> {
  return async (rows) => {
    const T = rows[0].length;
    const data = new Float32Array(rows.length * T * V);
    rows.forEach((ids, r) => {
      for (let p = start; p < start + length; p++) {
        const o = (r * T + p) * V;
        const pad = p >= start + length - 2 || ids[p + 1] === special.pad;
        data[o + special.pad] = pad ? 5 : 0; // unsure of the content (P ~ 0.2) but sure of the padding (~0.9)
        data[o + 7] = 1;
      }
    });
    return { data, seqLen: T, vocab: V };
  };
}

test('the length is decided from the first model call, so committed padding does not empty the canvas', async () => {
  for (const strategy of ['threshold', 'confidence', 'entropy', 'margin'] as const) {
    const row: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 2, 2, 2, 6]), start: 1, length: 6 };
    await denoise(cascading(1, 6), [row], special, sampler({ strategy, threshold: 0.5, steps: 6 }));
    assert.deepEqual([...row.ids], [5, 7, 7, 7, 7, 0, 0, 6], strategy);
  }
});

test('padding weaker than one half does not end the fill, even where it is the most probable token', async () => {
  // P([PAD]) = e^2 / (e^2 + 10 e^0) ~ 0.42 at every position, above every other single token.
  const fwd = async (rows: readonly Int32Array[]): Promise<Logits> => {
    const T = rows[0].length;
    const data = new Float32Array(rows.length * T * V);
    for (let p = 1; p < 5; p++) data[p * V + special.pad] = 2;
    return { data, seqLen: T, vocab: V };
  };
  for (const strategy of ['confidence', 'threshold', 'ar'] as const) {
    const row: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 2, 6]), start: 1, length: 4 };
    await denoise(fwd, [row], special, sampler({ strategy, steps: 4 }));
    assert.ok([...row.ids.slice(1, 5)].every((id) => id !== special.pad && id !== special.mask), `${strategy}: ${[...row.ids].join(',')}`);
  }
});

test('sampling draws the length from the padding beliefs: different seeds, different lengths, all within the canvas', async () => {
  // P([PAD]) rises along the canvas: 0.05, 0.3, 0.6, 0.95 (logit of token 7 fixed at 0, others far below).
  const pPad = [0.05, 0.3, 0.6, 0.95];
  const fwd = async (rows: readonly Int32Array[]): Promise<Logits> => {
    const T = rows[0].length;
    const data = new Float32Array(rows.length * T * V).fill(-30);
    rows.forEach((_, r) => pPad.forEach((q, i) => {
      const o = (r * T + 1 + i) * V;
      data[o + 7] = 0;
      data[o + special.pad] = Math.log(q / (1 - q));
    }));
    return { data, seqLen: T, vocab: V };
  };
  const lengths = new Set<number>();
  for (let seed = 0; seed < 40; seed++) {
    const row: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 2, 6]), start: 1, length: 4 };
    await denoise(fwd, [row], special, sampler({ strategy: 'confidence', steps: 4, temperature: 1, topP: 1, seed }));
    const fill = [...row.ids.slice(1, 5)];
    const n = fill.findIndex((id) => id === special.pad);
    const len = n < 0 ? 4 : n;
    assert.ok(fill.slice(len).every((id) => id === special.pad), fill.join(','));
    lengths.add(len);
  }
  assert.ok(lengths.size >= 3, [...lengths].join(','));
});

test('neighbours never commit the same token in one step: the one held back is predicted again with its neighbour in view', async () => {
  // Alone, every position reads "7 goes here"; after a 7 the model knows an 8 follows.
  const forward = async (rows: readonly Int32Array[]): Promise<Logits> => {
    const T = rows[0].length;
    const data = new Float32Array(rows.length * T * V);
    for (let p = 1; p < T; p++) data[p * V + (rows[0][p - 1] === 7 ? 8 : 7)] = 5;
    return { data, seqLen: T, vocab: V };
  };
  const row: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 2, 6]), start: 1, length: 4, minLength: 4 };
  // Every position passes the threshold at once; the two within two places of the first 7 wait a
  // step. Then the first of them, next to a 7, reads 8; the second, its left neighbour still
  // masked, reads 7 again.
  const nfe = await denoise(forward, [row], special, sampler({ strategy: 'threshold', threshold: 0.5, steps: 4 }));
  assert.deepEqual([...row.ids], [5, 7, 8, 7, 7, 6]);
  assert.equal(nfe, 2);
  // A block's last step commits everything left: K steps stay K model calls.
  const same: CanvasRow = { ids: Int32Array.from([5, 2, 2, 2, 2, 6]), start: 1, length: 4, minLength: 4 };
  const calls = await denoise(scripted([7, 7, 7, 7], 1), [same], special, sampler({ strategy: 'confidence', steps: 2 }));
  assert.equal(calls, 2);
  assert.deepEqual([...same.ids], [5, 7, 7, 7, 7, 6]);
});

test('spreadRepeats keeps the first proposal, lets padding repeat, and holds back a token chosen again within REPEAT_SPAN', () => {
  const q = (pos: number, token: number) => ({ pos, token, prob: 1, score: 1 });
  assert.equal(REPEAT_SPAN, 2);
  assert.deepEqual(spreadRepeats([q(3, 4), q(4, 4), q(2, 4), q(6, 4)], 0).map((x) => x.pos), [3, 6]);
  assert.deepEqual(spreadRepeats([q(3, 0), q(4, 0)], 0).map((x) => x.pos), [3, 4]);
  // `.name.name`: the second `name` two places on waits a step; three places on it does not.
  assert.deepEqual(spreadRepeats([q(3, 4), q(4, 5), q(5, 4)], 0).map((x) => x.pos), [3, 4]);
  assert.deepEqual(spreadRepeats([q(3, 4), q(4, 5), q(6, 4)], 0).map((x) => x.pos), [3, 4, 6]);
});

test('loopToken bans the token that would start one copy too many of a unit repeated before it', () => {
  const special = { mask: 2, pad: 0, eos: 1 };
  const ids = (xs: number[]) => Int32Array.from(xs);
  // name . name . name . | → a fourth `name` (7) is banned; after two copies nothing is.
  assert.equal(loopToken(ids([7, 9, 7, 9, 7, 9, 2]), 0, 6, special), 7);
  assert.equal(loopToken(ids([7, 9, 7, 9, 2]), 0, 4, special), -1);
  // One token four times: the fifth is banned; three times stands.
  assert.equal(loopToken(ids([5, 5, 5, 5, 2]), 0, 4, special), 5);
  assert.equal(loopToken(ids([5, 5, 5, 2]), 0, 3, special), -1);
  // Three-token units, three copies.
  assert.equal(loopToken(ids([4, 5, 6, 4, 5, 6, 4, 5, 6, 2]), 0, 9, special), 4);
  // Only the fill counts (from `start`), masks break a run, padding never loops.
  assert.equal(loopToken(ids([7, 9, 7, 9, 7, 9, 2]), 1, 6, special), -1);
  assert.equal(loopToken(ids([7, 9, 7, 2, 7, 9, 2]), 0, 6, special), -1);
  assert.equal(loopToken(ids([0, 0, 0, 0, 0, 2]), 0, 5, special), -1);
});
