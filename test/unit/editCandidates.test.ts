import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FillBackend, FillRequest, SamplerOptions } from '../../src/core/types';
import { allotCandidates, fillSpans, pickCandidate } from '../../src/engine/candidates';
import { RegionText } from '../../src/engine/region';
import { runEdit } from '../../src/engine/edit';
import { FINAL_CANDIDATES, FINAL_TEMPERATURES, WHOLE_REFILL_TOKENS } from '../../src/engine/syntaxRepair';
import { fillBatch } from '../../src/model/fillEngine';
import { validateFill } from '../../src/syntax';
import { defaultModel, sampler, TS_PREFIX, TS_SUFFIX } from './helpers/model';

test('pickCandidate: a blanking candidate loses to any other, then fewest errors, ties to the first', () => {
  assert.equal(pickCandidate([{ text: '', errors: 0, blanks: true }, { text: 'x(', errors: 3, blanks: false }]), 1);
  assert.equal(pickCandidate([{ text: 'a(', errors: 2, blanks: false }, { text: 'b', errors: 0, blanks: false }, { text: 'c', errors: 0, blanks: false }]), 1);
  assert.equal(pickCandidate([{ text: 'a', errors: 1, blanks: false }, { text: 'b', errors: 1, blanks: false }]), 0);
  assert.equal(pickCandidate([]), -1);
  // At equal errors some text beats none: an empty insertion parses but answers nothing.
  assert.equal(pickCandidate([{ text: ' \n', errors: 0, blanks: false }, { text: 'x = 1;', errors: 0, blanks: false }]), 1);
});

test('allotCandidates: all wanted within budget; past it, fewer each, smallest spans first, never over budget', () => {
  assert.deepEqual(allotCandidates([10, 20], 4, 100), [4, 4]);
  // 3 spans, 4 wanted each, 6 rows: two each.
  assert.deepEqual(allotCandidates([30, 10, 20], 4, 6), [2, 2, 2]);
  // 7 rows: the extra row goes to the smallest span.
  assert.deepEqual(allotCandidates([30, 10, 20], 4, 7), [2, 3, 2]);
  // Fewer rows than spans: one each for the smallest spans, none for the rest.
  assert.deepEqual(allotCandidates([30, 10, 20], 4, 2), [0, 1, 1]);
  assert.deepEqual(allotCandidates([30, 10], 4, 0), [0, 0]);
  for (const budget of [0, 1, 5, 9, 13, 40]) {
    const counts = allotCandidates([5, 1, 9, 3, 7], 3, budget);
    assert.ok(counts.reduce((a, b) => a + b, 0) <= budget, `over budget ${budget}: ${counts}`);
    assert.ok(counts.every((c) => c <= 3));
  }
});

test('RegionText keeps chunk places as spans are replaced, an empty chunk included', () => {
  const doc = 'A<aaa|bbb|ccc>Z';
  const r = new RegionText(doc, { start: 2, end: 13 }, ['x', '', 'yy']);
  assert.equal(r.doc, 'A<xyy>Z');
  r.replaceChunks([1], ['MID']);
  assert.equal(r.text, 'xMIDyy');
  assert.equal(r.chunkText(1), 'MID');
  r.replaceAll([{ start: 3, end: 4 }], ['----']); // the 'M' (the region starts at document offset 2)
  assert.equal(r.text, 'x----IDyy');
  assert.equal(r.chunkText(2), 'yy');
  assert.deepEqual(r.chunkSpan(2), { start: 2 + 7, end: 2 + 9 });
});

/** A backend whose answer depends on the request and on the row's place in its call. */
function scripted(fillFor: (r: FillRequest, call: number, row: number, s: SamplerOptions) => string) {
  const calls: Array<{ requests: FillRequest[]; sampler: SamplerOptions }> = [];
  const backend: FillBackend = {
    id: 'scripted',
    describe: () => 'scripted',
    fill: async (requests, s) => {
      calls.push({ requests: [...requests], sampler: s });
      return { texts: requests.map((r, i) => fillFor(r, calls.length, i, s)), nfe: 1, ms: 0, canvasTokens: requests.map(() => 0) };
    },
    dispose: async () => undefined,
  };
  return { backend, calls };
}

