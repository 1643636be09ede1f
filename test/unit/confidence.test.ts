// The confidence record: from the sampler's commits (a scripted model), through the tokenizer's
// spans and the real model's fills, through the edit pipeline's reshaping (a scripted backend), to
// the review's hunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carryChars, carrySpans, leastCertain, marginConfidence, percent, spansWithin, toChars, toSpans } from '../../src/core/confidence';
import { counterIds } from '../../src/core/hunks';
import { hunkConfidence, isLowConfidence, planReview, ReviewState, pendingHunks } from '../../src/core/review';
import { denoise, type CanvasRow, type Logits } from '../../src/core/sampler';
import type { FillBackend, TokenConfidence } from '../../src/core/types';
import { fillBatch } from '../../src/model/fillEngine';
import { runEdit } from '../../src/engine/edit';
import { defaultModel, sampler, TS_PREFIX, TS_SUFFIX } from './helpers/model';

const special = { mask: 2, pad: 0, eos: 1 };
const V = 8;

/**
 * A scripted model: position p of the canvas prefers token want[p] with logit `sure[p]` over 0 for
 * every other token, so the probability it commits at is known in closed form.
 */
function scripted(want: number[], sure: number[], start: number): (rows: readonly Int32Array[]) => Promise<Logits> {
  return async (rows) => {
    const T = rows[0].length;
    const data = new Float32Array(rows.length * T * V);
    for (let p = 0; p < want.length; p++) data[(start + p) * V + want[p]] = sure[p];
    return { data, seqLen: T, vocab: V };
  };
}

/** softmax probability of a token with logit `l` against V - 2 others at 0 ([MASK] is excluded). */
const probOf = (l: number): number => Math.exp(l) / (Math.exp(l) + (V - 2));

test('the sampler records the probability each token had when it was committed', async () => {
  const want = [3, 4, 5, 6];
  const sure = [4, 1, 6, 2.5];
  for (const strategy of ['confidence', 'threshold', 'ar'] as const) {
    const row: CanvasRow = { ids: Int32Array.from([7, 2, 2, 2, 2, 7]), start: 1, length: 4, minLength: 4, probs: new Float32Array(6).fill(NaN) };
    await denoise(scripted(want, sure, 1), [row], special, sampler({ strategy, steps: 2, threshold: 0.9 }));
    assert.deepEqual([...row.ids.slice(1, 5)], want, strategy);
    [...row.probs!.slice(1, 5)].forEach((p, i) => assert.ok(Math.abs(p - probOf(sure[i])) < 1e-6, `${strategy}: position ${i}: ${p} vs ${probOf(sure[i])}`));
    assert.ok(Number.isNaN(row.probs![0]) && Number.isNaN(row.probs![5]), 'context positions record nothing');
  }
});

test('a warm or cool draw records the temperature-1 probability, not the sharpened one', async () => {
  const row: CanvasRow = { ids: Int32Array.from([7, 2, 2, 7]), start: 1, length: 2, minLength: 2, probs: new Float32Array(4).fill(NaN) };
  // Sure enough that the draw at temperature 0.3 takes the scripted token.
  await denoise(scripted([3, 4], [12, 12], 1), [row], special, sampler({ strategy: 'confidence', steps: 2, temperature: 0.3, seed: 1 }));
  assert.deepEqual([...row.ids.slice(1, 3)], [3, 4]);
  for (const p of row.probs!.slice(1, 3)) assert.ok(Math.abs(p - probOf(12)) < 1e-6, `${p}`);
});

test('spans and per-character arrays: whitespace trimmed, carried across a rewrite by what the texts share', () => {
  const text = 'let x = foo(1);';
  const spans: TokenConfidence[] = [{ start: 0, end: 3, p: 0.9 }, { start: 3, end: 5, p: 0.4 }, { start: 8, end: 11, p: 0.2 }];
  assert.deepEqual(toSpans(text, toChars(text.length, spans)), [{ start: 0, end: 3, p: 0.9 }, { start: 4, end: 5, p: 0.4 }, { start: 8, end: 11, p: 0.2 }]);
  // Re-indented and a bracket added by a fixer: the model's tokens keep their values, the fixer's text has none.
  const moved = carrySpans(text, spans, '    let x = foo(1));');
  assert.deepEqual(moved?.map(s => [s.start, s.end, Math.round(s.p * 10) / 10]), [[4, 7, 0.9], [8, 9, 0.4], [12, 15, 0.2]]);
  assert.equal(carrySpans(text, undefined, text), undefined, 'no confidence stays none');
  const chars = carryChars('abc', Float32Array.from([0.1, 0.2, 0.3]), 'xyz');
  assert.ok([...chars].every(Number.isNaN), 'nothing shared, nothing carried');
  assert.deepEqual(spansWithin(spans, 4, 10), [{ start: 0, end: 1, p: 0.4 }, { start: 4, end: 6, p: 0.2 }]);
  assert.equal(leastCertain(spans)?.p, 0.2);
  assert.ok(Math.abs(marginConfidence(0) - 0.5) < 1e-12 && marginConfidence(3) > 0.95);
  assert.deepEqual([percent(0.999), percent(0.001), percent(0.62)], ['99%', '1%', '62%']);
});

