import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SyntaxNode } from '../../src/core/syntaxTree';
import { applyEdits, recoveryEdits } from '../../src/core/recovery';
import { recoverFill, validateFill } from '../../src/syntax';
import { fillSpans } from '../../src/engine/candidates';
import { runEdit } from '../../src/engine/edit';
import type { FillBackend } from '../../src/core/types';
import { sampler } from './helpers/model';

/** A backend that answers every row with `text`; `calls` gets each call's row count. */
function constant(text: string, calls: number[] = []): FillBackend {
  return {
    id: 'scripted', describe: () => 'scripted', dispose: async () => undefined,
    fill: async (requests) => {
      calls.push(requests.length);
      return { texts: requests.map(() => text), nfe: 1, ms: 0, canvasTokens: requests.map(() => 0) };
    },
  };
}

let ids = 0;
function node(type: string, start: number, end: number, children: SyntaxNode[] = [], extra: Partial<SyntaxNode> = {}): SyntaxNode {
  const isMissing = extra.isMissing ?? false;
  return {
    id: ids++, type, start, end, isNamed: extra.isNamed ?? true, isExtra: false, isMissing,
    hasError: type === 'ERROR' || isMissing || children.some((c) => c.hasError), children,
  };
}

test('recoveryEdits: an ERROR inside the fill goes (its line too when alone on it), a missing token is written in', () => {
  //          0         1         2         3
  //          0123456789012345678901234567890123456
  const text = 'a = 1;\nb = = 2\n  @@@\nc = 3;\n';
  const fill = { start: 7, end: text.length - 1 };
  const root = node('program', 0, text.length, [
    node('statement', 0, 6),
    node('statement', 7, 14, [node('ERROR', 11, 12), node(';', 14, 14, [], { isMissing: true, isNamed: false })]),
    node('ERROR', 17, 20),
    node('statement', 21, 27),
  ]);
  const edits = recoveryEdits(root, text, fill);
  assert.deepEqual(edits, [
    { start: 11, end: 13, text: '' },
    { start: 14, end: 14, text: ';' },
    { start: 15, end: 21, text: '' },
  ]);
  assert.equal(applyEdits(text.slice(fill.start, fill.end), edits, fill.start), 'b = 2;\nc = 3;');
});

test('recoveryEdits: only the fill is edited, and a missing named node (that would have to be invented) is left alone', () => {
  const text = 'x = (1 +\ny';
  const fill = { start: 5, end: text.length };
  const root = node('program', 0, text.length, [
    node('ERROR', 0, 8, [node('identifier', 8, 8, [], { isMissing: true })]),
  ]);
  // The ERROR reaches before the fill: only its part inside the fill goes.
  assert.deepEqual(recoveryEdits(root, text, fill), [{ start: 5, end: 8, text: '' }]);
  const outside = node('program', 0, text.length, [node('ERROR', 0, 3)]);
  assert.deepEqual(recoveryEdits(outside, text, fill), []);
});

test('recoverFill: real grammars; the text the parser could not fit goes, the rest of the fill stays', async () => {
  const ts = 'function f(price: number, count: number, tax: number) {\n  let total = 0;\n  return total;\n}\n';
  const tsRange = { start: ts.indexOf('let'), end: ts.indexOf('\n  return') };
  assert.equal((await recoverFill(ts, 'typescript', tsRange, 'let total = price * * count + tax;'))?.text, 'let total = price * count + tax;');

  const py = 'def f(x):\n    y = x\n    return y\n';
  const pyRange = { start: py.indexOf('y = x'), end: py.indexOf('\n    return') };
  const mended = (await recoverFill(py, 'python', pyRange, 'y = x + )\n    z = y * 2'))?.text;
  assert.ok(mended !== undefined);
  assert.ok((await validateFill(py, 'python', pyRange, mended)).ok, mended);
  assert.ok(2 * mended.replace(/\s+/g, '').length >= 'y=x+)z=y*2'.length, `most of the fill is kept: ${mended}`);

  // The spaces before a `;` go with the text taken out.
  assert.equal((await recoverFill(ts, 'typescript', tsRange, 'let total = ((;'))?.text, 'let total;');
  // A fill that parses is given back as it is; a language without a grammar gets nothing.
  assert.equal((await recoverFill(ts, 'typescript', tsRange, 'let total = price;'))?.text, 'let total = price;');
  assert.equal(await recoverFill('abc', 'cobol', { start: 0, end: 3 }, 'x ) y'), undefined);
});

