// Fills from the user's entry points: palette / context menu / keybinding commands, the live view's
// steps, cancel, typing while a fill runs, and two files at once. Runs the real engine and model.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { FillRecord } from '../../../src/vscode/fillRecord';
import type { LiveStep } from '../../../src/vscode/fillRunner';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { activateExtension, manifest } from './util';

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
/** Lines 7..9: the broken body of `average`. */
const BODY = new vscode.Selection(7, 0, 10, 0);

let api: DiffuseTestApi;
let counter = 0;

async function open(column = vscode.ViewColumn.Active): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs with a workspace folder');
  const file = path.join(folder.uri.fsPath, `edit-${process.pid}-${++counter}.ts`);
  fs.writeFileSync(file, SOURCE);
  return vscode.window.showTextDocument(vscode.Uri.file(file), { viewColumn: column, preview: false });
}

function nextStep(uri: vscode.Uri): Promise<LiveStep> {
  return new Promise(resolve => {
    const sub = api.onDidStep(s => {
      if (s.uri !== uri.toString()) return;
      sub.dispose();
      resolve(s);
    });
  });
}

function assertHunksInPlace(doc: vscode.TextDocument): void {
  const text = doc.getText();
  for (const h of api.reviews(doc.uri)) assert.equal(text.slice(h.range.start, h.range.end), h.added, `hunk ${h.id}`);
}

suite('Edit', () => {
  suiteSetup(async () => {
    const exported = (await activateExtension()).exports as DiffuseTestApi | undefined;
    assert.ok(exported?.reviews, 'activate() must return registerDiffuse(context) (the test API)');
    api = exported;
  });

  teardown(async () => {
    api.setBeforeApply(undefined);
    for (const doc of vscode.workspace.textDocuments) {
      if (api.reviews(doc.uri).length) await vscode.commands.executeCommand('diffuse.rejectAll', doc.uri.toString());
    }
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Diffuse Edit (palette and context menu) reviews the selection and reports live steps', async () => {
    assert.ok(manifest().contributes.menus['editor/context']?.some(m => m.command === 'diffuse.edit'));
    const editor = await open();
    const original = editor.document.getText();
    editor.selection = BODY;
    const steps: LiveStep[] = [];
    const sub = api.onDidStep(s => s.uri === editor.document.uri.toString() && steps.push(s));
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    sub.dispose();
    assert.equal(record?.outcome, 'review', JSON.stringify(record));
    assert.ok(steps.length >= 1, 'the live view received steps');
    assert.equal(record.steps, steps.length);
    for (let i = 1; i < steps.length; i++) {
      assert.ok(steps[i].step > steps[i - 1].step, 'steps arrive in order');
      assert.ok(steps[i].masked <= steps[i - 1].masked, 'masked positions never come back');
    }
    assert.ok(record.nfe !== undefined && record.nfe >= 1);
    assert.ok(record.model && record.provider, 'the record names the model and provider');
    assert.deepEqual(api.lastFill, record);
    assertHunksInPlace(editor.document);
    // Nothing outside the (anchored) range was touched.
    const r = record.range!;
    assert.ok(editor.document.getText().startsWith(original.slice(0, r.start)));
    assert.ok(editor.document.getText().endsWith(original.slice(r.end)));
  });

  test('Quick Rewrite (keybinding) with no selection rewrites the code at the cursor', async () => {
    const binding = manifest().contributes.keybindings.find(k => k.command === 'diffuse.quickRewrite');
    assert.equal(binding?.key, 'ctrl+alt+d');
    const editor = await open();
    editor.selection = new vscode.Selection(9, 4, 9, 4);
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.quickRewrite');
    assert.ok(record && ['review', 'no-change'].includes(record.outcome), JSON.stringify(record));
    const r = record.range!;
    const line9 = editor.document.offsetAt(new vscode.Position(9, 4));
    assert.ok(r.start <= line9 && r.end >= line9, 'the rewritten range holds the cursor');
    assertHunksInPlace(editor.document);
  });

  test('cancel during the fill leaves the document exactly as it was', async () => {
    const editor = await open();
    const doc = editor.document;
    const before = doc.getText();
    const versionBefore = doc.version;
    editor.selection = BODY;
    // The cancel goes in at the first step; the hook holds the result back until it has landed.
    const cancelled = nextStep(doc.uri).then(() => vscode.commands.executeCommand('diffuse.cancel'));
    api.setBeforeApply(async () => {
      await cancelled;
    });
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(record?.outcome, 'cancelled', JSON.stringify(record));
    assert.equal(doc.getText(), before);
    assert.equal(doc.version, versionBefore);
    assert.deepEqual(api.reviews(doc.uri), []);
  });

  test('typing above the target while the fill runs: the result is rebased', async () => {
    const editor = await open();
    const doc = editor.document;
    const original = doc.getText();
    editor.selection = BODY;
    api.setBeforeApply(async () => {
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, new vscode.Position(0, 0), '// typed during the fill\n');
      assert.ok(await vscode.workspace.applyEdit(we));
    });
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(record?.outcome, 'review', JSON.stringify(record));
    assertHunksInPlace(doc);
    await vscode.commands.executeCommand('diffuse.rejectAll', doc.uri.toString());
    assert.equal(doc.getText(), `// typed during the fill\n${original}`);
  });

  test('typing inside the target while the fill runs: the result is refused', async () => {
    const editor = await open();
    const doc = editor.document;
    editor.selection = BODY;
    api.setBeforeApply(async () => {
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, new vscode.Position(8, 2), 'typed ');
      assert.ok(await vscode.workspace.applyEdit(we));
    });
    const typed = SOURCE.split('\n').map((l, i) => (i === 8 ? `  typed ${l.slice(2)}` : l)).join('\n');
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(record?.outcome, 'refused', JSON.stringify(record));
    assert.match(record.message ?? '', /edited while the fill ran/);
    assert.equal(doc.getText(), typed);
    assert.deepEqual(api.reviews(doc.uri), []);
  });

  test('two files fill and review independently', async () => {
    const a = await open();
    a.selection = BODY;
    const firstStep = nextStep(a.document.uri);
    const fillA = vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    await firstStep;
    const b = await open(vscode.ViewColumn.Beside);
    b.selection = BODY;
    const [ra, rb] = await Promise.all([fillA, vscode.commands.executeCommand<FillRecord>('diffuse.edit')]);
    assert.equal(ra?.outcome, 'review', JSON.stringify(ra));
    assert.equal(rb?.outcome, 'review', JSON.stringify(rb));
    const pendingA = api.reviews(a.document.uri);
    assert.ok(pendingA.length > 0 && api.reviews(b.document.uri).length > 0);
    const countB = api.reviews(b.document.uri).length;
    assert.equal(await vscode.commands.executeCommand('diffuse.rejectAll', b.document.uri.toString()), countB);
    assert.equal(b.document.getText(), SOURCE);
    assert.deepEqual(api.reviews(a.document.uri), pendingA, 'the other review is untouched');
    assertHunksInPlace(a.document);
  });

  test('refuses a binary file with a clear message and changes nothing', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'abc\u0000def\n' });
    const editor = await vscode.window.showTextDocument(doc);
    const record = await vscode.commands.executeCommand<FillRecord | undefined>('diffuse.edit');
    assert.equal(record, undefined);
    assert.equal(editor.document.getText(), 'abc\u0000def\n');
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
