// Diffuse Repair in a real editor with the real engine and the default model: a misspelled
// identifier is found and its proposed fix reviewed and accepted; clean code gives "nothing to repair" and the
// document is not touched; repair is refused where it cannot run, and a cancel leaves no trace.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { RepairRecord, RepairTestApi } from '../../../src/vscode/repairCommand';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { activateTestApi, manifest, openNewFile, rejectReviewsAndCloseEditors } from './util';

const CLEAN = [
  'export function total(items: number[]): number {',
  '  let sum = 0;',
  '  for (const item of items) {',
  '    sum += item;',
  '  }',
  '  return sum;',
  '}',
  '',
].join('\n');

// `count` is used four times; the return misspells it once. Every use is in the same function, so
// the model sees the right spelling on both sides of the typo.
const TYPO_LINE = 7;
const TYPO = [
  'export function countPositive(values: number[]): number {',
  '  let count = 0;',
  '  for (const value of values) {',
  '    if (value > 0) {',
  '      count = count + 1;',
  '    }',
  '  }',
  '  return cuont;',
  '}',
  '',
].join('\n');

let api: DiffuseTestApi & { readonly repair: RepairTestApi };

const open = (text: string): Promise<vscode.TextEditor> => openNewFile('repair', text);

function selectAll(editor: vscode.TextEditor): void {
  const doc = editor.document;
  editor.selection = new vscode.Selection(new vscode.Position(0, 0), doc.positionAt(doc.getText().length));
}