test('review hunks carry the confidence of their added text; low-confidence hunks are rejected in one go', () => {
  const base = 'a = 1\nb = 2\nc = 3\nd = 4\n';
  const newText = 'a = 1\nb = 20\nc = 3\nd = 40\n';
  const conf: TokenConfidence[] = [{ start: 6, end: 7, p: 0.9 }, { start: 10, end: 12, p: 0.3 }, { start: 19, end: 20, p: 0.95 }, { start: 23, end: 25, p: 0.8 }];
  const plan = planReview({ docId: 'd', version: 1, baseText: base, range: { start: 0, end: base.length }, newText, confidence: conf }, counterIds());
  const hunks = pendingHunks(plan);
  assert.deepEqual(hunks.map(h => [h.added, h.confidence?.map(s => h.added.slice(s.start, s.end))]), [['b = 20\n', ['b', '20']], ['d = 40\n', ['d', '40']]]);
  assert.deepEqual(hunks.map(h => hunkConfidence(h)), [0.3, 0.8]);
  assert.deepEqual(hunks.map(h => isLowConfidence(h, 0.5)), [true, false]);
  const state = new ReviewState(hunks);
  assert.equal(state.nextBelow(0, 0.5)?.id, hunks[0].id);
  assert.equal(state.nextBelow(hunks[0].range.start, 0.5)?.id, hunks[0].id, 'wraps around to the only one');
  const edits = state.rejectMany(hunks.filter(h => isLowConfidence(h, 0.5)).map(h => h.id));
  assert.deepEqual(edits, [{ range: hunks[0].range, text: 'b = 2\n' }]);
  assert.deepEqual(state.pending.map(h => h.id), [hunks[1].id]);
  const none = pendingHunks(planReview({ docId: 'd', version: 1, baseText: base, range: { start: 0, end: base.length }, newText }, counterIds()));
  assert.deepEqual(none.map(h => hunkConfidence(h)), [undefined, undefined], 'no confidence given, none invented');
});

test('the edit pipeline carries the backend\'s confidence through re-indentation to the result', async () => {
  // The model answers the chunk flush left; the pipeline indents it like the code it replaces.
  const backend: FillBackend = {
    id: 'scripted',
    describe: () => 'scripted',
    fill: async (requests) => ({
      texts: requests.map(() => 'return a + b;\n'),
      confidence: requests.map(() => [{ start: 0, end: 6, p: 0.9 }, { start: 6, end: 8, p: 0.7 }, { start: 8, end: 10, p: 0.3 }, { start: 10, end: 14, p: 0.6 }]),
      nfe: 1, ms: 0, canvasTokens: requests.map(() => 8),
    }),
    dispose: async () => undefined,
  };
  const doc = 'function add(a: number, b: number): number {\n  return a - b;\n}\n';
  const start = doc.indexOf('  return');
  const result = await runEdit(backend, {
    docText: doc, range: { start, end: doc.indexOf('}') }, languageId: 'typescript', anchoring: 'lines',
    sampler: sampler(), maxCanvasTokens: 200, countTokens: (t) => Math.ceil(t.length / 3), repairRounds: 0,
  });
  assert.equal(result.newText.trim(), 'return a + b;');
  const shown = result.confidence!.map(s => [result.newText.slice(s.start, s.end), s.p]);
  assert.deepEqual(shown.map(([t]) => t), ['return', 'a', '+', 'b;']);
  assert.deepEqual(shown.map(([, p]) => Math.round((p as number) * 10) / 10), [0.9, 0.7, 0.3, 0.6]);
});

test('a backend without confidence gives an edit without confidence', async () => {
  const backend: FillBackend = {
    id: 'plain', describe: () => 'plain', dispose: async () => undefined,
    fill: async (requests) => ({ texts: requests.map(() => '  return a + b;\n'), nfe: 1, ms: 0, canvasTokens: requests.map(() => 8) }),
  };
  const doc = 'function add(a: number, b: number): number {\n  return a - b;\n}\n';
  const start = doc.indexOf('  return');
  const result = await runEdit(backend, {
    docText: doc, range: { start, end: doc.indexOf('}') }, languageId: 'typescript', anchoring: 'lines', sampler: sampler(), maxCanvasTokens: 200, repairRounds: 0,
  });
  assert.equal(result.confidence, undefined);
});

test('the real model\'s fill: one span per token, covering the text it wrote, each a probability', async () => {
  const m = await defaultModel();
  const out = await fillBatch(m, [{ prefix: TS_PREFIX, suffix: TS_SUFFIX, maxTokens: 24 }], sampler());
  const text = out.texts[0];
  const spans = out.confidence![0];
  assert.ok(spans.length > 0 && text.trim().length > 0);
  let at = 0;
  for (const s of spans) {
    assert.ok(s.start >= at && s.end > s.start && s.end <= text.length, JSON.stringify(s));
    assert.ok(s.p > 0 && s.p <= 1, `${s.p}`);
    at = s.end;
  }
  assert.equal(spans[spans.length - 1].end, text.length, 'the last token ends the text');
  // Decoding token by token covers the text exactly: the spans tile it.
  assert.equal(spans.reduce((n, s) => n + (s.end - s.start), 0), text.length);
});

test('token ends with characters split across tokens: the character belongs to the token with its last byte', async () => {
  const m = await defaultModel();
  const text = 'const café = "naïve — 🙂";';
  const ids = m.tokenizer.encode(text);
  const { text: decoded, ends } = m.tokenizer.decodeWithEnds(ids);
  assert.equal(decoded, text);
  assert.equal(ends[ends.length - 1], text.length);
  for (let i = 1; i < ends.length; i++) assert.ok(ends[i] >= ends[i - 1]);
  // Every end falls on a character boundary (never inside a surrogate pair).
  for (const e of ends) assert.ok(e === text.length || !(text.charCodeAt(e) >= 0xdc00 && text.charCodeAt(e) <= 0xdfff), `end ${e} splits a surrogate pair`);
});