const count = (t: string) => Math.ceil(t.length / 3);
const base = { languageId: 'typescript', anchoring: 'exact' as const, sampler: sampler(), maxCanvasTokens: 120, countTokens: count, slack: 0.25 };

test('a repair round asks for several sampled candidates of a span in one call and keeps one that parses', async () => {
  const doc = 'function f(a: number): number {\n  const b = a + 1;\n  return b;\n}\n';
  const start = doc.indexOf('const');
  const end = doc.indexOf('\n}');
  const { backend, calls } = scripted((_r, call, row) =>
    // The first fill breaks the statement; of the re-fills only the third row is well-formed.
    call === 1 ? 'const b = a + ((;\n  return b;' : row === 2 ? 'const b = a * 2;\n  return b;' : 'const b = (;\n  return b;');
  const result = await runEdit(backend, { ...base, docText: doc, range: { start, end }, candidates: 4 });
  assert.equal(result.syntaxOkBeforeRepair, false);
  assert.equal(result.syntaxOk, true);
  assert.match(result.newText, /a \* 2/);
  const repair = calls[1];
  assert.equal(repair.requests.length, 4, 'one row per candidate');
  assert.ok(repair.requests.every((r) => r.prefix === repair.requests[0].prefix && r.suffix === repair.requests[0].suffix));
  assert.ok(repair.sampler.temperature > 0, 'candidates are sampled, so the rows differ');
  assert.equal(result.repairRows, 4);
  assert.equal(result.variantFills, 0, 'a sample that parses is kept as the model wrote it');
});

test('a chunk that comes back blank is filled again; the blank is not kept while a candidate has code', async () => {
  const doc = 'let a = 1;\nlet b = 2;\n';
  const { backend, calls } = scripted((_r, call, row) => (call === 1 || row === 0 ? '' : 'let a = 3;\nlet b = 4;'));
  const result = await runEdit(backend, { ...base, docText: doc, range: { start: 0, end: doc.length - 1 } });
  assert.equal(result.syntaxOkBeforeRepair, false, 'a blank fill is not a fill');
  assert.equal(result.newText, 'let a = 3;\nlet b = 4;');
  assert.ok(calls[1].requests.every((r) => r.original === doc.slice(0, -1)), 'the canvas is sized by the code it replaces');
});

test('the repair stays within its row budget on a large broken edit, and stops with a zero budget', async () => {
  const doc = Array.from({ length: 200 }, (_, i) => `let a${i} = ${i};`).join('\n') + '\n';
  const range = { start: 0, end: doc.length - 1 };
  const broken = (r: FillRequest) => (r.original ?? '').replace(/= \d+;/g, '= ((((((((((;');
  const first = scripted(broken);
  const bounded = await runEdit(first.backend, { ...base, docText: doc, range, repairRows: 10, candidates: 4 });
  const firstPassRows = first.calls.filter((c) => c.sampler.temperature === 0).reduce((a, c) => a + c.requests.length, 0);
  const repairRows = first.calls.filter((c) => c.sampler.temperature > 0).reduce((a, c) => a + c.requests.length, 0);
  assert.ok(bounded.chunks > 5, `a large edit has many chunks (${bounded.chunks})`);
  assert.equal(firstPassRows, bounded.chunks);
  assert.ok(repairRows <= 10, `repair filled ${repairRows} rows`);
  assert.equal(bounded.repairRows, repairRows);
  assert.equal(bounded.syntaxOk, false, 'a backend that only breaks code cannot be repaired');
  assert.equal(bounded.recovered, false, 'recovery would keep less than half of its code');

  const none = scripted(broken);
  const stopped = await runEdit(none.backend, { ...base, docText: doc, range, repairRows: 0 });
  assert.equal(none.calls.length, Math.ceil(stopped.chunks / 8), 'only the first pass ran');
  assert.equal(stopped.repairRounds, 0);

  const timed = scripted(broken);
  const late = await runEdit(timed.backend, { ...base, docText: doc, range, repairBudgetMs: 0 });
  assert.equal(late.repairRows, 0, 'no repair starts after the time budget');
});