test('fillSpans: when no sample or variant parses, the recovery of the least broken sample is kept, and counted as a variant', async () => {
  const doc = 'function f(price: number, count: number, tax: number) {\n  let total = 0;\n  return total;\n}\n';
  const span = { start: doc.indexOf('let'), end: doc.indexOf('\n  return') };
  const backend = constant('let total = price * * count + tax;');
  const opts = { doc, languageId: 'typescript', spans: [span], counts: [2], sampler: sampler(), batchRows: 4, blanks: () => false };
  const res = await fillSpans(backend, { ...opts, recover: true });
  assert.deepEqual([res.texts[0], res.oks[0], res.variants], ['let total = price * count + tax;', true, 1]);
  // Unless asked for (the repair's last draws ask), or with variants off, the model's text is not cut.
  const unasked = await fillSpans(backend, opts);
  assert.equal(unasked.oks[0], false);
  const off = await fillSpans(backend, { ...opts, recover: true, variants: false });
  assert.deepEqual([off.texts[0], off.oks[0]], ['let total = price * * count + tax;', false]);
});

test('fillSpans: a recovery that gives back the code the span replaces is no fill', async () => {
  const doc = 'function f(a: number) {\n  let b = a;\n  return b;\n}\n';
  const span = { start: doc.indexOf('let'), end: doc.indexOf('\n  return') };
  const backend = constant('let b = a ((;');
  // Recovered, the fill would read `let b = a;`: the original, so it does not compete.
  assert.equal((await recoverFill(doc, 'typescript', span, 'let b = a ((;'))?.text, 'let b = a;');
  assert.equal(await recoverFill(doc, 'typescript', span, 'let b = a ((;', { replaced: 'let b = a;' }), undefined);
  const res = await fillSpans(backend, {
    doc, languageId: 'typescript', spans: [span], counts: [2], sampler: sampler(), batchRows: 4, blanks: () => false,
    originals: ['let b = a;'], recover: true,
  });
  assert.equal(res.oks[0], false);
  assert.notEqual(res.texts[0], 'let b = a;');
});

test('runEdit: a region the repair could not mend ends as the parser recovers it, and the result says so', async () => {
  const doc = 'function f(price: number, count: number) {\n  let total = price;\n  return total;\n}\n';
  const range = { start: doc.indexOf('let'), end: doc.indexOf('\n  return') };
  const calls: number[] = [];
  // Every draw doubles the operator: no sample, and no balanced or cut-back variant, parses.
  const backend = constant('let total = price * * count;', calls);
  const base = { docText: doc, languageId: 'typescript', range, anchoring: 'exact' as const, sampler: sampler(), maxCanvasTokens: 120, countTokens: (t: string) => Math.ceil(t.length / 3) };
  const result = await runEdit(backend, base);
  assert.ok(calls.length > 1, 'the model was drawn again before any of its text was taken out');
  assert.deepEqual([result.syntaxOkBeforeRepair, result.syntaxOk, result.recovered], [false, true, true]);
  assert.equal(result.newText, 'let total = price * count;');
  // With the repair off the fill is reported as it came.
  const off = await runEdit(backend, { ...base, repairRounds: 0 });
  assert.deepEqual([off.syntaxOk, off.recovered, off.newText], [false, false, 'let total = price * * count;']);
});
