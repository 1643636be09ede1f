// The review in a real editor: per-hunk accept and reject, accept all, reject all, undo, typing
// inside a pending hunk, two files at once, closing a file, with LF and CRLF files. Each review
// starts from a known proposal through the test API, which takes the path a finished fill takes
// (rooted edit, then review session), so every result can be checked byte for byte whatever the
// model would propose. The fills themselves (entry points, live steps, cancel) are in edit.test.ts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { PendingHunk } from '../../../src/core/review';
import { summarizeRemoved } from '../../../src/vscode/decorations';
import { inDiffEditor } from '../../../src/vscode/reviewDiff';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { activateTestApi, assertHunksInPlace, openNewFile, rejectReviewsAndCloseEditors, TOTAL_FUNCTION, waitFor } from './util';

const lines = (...l: string[]): string => l.map(s => `${s}\n`).join('');

const HEAD = lines(...TOTAL_FUNCTION, '', 'export function average(items: number[]): number {');
/** Lines 7..11 of the file: the body the proposal rewrites. */
const BODY = lines(
  '  if (items.length === 0) return 0;',
  '  const n = items.length;',
  '  const mean = total(items) / n;',
  '  console.log(mean);',
  '  return mean;',
);
const TAIL = lines('}');
const SOURCE = HEAD + BODY + TAIL;
const BODY_LINES = { first: 7, end: 12 };

// Three hunks of each kind: a replacement (1 line -> 3), a pure insertion, a pure deletion.
const IF_OLD = lines('  if (items.length === 0) return 0;');
const IF_NEW = lines('  if (items.length === 0) {', '    return 0;', '  }');
const COMMENT = lines('  // n > 0 here, so the division is safe.');
const LOG = lines('  console.log(mean);');
const PROPOSED_BODY = IF_NEW + lines('  const n = items.length;') + COMMENT +
  lines('  const mean = total(items) / n;', '  return mean;');

/** The body with each hunk taken (true) or left as it was (false), in document order. */
function bodyWith(takeIf: boolean, takeComment: boolean, takeDelete: boolean): string {
  return (takeIf ? IF_NEW : IF_OLD) + lines('  const n = items.length;') + (takeComment ? COMMENT : '') +
    lines('  const mean = total(items) / n;') + (takeDelete ? '' : LOG) + lines('  return mean;');
}

let api: DiffuseTestApi;

const withEol = (text: string, eol: string): string => text.replace(/\n/g, eol);

async function open(eol: '\n' | '\r\n' = '\n', column = vscode.ViewColumn.Active): Promise<vscode.TextEditor> {
  const editor = await openNewFile('review', withEol(SOURCE, eol), { column });
  assert.equal(editor.document.eol, eol === '\n' ? vscode.EndOfLine.LF : vscode.EndOfLine.CRLF);
  return editor;
}

/**
 * Proposes the known rewrite of the body (given with LF endings, as a model answers; the review
 * converts it to the document's ending) and checks the three hunks it must show.
 */
async function propose(editor: vscode.TextEditor): Promise<readonly PendingHunk[]> {
  const doc = editor.document;
  const range = { start: doc.offsetAt(new vscode.Position(BODY_LINES.first, 0)), end: doc.offsetAt(new vscode.Position(BODY_LINES.end, 0)) };
  const record = await api.proposeForTest(doc.uri, PROPOSED_BODY, range);
  assert.equal(record.outcome, 'review', JSON.stringify(record));
  assert.equal(record.hunks, 3);
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  assert.equal(doc.getText(), withEol(HEAD + PROPOSED_BODY + TAIL, eol), 'the proposal is in the document, in its line ending');
  const hunks = api.reviews(doc.uri);
  assert.deepEqual(hunks.map(h => [h.removed, h.added]), [[IF_OLD, IF_NEW], ['', COMMENT], [LOG, '']].map(p => p.map(t => withEol(t, eol))));
  assertHunksInPlace(api, doc);
  return hunks;
}