suite('Repair', () => {
  suiteSetup(async () => {
    api = await activateTestApi<typeof api>();
    assert.ok(api?.repair, 'activate() exposes the repair test API');
  });

  teardown(async () => {
    api.repair.setBeforeApply(undefined);
    await rejectReviewsAndCloseEditors(api);
  });

  test('is contributed with its keybinding and context menu entry', () => {
    const m = manifest().contributes;
    assert.equal(m.keybindings.find(k => k.command === 'diffuse.repair')?.key, 'ctrl+alt+r');
    assert.ok(m.menus['editor/context']?.some(e => e.command === 'diffuse.repair'));
  });

  // The name is spelled right four times around the slip: the repair must find it, propose the
  // right spelling as a hunk, and accepting it must give exactly the corrected file.
  test('a misspelled identifier is found, fixed, reviewed and accepted', async () => {
    const editor = await open(TYPO);
    const doc = editor.document;
    selectAll(editor);
    const record = await vscode.commands.executeCommand<RepairRecord>('diffuse.repair');
    const typo = doc.offsetAt(new vscode.Position(TYPO_LINE, '  return '.length));
    assert.ok(record?.suspectRanges?.some(r => r.start <= typo && typo < r.end),
      `the typo is among the outlined suspects: ${JSON.stringify(record)}`);
    assert.equal(record.outcome, 'review', JSON.stringify(record));
    const hunks = api.reviews(doc.uri);
    assert.equal(hunks.length, 1, 'one hunk: the misspelled line');
    assert.equal(record.hunks, 1);
    const proposed = doc.getText();
    assert.equal(proposed.slice(hunks[0].range.start, hunks[0].range.end), hunks[0].added, 'the hunk is in place');
    assert.equal(await vscode.commands.executeCommand('diffuse.acceptAll', doc.uri.toString()), 1);
    assert.deepEqual(api.reviews(doc.uri), []);
    assert.equal(doc.getText(), TYPO.replace('return cuont;', 'return count;'), 'accepted: the file is the corrected one, byte for byte');
  });

  test('clean code: nothing to repair, no review, the document untouched', async () => {
    const editor = await open(CLEAN);
    const doc = editor.document;
    const version = doc.version;
    selectAll(editor);
    const record = await vscode.commands.executeCommand<RepairRecord>('diffuse.repair');
    assert.equal(record?.outcome, 'no-change', JSON.stringify(record));
    assert.match(record.message ?? '', /Nothing to repair/);
    assert.equal(doc.getText(), CLEAN);
    assert.equal(doc.version, version);
    assert.deepEqual(api.reviews(doc.uri), []);
  });

  test('with no selection it repairs the syntax node at the cursor, not the whole file', async () => {
    const text = `${CLEAN}\n${TYPO}`;
    const editor = await open(text);
    const doc = editor.document;
    const line = CLEAN.split('\n').length + TYPO_LINE;
    editor.selection = new vscode.Selection(line, 4, line, 4);
    const record = await vscode.commands.executeCommand<RepairRecord>('diffuse.repair');
    assert.ok(record && ['review', 'no-change'].includes(record.outcome), JSON.stringify(record));
    const r = record.range!;
    const cursor = doc.offsetAt(new vscode.Position(line, 4));
    assert.ok(r.start <= cursor && cursor <= r.end, 'the repaired range holds the cursor');
    assert.ok(r.start >= CLEAN.length, 'the other function is outside the range');
    assert.ok(doc.getText().startsWith(CLEAN), 'code outside the range is untouched');
  });

  test('a whitespace-only selection is answered and nothing runs', async () => {
    const editor = await open(`${CLEAN}\n\n   \n`);
    const doc = editor.document;
    editor.selection = new vscode.Selection(8, 0, 10, 0);
    const record = await vscode.commands.executeCommand<RepairRecord | undefined>('diffuse.repair');
    assert.equal(record, undefined);
    assert.equal(doc.getText(), `${CLEAN}\n\n   \n`);
  });

  test('a second press while a repair runs is refused; cancel leaves the document as it was', async () => {
    const editor = await open(TYPO);
    const doc = editor.document;
    const version = doc.version;
    selectAll(editor);
    const first = vscode.commands.executeCommand<RepairRecord>('diffuse.repair');
    const presses = await Promise.all(Array.from({ length: 9 }, () => vscode.commands.executeCommand<RepairRecord>('diffuse.repair')));
    for (const p of presses) assert.equal(p?.outcome, 'refused', JSON.stringify(p));
    // A fill of the same document waits for the repair as well: one job per document.
    const fill = await vscode.commands.executeCommand<{ outcome: string; message?: string }>('diffuse.quickRewrite');
    assert.equal(fill?.outcome, 'refused', JSON.stringify(fill));
    assert.match(fill.message ?? '', /already running/);
    await vscode.commands.executeCommand('diffuse.cancel');
    const record = await first;
    assert.ok(record && ['cancelled', 'review', 'no-change'].includes(record.outcome), JSON.stringify(record));
    if (record.outcome === 'review') await vscode.commands.executeCommand('diffuse.rejectAll', doc.uri.toString());
    assert.equal(doc.getText(), TYPO);
    if (record.outcome !== 'review') assert.equal(doc.version, version);
  });

  test('typing inside the code being repaired discards the result', async () => {
    const editor = await open(TYPO);
    const doc = editor.document;
    selectAll(editor);
    api.repair.setBeforeApply(async () => {
      const we = new vscode.WorkspaceEdit();
      we.insert(doc.uri, new vscode.Position(TYPO_LINE, 2), '/* typed */ ');
      assert.ok(await vscode.workspace.applyEdit(we));
    });
    const record = await vscode.commands.executeCommand<RepairRecord>('diffuse.repair');
    assert.equal(record?.outcome, 'refused', JSON.stringify(record));
    assert.match(record.message ?? '', /edited while the repair ran/);
    assert.equal(doc.lineAt(TYPO_LINE).text, '  /* typed */ return cuont;');
    assert.deepEqual(api.reviews(doc.uri), []);
  });

  test('the workspace name index follows open documents as they change, and files created and deleted on disk', async () => {
    await api.repair.namesReady();
    const name = `projectName_${process.pid}`;
    const editor = await open(`export const ${name} = 1;\n`);
    const doc = editor.document;
    const uri = doc.uri.toString();
    const until = async (what: string, ok: () => boolean) => {
      for (let i = 0; i < 50 && !ok(); i++) await new Promise(r => setTimeout(r, 100));
      assert.ok(ok(), what);
    };
    await until('the opened document is indexed', () => api.repair.nameOccurrences(name, uri) === 1);
    assert.ok(await editor.edit(b => b.insert(doc.positionAt(doc.getText().length), `export const other = ${name} + 1;\n`)));
    await until('an edit is indexed', () => api.repair.nameOccurrences(name, uri) === 2);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const file = vscode.Uri.joinPath(folder.uri, `names-${process.pid}.ts`);
    fs.writeFileSync(file.fsPath, `// ${name} in a comment is no use\nexport function use() { return ${name}; }\n`);
    await until('a file created on disk is indexed', () => api.repair.nameOccurrences(name, file.toString()) === 1);
    fs.unlinkSync(file.fsPath);
    await until('a deleted file is dropped', () => api.repair.nameOccurrences(name, file.toString()) === 0);
    assert.equal(api.repair.nameOccurrences(name), 2, 'only the open document still holds the name');
  });

  test('closing the file during a repair cancels it; nothing is written', async () => {
    const editor = await open(TYPO);
    const file = editor.document.uri.fsPath;
    selectAll(editor);
    api.repair.setBeforeApply(async () => {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });
    const record = await vscode.commands.executeCommand<RepairRecord>('diffuse.repair');
    assert.equal(record?.outcome, 'cancelled', JSON.stringify(record));
    assert.equal(fs.readFileSync(file, 'utf8'), TYPO);
    const doc = vscode.workspace.textDocuments.find(d => d.uri.fsPath === file);
    assert.ok(!doc || (doc.getText() === TYPO && !doc.isDirty), 'the document in memory is untouched');
    assert.deepEqual(api.reviews(vscode.Uri.file(file)), []);
  });
});
