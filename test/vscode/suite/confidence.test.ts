// Confidence in the review: a known proposal with known token probabilities goes through the path a
// finished fill takes (rooted edit, then review), and the marks, the CodeLens, Go to Next
// Low-Confidence Hunk and Reject Hunks Below Confidence are checked against those probabilities,
// in LF and CRLF files; Reject All still restores the file byte for byte.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { TokenConfidence } from '../../../src/core/types';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { activateTestApi, assertHunksInPlace, captureMessages, openNewFile, rejectReviewsAndCloseEditors, TOTAL_FUNCTION, waitFor } from './util';

const lines = (...l: string[]): string => l.map(s => `${s}\n`).join('');
const withEol = (text: string, eol: string): string => text.replace(/\n/g, eol);

const HEAD = lines(...TOTAL_FUNCTION, '', 'export function average(items: number[]): number {');
const BODY = lines('  if (items.length === 0) return 0;', '  const n = items.length;', '  const mean = total(items) / n;', '  console.log(mean);', '  return mean;');
const SOURCE = HEAD + BODY + lines('}');
const FIRST_BODY_LINE = 7;

// Three hunks: a confident rewrite of the `if`, an unsure comment, a deletion (no text of the model's).
const PROPOSED = lines('  if (items.length === 0) {', '    return 0;', '  }', '  const n = items.length;', '  // n > 0 here, so the division is safe.',
  '  const mean = total(items) / n;', '  return mean;');

/** The span of the `nth` occurrence of `token` in PROPOSED, with probability p. */
function tok(token: string, p: number, nth = 0): TokenConfidence {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = PROPOSED.indexOf(token, at + 1);
  assert.ok(at >= 0, token);
  return { start: at, end: at + token.length, p };
}

const CONFIDENCE: TokenConfidence[] = [
  tok('if', 0.97), tok('{', 0.74), tok('return', 0.95), tok('}', 0.88),
  tok('const', 0.99), tok('//', 0.9), tok('here', 0.42), tok('division', 0.61), tok('safe', 0.12),
  tok('mean', 0.97, 1),
];

let api: DiffuseTestApi;

async function proposeWith(eol: string, confidence: TokenConfidence[] | undefined): Promise<vscode.TextEditor> {
  const editor = await openNewFile('confidence', withEol(SOURCE, eol));
  const doc = editor.document;
  const bodyStart = doc.offsetAt(new vscode.Position(FIRST_BODY_LINE, 0));
  const record = await api.proposeForTest(doc.uri, PROPOSED, { start: bodyStart, end: bodyStart + withEol(BODY, eol).length }, confidence);
  assert.equal(record.outcome, 'review', JSON.stringify(record));
  assert.equal(record.hunks, 3);
  assertHunksInPlace(api, doc);
  return editor;
}

async function lensTitles(doc: vscode.TextDocument): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
  return lenses.map(l => l.command?.title ?? '').filter(t => !t.includes('Accept') && !t.includes('Reject'));
}

suite('Confidence', () => {
  suiteSetup(async () => {
    api = await activateTestApi();
  });

  teardown(async () => {
    await rejectReviewsAndCloseEditors(api);
  });

  for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n']] as const) {
    test(`tokens below the threshold are marked, hunks carry their least certain token (${name})`, async () => {
      const editor = await proposeWith(eol, CONFIDENCE);
      const doc = editor.document;
      const hunks = api.reviews(doc.uri);
      // The `if` hunk's least certain token is `{` (74%); the comment's is `safe` (12%); the deletion has none.
      const least = hunks.map(h => h.confidence && h.confidence.length ? Math.min(...h.confidence.map(t => t.p)) : undefined);
      assert.deepEqual(least.map(p => p && Math.round(p * 100)), [74, 12, undefined]);
      let marks = api.reviewMarks(doc.uri);
      await waitFor(() => (marks = api.reviewMarks(doc.uri)) !== undefined, 'the review is drawn');
      // Below 50%: `here` (42%, the faintest mark) and `safe` (12%, the strongest), at their text in the document.
      assert.deepEqual(marks!.tokens.map(t => [doc.getText().slice(t.range.start, t.range.end), Math.round(t.p * 100), t.level]), [['here', 42, 2], ['safe', 12, 0]]);
      // The removed `console.log` line has a gutter marker on the line above where it was.
      const logWas = doc.getText().split(eol).findIndex(l => l.includes('const mean'));
      assert.ok(marks!.removedLines.includes(logWas), `removed-lines marker on line ${logWas}: ${JSON.stringify(marks!.removedLines)}`);
      assert.deepEqual(await lensTitles(doc), ['\u00b7 74%', '$(warning) 12% low confidence']);
    });

    test(`Go to Next Low-Confidence Hunk selects the least certain token; Reject Hunks Below Confidence leaves the confident hunks; Reject All restores the file (${name})`, async () => {
      const editor = await proposeWith(eol, CONFIDENCE);
      const doc = editor.document;
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      assert.equal(await vscode.commands.executeCommand('diffuse.nextLowConfidenceHunk'), true);
      assert.equal(doc.getText(editor.selection), 'safe', 'the least certain token of the only low-confidence hunk');
      const before = api.reviews(doc.uri);
      const { result, shown } = await captureMessages(() => vscode.commands.executeCommand('diffuse.rejectLowConfidenceHunks'));
      assert.equal(result, 1);
      assert.match(shown.join('\n'), /rejected 1 hunk below 50% confidence; 2 still pending/);
      const after = api.reviews(doc.uri);
      assert.deepEqual(after.map(h => h.id), [before[0].id, before[2].id], 'the confident hunk and the deletion (no confidence) stay');
      assert.ok(!doc.getText().includes('division is safe'), 'the unsure comment is gone');
      assertHunksInPlace(api, doc);
      assert.equal(await vscode.commands.executeCommand('diffuse.rejectAll'), 2);
      assert.equal(doc.getText(), withEol(SOURCE, eol), 'byte for byte');
    });
  }

  test('a proposal without confidence says so and marks nothing; rejecting below confidence rejects nothing', async () => {
    const editor = await proposeWith('\n', undefined);
    const doc = editor.document;
    await waitFor(() => api.reviewMarks(doc.uri) !== undefined, 'the review is drawn');
    assert.deepEqual(api.reviewMarks(doc.uri)!.tokens, []);
    assert.deepEqual(await lensTitles(doc), ['\u00b7 no confidence from this backend', '\u00b7 no confidence from this backend']);
    const { result } = await captureMessages(() => vscode.commands.executeCommand('diffuse.rejectLowConfidenceHunks'));
    assert.equal(result, 0);
    assert.equal(api.reviews(doc.uri).length, 3);
  });

  test('the threshold setting changes what is marked and what is low confidence', async () => {
    const config = vscode.workspace.getConfiguration('diffuse');
    await config.update('review.lowConfidence', 0.8, vscode.ConfigurationTarget.Global);
    try {
      const editor = await proposeWith('\n', CONFIDENCE);
      const doc = editor.document;
      await waitFor(() => (api.reviewMarks(doc.uri)?.tokens.length ?? 0) === 4, 'four tokens below 80%: {, here, division, safe');
      assert.deepEqual(await lensTitles(doc), ['$(warning) 74% low confidence', '$(warning) 12% low confidence']);
      const { result } = await captureMessages(() => vscode.commands.executeCommand('diffuse.rejectLowConfidenceHunks'));
      assert.equal(result, 2);
      assert.equal(api.reviews(doc.uri).length, 1, 'only the deletion is left');
    } finally {
      await config.update('review.lowConfidence', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