function rejected(text: string, h: PendingHunk): string {
  return text.slice(0, h.range.start) + h.removed + text.slice(h.range.end);
}

suite('Review', () => {
  suiteSetup(async () => {
    api = await activateTestApi();
  });

  teardown(async () => {
    await rejectReviewsAndCloseEditors(api);
  });

  for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n']] as const) {
    for (const [order, choice] of [['accept, reject, accept', [true, false, true]], ['reject, accept, reject', [false, true, false]]] as const) {
      test(`hunk by hunk (${order}) leaves exactly the chosen text (${name})`, async () => {
        const editor = await open(eol);
        const doc = editor.document;
        const hunks = await propose(editor);
        let expected = doc.getText();
        for (const [i, h] of hunks.entries()) {
          const now = api.reviews(doc.uri).find(p => p.id === h.id);
          assert.ok(now, `hunk ${h.id} still pending`);
          if (choice[i]) {
            assert.equal(await vscode.commands.executeCommand('diffuse.acceptHunk', doc.uri.toString(), h.id), true);
          } else {
            expected = rejected(expected, now);
            assert.equal(await vscode.commands.executeCommand('diffuse.rejectHunk', doc.uri.toString(), h.id), true);
          }
          assert.equal(doc.getText(), expected, `after hunk ${h.id}`);
          assertHunksInPlace(api, doc);
        }
        assert.deepEqual(api.reviews(doc.uri), []);
        assert.equal(doc.getText(), withEol(HEAD + bodyWith(choice[0], choice[1], choice[2]) + TAIL, eol));
        assert.equal(await vscode.commands.executeCommand('diffuse.acceptHunk', doc.uri.toString(), hunks[0].id), false, 'a resolved hunk stays resolved');
      });
    }

    test(`reject all restores the original byte for byte (${name})`, async () => {
      const editor = await open(eol);
      const version = editor.document.version;
      assert.ok(!editor.document.isDirty, 'the file was saved before the proposal');
      await propose(editor);
      assert.equal(await vscode.commands.executeCommand('diffuse.rejectAll'), 3);
      assert.equal(editor.document.getText(), withEol(SOURCE, eol));
      assert.ok(editor.document.version > version);
      assert.deepEqual(api.reviews(editor.document.uri), []);
      await waitFor(() => !editor.document.isDirty, 'the tab is clean again: the text is the file on disk');
      assert.equal(editor.document.getText(), withEol(SOURCE, eol), 'still byte for byte after the tab was made clean');
    });
  }

  test('accept all keeps the proposal; one Undo brings back the original, Redo the proposal', async () => {
    const editor = await open();
    await propose(editor);
    const proposed = editor.document.getText();
    assert.equal(await vscode.commands.executeCommand('diffuse.acceptAll'), 3);
    assert.equal(editor.document.getText(), proposed);
    assert.deepEqual(api.reviews(editor.document.uri), []);
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), SOURCE);
    await vscode.commands.executeCommand('redo');
    assert.equal(editor.document.getText(), proposed);
    assert.deepEqual(api.reviews(editor.document.uri), [], 'an accepted review does not come back');
  });

  test('after some hunks are accepted, reject all restores only the pending ones', async () => {
    const editor = await open('\r\n');
    const [first] = await propose(editor);
    assert.equal(await vscode.commands.executeCommand('diffuse.acceptHunk', editor.document.uri.toString(), first.id), true);
    assert.equal(await vscode.commands.executeCommand('diffuse.rejectAll'), 2);
    assert.equal(editor.document.getText(), withEol(HEAD + bodyWith(true, false, false) + TAIL, '\r\n'));
  });

  test('saving during a review writes the proposal, never the removed-line previews', async () => {
    const editor = await open();
    await propose(editor);
    const proposed = editor.document.getText();
    assert.ok(await editor.document.save());
    assert.equal(fs.readFileSync(editor.document.uri.fsPath, 'utf8'), proposed);
    assert.equal(api.reviews(editor.document.uri).length, 3, 'the review goes on after a save');
  });

  test('typing inside a pending hunk keeps the typed text and ends only that hunk', async () => {
    const editor = await open();
    const doc = editor.document;
    const hunks = await propose(editor);
    const target = hunks[0];
    const at = doc.positionAt(target.range.start + 2);
    assert.ok(await editor.edit(b => b.insert(at, 'TYPED ')));
    const pending = api.reviews(doc.uri);
    assert.deepEqual(pending.map(h => h.id), [hunks[1].id, hunks[2].id], 'only the edited hunk left the review');
    assertHunksInPlace(api, doc);
    await vscode.commands.executeCommand('diffuse.rejectAll', doc.uri.toString());
    assert.equal(doc.getText(), HEAD + `  TYPED ${IF_NEW.slice(2)}` + bodyWith(false, false, false).slice(IF_OLD.length) + TAIL);
  });

  test('typing above the hunks moves them; accept and reject still land on their text', async () => {
    const editor = await open();
    const doc = editor.document;
    const hunks = await propose(editor);
    assert.ok(await editor.edit(b => b.insert(new vscode.Position(0, 0), '// moved\n')));
    assertHunksInPlace(api, doc);
    assert.equal(await vscode.commands.executeCommand('diffuse.rejectHunk', doc.uri.toString(), hunks[0].id), true);
    assert.equal(await vscode.commands.executeCommand('diffuse.acceptHunk', doc.uri.toString(), hunks[1].id), true);
    assert.equal(await vscode.commands.executeCommand('diffuse.rejectHunk', doc.uri.toString(), hunks[2].id), true);
    assert.equal(doc.getText(), `// moved\n${HEAD}${bodyWith(false, true, false)}${TAIL}`);
  });

  test('the cursor commands act on the hunk under the cursor; navigation moves between hunks', async () => {
    const editor = await open();
    const doc = editor.document;
    const [first, second, third] = await propose(editor);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('diffuse.nextHunk'), true);
    assert.equal(doc.offsetAt(editor.selection.active), first.range.start);
    assert.equal(await vscode.commands.executeCommand('diffuse.nextHunk'), true);
    assert.equal(doc.offsetAt(editor.selection.active), second.range.start);
    assert.equal(await vscode.commands.executeCommand('diffuse.previousHunk'), true);
    assert.equal(doc.offsetAt(editor.selection.active), first.range.start);
    const before = doc.getText();
    assert.equal(await vscode.commands.executeCommand('diffuse.rejectHunk'), true);
    assert.equal(doc.getText(), rejected(before, first));
    assert.equal(await vscode.commands.executeCommand('diffuse.nextHunk'), true);
    assert.equal(await vscode.commands.executeCommand('diffuse.acceptHunk'), true);
    assert.deepEqual(api.reviews(doc.uri).map(h => h.id), [third.id]);
  });

  test('show diff opens the original beside the document under review', async () => {
    const editor = await open();
    await propose(editor);
    assert.equal(await vscode.commands.executeCommand('diffuse.showDiff'), true);
    const left = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'diffuse-original');
    assert.ok(left, 'the original is open as a virtual document');
    assert.equal(left.getText(), SOURCE);
  });

  test('the removed-lines preview stays short: first line, count, the rest in the hover', () => {
    const removed = lines('  let total = 0;', '  for (const item of this.items.values()) {', '    total += item.quantity * item.unitPrice * someVeryLongFactorName * anotherLongName;', '  }', '  return total;');
    const summary = summarizeRemoved(removed);
    assert.ok(summary.length <= 100, `no horizontal overflow: ${summary.length} characters`);
    assert.match(summary, /^\u22125\s/);
    assert.match(summary, /let\u00a0total\u00a0=\u00a00;/);
    assert.match(summary, /\(\+4\u00a0more,\u00a0hover\u00a0to\u00a0see\)$/);
    assert.ok(!summary.includes('\u23ce'), 'lines are not joined into one long line');
  });

  test('the side-by-side diff does not outlive its review', async () => {
    const editor = await open();
    await propose(editor);
    assert.equal(await vscode.commands.executeCommand('diffuse.showDiff', editor.document.uri.toString()), true);
    const diffTabs = () => vscode.window.tabGroups.all.flatMap(g => g.tabs)
      .filter(t => t.input instanceof vscode.TabInputTextDiff && t.input.original.scheme === 'diffuse-original');
    await waitFor(() => diffTabs().length === 1, 'the diff tab is open');
    const uri = editor.document.uri.toString();
    await waitFor(() => vscode.window.visibleTextEditors.some(e => e.document.uri.toString() === uri && inDiffEditor(e)),
      'the diff\'s right side is told apart (no removed-line previews are drawn over it)');
    assert.equal(await vscode.commands.executeCommand('diffuse.acceptAll', editor.document.uri.toString()), 3);
    await waitFor(() => diffTabs().length === 0, 'the diff tab closed with the review');
  });

  test('two files under review at once: each resolves on its own', async () => {
    const a = await open('\n');
    const hunksA = await propose(a);
    const b = await open('\r\n', vscode.ViewColumn.Beside);
    await propose(b);
    assert.equal(await vscode.commands.executeCommand('diffuse.rejectAll', b.document.uri.toString()), 3);
    assert.equal(b.document.getText(), withEol(SOURCE, '\r\n'));
    assert.deepEqual(api.reviews(a.document.uri), hunksA, 'the other review is untouched');
    assert.equal(await vscode.commands.executeCommand('diffuse.acceptHunk', a.document.uri.toString(), hunksA[2].id), true);
    assert.equal(await vscode.commands.executeCommand('diffuse.rejectAll', a.document.uri.toString()), 2);
    assert.equal(a.document.getText(), HEAD + bodyWith(false, false, true) + TAIL);
    assert.equal(b.document.getText(), withEol(SOURCE, '\r\n'));
  });

  test('a second proposal for a file under review is refused and changes nothing', async () => {
    const editor = await open();
    const hunks = await propose(editor);
    const text = editor.document.getText();
    const record = await api.proposeForTest(editor.document.uri, 'anything\n', { start: 0, end: 0 });
    assert.equal(record.outcome, 'refused');
    assert.match(record.message ?? '', /already has a pending review/);
    assert.equal(editor.document.getText(), text);
    assert.deepEqual(api.reviews(editor.document.uri), hunks);
  });

  test('a proposal equal to the text is no change: no review, no edit', async () => {
    const editor = await open();
    const version = editor.document.version;
    const range = { start: editor.document.offsetAt(new vscode.Position(BODY_LINES.first, 0)), end: editor.document.offsetAt(new vscode.Position(BODY_LINES.end, 0)) };
    const record = await api.proposeForTest(editor.document.uri, BODY, range);
    assert.equal(record.outcome, 'no-change');
    assert.equal(editor.document.version, version);
    assert.deepEqual(api.reviews(editor.document.uri), []);
  });

  for (const [how, close, onDisk] of [
    ['saved, then closed', async (doc: vscode.TextDocument) => {
      assert.ok(await doc.save());
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }, 'proposal'],
    ['closed without saving', async () => {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }, 'original'],
  ] as const) {
    test(`closing a file under review (${how}) ends its review`, async () => {
      const editor = await open();
      const doc = editor.document;
      await propose(editor);
      const proposed = doc.getText();
      await close(doc);
      await waitFor(() => api.reviews(doc.uri).length === 0, 'the review ended after the file was closed');
      assert.equal(fs.readFileSync(doc.uri.fsPath, 'utf8'), onDisk === 'proposal' ? proposed : SOURCE);
      // Opening the file again shows it as it is on disk, with no review coming back.
      const again = await vscode.window.showTextDocument(doc.uri, { preview: false });
      assert.deepEqual(api.reviews(again.document.uri), []);
      assert.equal(again.document.getText(), onDisk === 'proposal' ? proposed : SOURCE);
    });
  }
});