test('real model: rows of one sampled call differ, and a repaired edit reports what its text parses to', async () => {
  const m = await defaultModel();
  const req = { prefix: TS_PREFIX, suffix: TS_SUFFIX, original: '    return hi;', languageId: 'typescript' };
  const out = await fillBatch(m, [req, req, req, req], sampler({ temperature: 0.8, seed: 3 }));
  assert.ok(new Set(out.texts).size > 1, `duplicated rows gave the same fill: ${JSON.stringify(out.texts)}`);

  const backend: FillBackend = {
    id: 'in-process', describe: () => 'in-process',
    fill: (requests, s) => fillBatch(m, requests, s), dispose: async () => undefined,
  };
  const docText = TS_PREFIX + '    return hi;' + TS_SUFFIX;
  const range = { start: TS_PREFIX.length, end: TS_PREFIX.length + '    return hi;'.length };
  const result = await runEdit(backend, {
    docText, range, languageId: 'typescript', anchoring: 'syntax', sampler: sampler(), maxCanvasTokens: 224,
    countTokens: (t) => m.tokenizer.encode(t).length, candidates: 3, repairRows: 12,
  });
  assert.ok(result.repairRows <= 12);
  const check = await validateFill(docText, 'typescript', result.range, result.newText);
  assert.equal(result.syntaxOk, check.ok, 'the reported syntax state is that of the returned text');
});

test('when no sample parses, a bracket-balanced variant of one is kept, and the result says so', async () => {
  const doc = 'function f(x: number): number {\n  let y = 0;\n\n  return y;\n}\n';
  const at = doc.indexOf('\n  return') + 1;
  // The model keeps opening a block it never closes.
  const { backend } = scripted(() => '  if (x > 0) {\n    y = x;\n');
  const result = await runEdit(backend, { ...base, docText: doc, range: { start: at, end: at }, candidates: 2 });
  assert.equal(result.syntaxOkBeforeRepair, false);
  assert.equal(result.syntaxOk, true);
  assert.ok(result.variantFills >= 1);
  assert.equal(result.newText, '  if (x > 0) {\n    y = x;\n  }\n');
  assert.equal((await validateFill(doc, 'typescript', { start: at, end: at }, result.newText)).ok, true);
});

test('variants can be turned off: the broken samples are all there is', async () => {
  const doc = 'const a = [1, 2];\n';
  const { backend } = scripted(() => 'const b = f(a;');
  const o = { ...base, docText: doc, range: { start: doc.length, end: doc.length } };
  const spans = await fillSpans(backend, { doc, languageId: 'typescript', spans: [{ start: doc.length, end: doc.length }], originals: [''], counts: [2], sampler: sampler(), batchRows: 4, blanks: () => false });
  assert.deepEqual([spans.texts[0], spans.variants], ['const b = f(a);', 1]);
  const off = await fillSpans(backend, { doc, languageId: 'typescript', spans: [{ start: doc.length, end: doc.length }], originals: [''], counts: [2], sampler: sampler(), batchRows: 4, blanks: () => false, variants: false });
  assert.deepEqual([off.texts[0], off.variants], ['const b = f(a;', 0]);
  assert.equal((await runEdit(backend, o)).syntaxOk, true);
});

test('an insertion that comes back empty is filled again, and an empty answer never counts as valid before repair', async () => {
  const doc = 'const a = 1;\n\nconst c = 3;\n';
  const at = doc.indexOf('\nconst c');
  const { backend, calls } = scripted((_r, call, row) => (call === 1 || row === 0 ? '' : 'const b = a + 1;'));
  const result = await runEdit(backend, { ...base, docText: doc, range: { start: at, end: at }, candidates: 3 });
  assert.equal(result.syntaxOkBeforeRepair, false);
  assert.equal(result.newText, 'const b = a + 1;');
  assert.equal(calls.length, 2);
  assert.ok(calls[1].requests.every((r) => r.maxTokens === calls[0].requests[0].maxTokens), 'the re-fill has the canvas of the first fill');
  const { backend: silent } = scripted(() => '  ');
  const none = await runEdit(silent, { ...base, docText: doc, range: { start: at, end: at }, candidates: 2 });
  assert.equal(none.newText.trim(), '');
  assert.equal(none.syntaxOkBeforeRepair, false);
});

