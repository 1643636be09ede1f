// The review of a fill in a real editor: per-hunk accept and reject, accept all, reject all, undo,
// typing inside a pending hunk, with LF and CRLF files. Runs the real engine and the default model;
// assertions hold for any proposal, since they compare the document with the hunks it reported.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { PendingHunk } from '../../../src/core/review';
import type { FillRecord } from '../../../src/vscode/fillRecord';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { activateExtension } from './util';

// Lines the model will not keep as they are, so every fill proposes at least one change.
const SOURCE = [
  'export function total(items: number[]): number {',
  '  let sum = 0;',
  '  for (const item of items) sum += item;',
  '  return sum;',
  '}',
  '',
  'export function average(items: number[]): number {',
  '  if (items.length === 0) @@@ ### $$$',
  '  const n = items.length;',
  '  ~~~ %%% total(items) ^^^ n',
  '}',
  '',
].join('\n');

let api: DiffuseTestApi;
let counter = 0;

async function open(eol: '\n' | '\r\n'): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with a workspace folder');
  const file = path.join(folder.uri.fsPath, `review-${process.pid}-${++counter}.ts`);
  fs.writeFileSync(file, SOURCE.replace(/\n/g, eol));
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: false });
  assert.equal(editor.document.eol, eol === '\n' ? vscode.EndOfLine.LF : vscode.EndOfLine.CRLF);
  return editor;
}

/** Selects the broken body of `average` and runs Diffuse Edit; the fill must open a review. */
async function editBody(editor: vscode.TextEditor): Promise<readonly PendingHunk[]> {
  const start = new vscode.Position(7, 0);
  editor.selection = new vscode.Selection(start, new vscode.Position(10, 0));
  const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
  assert.equal(record?.outcome, 'review', `fill outcome: ${JSON.stringify(record)}`);
  const hunks = api.reviews(editor.document.uri);
  assert.ok(hunks.length > 0);
  return hunks;
}

function rejected(text: string, h: PendingHunk): string {
  return text.slice(0, h.range.start) + h.removed + text.slice(h.range.end);
}

function assertHunksInPlace(doc: vscode.TextDocument): void {
  const text = doc.getText();
  for (const h of api.reviews(doc.uri)) assert.equal(text.slice(h.range.start, h.range.end), h.added, `hunk ${h.id}`);
}

suite('Review', () => {
  suiteSetup(async () => {
    const exported = (await activateExtension()).exports as DiffuseTestApi | undefined;
    assert.ok(exported?.reviews, 'activate() must return registerDiffuse(context) (the test API)');
    api = exported;
  });

  teardown(async () => {
    api.setBeforeApply(undefined);
    for (const editor of vscode.window.visibleTextEditors) {
      if (api.reviews(editor.document.uri).length) await vscode.commands.executeCommand('diffuse.rejectAll', editor.document.uri.toString());
    }
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  for (const [name, eol] of [['LF', '\n'], ['CRLF', '\r\n']] as const) {
    test(`accepting and rejecting hunk by hunk leaves exactly the chosen text (${name})`, async () => {
      const editor = await open(eol);
      const doc = editor.document;
      const original = doc.getText();
      const hunks = await editBody(editor);
      assertHunksInPlace(doc);
      assert.ok(!doc.getText().replace(/\r\n/g, '').includes(eol === '\r\n' ? '\n' : '\r'), 'one line ending kept');
      let expected = doc.getText();
      for (const [i, h] of hunks.entries()) {
        const now = api.reviews(doc.uri).find(p => p.id === h.id);
        assert.ok(now, `hunk ${h.id} still pending`);
        if (i % 2 === 0) {
          assert.equal(await vscode.commands.executeCommand('diffuse.acceptHunk', doc.uri.toString(), h.id), true);
        } else {
          expected = rejected(expected, now);
          assert.equal(await vscode.commands.executeCommand('diffuse.rejectHunk', doc.uri.toString(), h.id), true);
        }
        assert.equal(doc.getText(), expected, `after hunk ${h.id}`);
        assertHunksInPlace(doc);
      }
      assert.deepEqual(api.reviews(doc.uri), []);
      if (hunks.length === 1) assert.notEqual(doc.getText(), original, 'the one hunk was accepted');
    });

    test(`reject all restores the original byte for byte (${name})`, async () => {
      const editor = await open(eol);
      const original = editor.document.getText();
      await editBody(editor);
      await vscode.commands.executeCommand('diffuse.rejectAll');
      assert.equal(editor.document.getText(), original);
      assert.deepEqual(api.reviews(editor.document.uri), []);
    });
  }

  test('accept all keeps the proposal; one Undo brings back the original', async () => {
    const editor = await open('\n');
    const original = editor.document.getText();
    await editBody(editor);
    const proposed = editor.document.getText();
    await vscode.commands.executeCommand('diffuse.acceptAll');
    assert.equal(editor.document.getText(), proposed);
    assert.deepEqual(api.reviews(editor.document.uri), []);
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), original);
  });

  test('saving during a review writes the proposal, never the removed-line previews', async () => {
    const editor = await open('\n');
    await editBody(editor);
    const proposed = editor.document.getText();
    assert.ok(await editor.document.save());
    assert.equal(fs.readFileSync(editor.document.uri.fsPath, 'utf8'), proposed);
    assert.ok(api.reviews(editor.document.uri).length > 0, 'the review goes on after a save');
  });

  test('typing inside a pending hunk keeps the typed text and ends only that hunk', async () => {
    const editor = await open('\n');
    const doc = editor.document;
    const hunks = await editBody(editor);
    const target = hunks.find(h => h.range.end > h.range.start);
    assert.ok(target, 'a hunk with proposed text');
    const at = doc.positionAt(target.range.start + 1);
    assert.ok(await editor.edit(b => b.insert(at, 'TYPED')));
    const pending = api.reviews(doc.uri);
    assert.ok(!pending.some(h => h.id === target.id), 'the edited hunk is no longer pending');
    assert.equal(pending.length, hunks.length - 1);
    assertHunksInPlace(doc);
    const typed = doc.getText();
    let expected = typed;
    for (const h of [...pending].reverse()) expected = rejected(expected, h);
    await vscode.commands.executeCommand('diffuse.rejectAll', doc.uri.toString());
    assert.equal(doc.getText(), expected);
    assert.ok(doc.getText().includes('TYPED'));
  });

  test('the cursor commands act on the hunk under the cursor; navigation moves between hunks', async () => {
    const editor = await open('\n');
    const doc = editor.document;
    const [first] = await editBody(editor);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    assert.equal(await vscode.commands.executeCommand('diffuse.nextHunk'), true);
    assert.equal(doc.offsetAt(editor.selection.active), first.range.start);
    const before = doc.getText();
    assert.equal(await vscode.commands.executeCommand('diffuse.rejectHunk'), true);
    assert.equal(doc.getText(), rejected(before, first));
  });

  test('show diff opens the original beside the document under review', async () => {
    const editor = await open('\n');
    const original = editor.document.getText();
    await editBody(editor);
    assert.equal(await vscode.commands.executeCommand('diffuse.showDiff'), true);
    const left = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'diffuse-original');
    assert.ok(left, 'the original is open as a virtual document');
    assert.equal(left.getText(), original);
  });
});