test('when a round takes no error away, the broken chunk is filled again whole, more candidates, from rows kept for it', async () => {
  const doc = 'function f(a: number): number {\n  const b = a + 1;\n  const c = b * 2;\n  return c;\n}\n';
  const start = doc.indexOf('const b');
  const end = doc.indexOf('\n}');
  const chunk = doc.slice(start, end);
  // Re-masked lines come back as broken as before; of the whole-chunk re-fills only the sixth parses.
  const { backend, calls } = scripted((r, call, row) => {
    if (call === 1) return 'const b = a + ((;\n  const c = b * 2;\n  return c;';
    if (r.original !== chunk) return 'const b = (;';
    return row === 5 ? 'const b = a - 1;\n  const c = b;\n  return c;' : 'const b = ((;\n  return c;';
  });
  const result = await runEdit(backend, { ...base, docText: doc, range: { start, end }, candidates: 4 });
  assert.equal(result.syntaxOk, true);
  assert.equal(result.newText, 'const b = a - 1;\n  const c = b;\n  return c;');
  assert.equal(calls.length, 3, 'the first fill, one round under the error, one whole-chunk re-fill');
  assert.equal(calls[1].requests.length, 4);
  assert.equal(calls[2].requests.length, FINAL_CANDIDATES);
  assert.ok(calls[2].requests.every((r) => r.original === chunk), 'the canvas is sized by the code the chunk replaces');
  assert.equal(result.repairRounds, 2);
  assert.equal(result.repairRows, 4 + FINAL_CANDIDATES);
});

test('whole-chunk re-fills that keep failing are drawn warmer each time, until one parses', async () => {
  const doc = 'function f(a: number): number {\n  const b = a + 1;\n  return b;\n}\n';
  const start = doc.indexOf('const b');
  const end = doc.indexOf('\n}');
  const chunk = doc.slice(start, end);
  const last = FINAL_TEMPERATURES[FINAL_TEMPERATURES.length - 1];
  // Nothing parses below the last temperature; there, one draw does.
  const { backend, calls } = scripted((r, call, row, s) =>
    r.original === chunk && call > 1 && s.temperature >= last && row === 3 ? 'const b = a - 1;\n  return b;' : 'const b = a + ((;\n  return b;');
  const result = await runEdit(backend, { ...base, docText: doc, range: { start, end }, candidates: 4 });
  assert.equal(result.syntaxOk, true);
  assert.equal(result.newText, 'const b = a - 1;\n  return b;');
  const refills = calls.filter((c, i) => i > 0 && c.requests.every((r) => r.original === chunk));
  assert.deepEqual(refills.map((c) => c.sampler.temperature), FINAL_TEMPERATURES);
  assert.ok(refills.every((c) => c.requests.length === FINAL_CANDIDATES));
});

// A function body too large for the last resort to re-fill whole (over WHOLE_REFILL_TOKENS), small
// enough for one canvas.
const LARGE_BODY = Array.from({ length: 10 }, (_, i) => `  const v${i} = w${i % 8} + 1;`).join('\n');
const LARGE_DOC = `function g(w0: number, w1: number, w2: number, w3: number, w4: number, w5: number, w6: number, w7: number) {\n${LARGE_BODY}\n}\n`;

/** Whole-chunk fills come back broken, and re-masks of broken lines stay broken. */
function largeScript(r: FillRequest): string {
  const original = r.original ?? '';
  return original.includes('((') ? original : original.replace(/;/g, ' ((;');
}

test('a broken chunk too large to fill again whole keeps its broken fill, never its original code', async () => {
  const start = LARGE_DOC.indexOf('const v0');
  const end = LARGE_DOC.indexOf('\n}');
  const chunk = LARGE_DOC.slice(start, end);
  assert.ok(count(chunk) > WHOLE_REFILL_TOKENS, 'the fixture chunk is large');
  const { backend, calls } = scripted((r) => largeScript(r));
  const result = await runEdit(backend, { ...base, docText: LARGE_DOC, range: { start, end }, candidates: 2 });
  assert.ok(calls.slice(1).every((c) => c.requests.every((q) => q.original !== chunk)), 'no whole re-fill of the large chunk');
  assert.equal(result.syntaxOk, false);
  assert.notEqual(result.newText, chunk);
  assert.ok(!result.ledger.some((e) => e.stage === 'chunk-refill'), JSON.stringify(result.ledger));
});

test('local rounds cannot spend the rows kept for the whole-chunk re-fill', async () => {
  const doc = 'let a = 1;\nlet b = 2;\nlet c = 3;\n';
  const chunk = doc.slice(0, -1);
  const { backend, calls } = scripted((r, call) => {
    if (call === 1) return 'let a = ((;\nlet b = ((;\nlet c = ((;';
    // Every round takes one error away, so the rounds go on as long as their rows last.
    return r.original === chunk ? 'let a = 4;\nlet b = 5;\nlet c = 6;' : r.original!.replace('((', String(call));
  });
  const result = await runEdit(backend, { ...base, docText: doc, range: { start: 0, end: doc.length - 1 }, candidates: 4, repairRows: 12, repairRounds: 5 });
  // 12 rows, 6 kept back: the rounds get 4 then 2, the whole-chunk re-fill the 6 kept.
  assert.deepEqual(calls.slice(1).map((c) => c.requests.length), [4, 2, 6]);
  assert.ok(calls[3].requests.every((r) => r.original === chunk));
  assert.equal(result.newText, 'let a = 4;\nlet b = 5;\nlet c = 6;');
  assert.equal(result.repairRows, 12);
});

test('a variant that leaves an orphan is mended once more: the broken line goes, then the header it emptied', async () => {
  const doc = 'import os\n\ndef f():\n    pass\n';
  const at = doc.length;
  const { backend } = scripted(() => 'x = 1\nif x:\n    y = = 2\nz = 3\nw = 4\n');
  const res = await fillSpans(backend, {
    doc, languageId: 'python', spans: [{ start: at, end: at }], originals: [''], counts: [1], sampler: sampler(), batchRows: 4, blanks: () => false,
  });
  assert.deepEqual([res.texts[0], res.errors[0], res.variants], ['x = 1\nz = 3\nw = 4\n', 0, 1]);
});

test('repairRounds 0 turns the syntax repair off: one fill, reported as it came', async () => {
  const doc = 'let a = 1;\nlet b = 2;\n';
  const { backend, calls } = scripted(() => 'let a = ((;\nlet b = 2;');
  const result = await runEdit(backend, { ...base, docText: doc, range: { start: 0, end: doc.length - 1 }, repairRounds: 0 });
  assert.equal(calls.length, 1);
  assert.deepEqual([result.syntaxOk, result.repairRounds, result.repairRows], [false, 0, 0]);
});

test('fillSpans: a table row that leaves out its separator is mended toward the row it replaces (real Go grammar)', async () => {
  const doc = 'package p\n\nvar t = []uint32{\n\t0x1, 0x2,\n\t0x3, 0x4,\n\t0x5, 0x6,\n}\n';
  const at = doc.indexOf('\t0x3');
  const span = { start: at, end: at + '\t0x3, 0x4,'.length };
  const { backend } = scripted(() => '\t0x7, 0x8');
  const res = await fillSpans(backend, {
    doc, languageId: 'go', spans: [span], counts: [2], sampler: sampler({ temperature: 0.4 }), batchRows: 8,
    toward: [doc.slice(span.start, span.end)], blanks: () => false, keepIfBetter: false,
  });
  assert.equal(res.texts[0], '\t0x7, 0x8,');
  assert.equal(res.oks[0], true);
  assert.equal(res.variants, 1);
  const check = await validateFill(doc, 'go', span, res.texts[0]!);
  assert.ok(check.ok);
});
