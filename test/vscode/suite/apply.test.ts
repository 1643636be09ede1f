// Diffuse Apply in the workbench: a snippet on the clipboard (or in another editor) applied to the
// active file, reviewed hunk by hunk, accepted and saved: the file on disk is the expected one.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { FillRecord } from '../../../src/vscode/fillRecord';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { activateTestApi, captureMessages, manifest, openNewFile, rejectReviewsAndCloseEditors } from './util';

/** A 1,000-line file of functions, five of which the snippet changes. */
function bigFile(): string {
  const out: string[] = [];
  for (let i = 0; out.length < 1000; i++) {
    out.push(`export function f${i}(items: number[]): number {`, '  let sum = 0;', `  for (const item of items) sum += item * ${i};`, '  return sum;', '}', '');
  }
  return `${out.slice(0, 1000).join('\n')}\n`;
}

const CHANGED = [12, 40, 77, 120, 151];

function snippetFor(): { snippet: string; expected: string } {
  let expected = bigFile();
  const parts: string[] = ['// ... existing code ...'];
  for (const i of CHANGED) {
    const before = `export function f${i}(items: number[]): number {\n  let sum = 0;\n  for (const item of items) sum += item * ${i};\n  return sum;\n}\n`;
    const after = `export function f${i}(items: readonly number[]): number {\n  return items.reduce((sum, item) => sum + item * ${i}, 0);\n}\n`;
    assert.ok(expected.includes(before));
    expected = expected.replace(before, after);
    parts.push(after.trimEnd(), '// ... existing code ...');
  }
  return { snippet: `\`\`\`ts src/sums.ts\n${parts.join('\n')}\n\`\`\`\n`, expected };
}

let api: DiffuseTestApi;

suite('Apply', () => {
  suiteSetup(async () => {
    api = await activateTestApi();
  });

  teardown(async () => {
    await rejectReviewsAndCloseEditors(api);
  });

  test('is contributed in the palette, on the context menu and on ctrl+alt+a', () => {
    const m = manifest().contributes;
    assert.equal(m.keybindings.find(k => k.command === 'diffuse.apply')?.key, 'ctrl+alt+a');
    assert.ok(m.menus['editor/context']?.some(e => e.command === 'diffuse.apply'));
    assert.ok(m.menus.commandPalette?.some(e => e.command === 'diffuse.applyFromEditor'));
  });

  test('a snippet on the clipboard: five hunks in a 1,000-line file; Accept All and save give the expected file', async () => {
    const { snippet, expected } = snippetFor();
    const editor = await openNewFile('apply', bigFile());
    const doc = editor.document;
    await vscode.env.clipboard.writeText(snippet);
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.apply');
    assert.equal(record?.outcome, 'review', JSON.stringify(record));
    assert.equal(record.hunks, CHANGED.length, 'one hunk per changed function');
    assert.equal(record.syntaxOk, true);
    assert.equal(api.reviews(doc.uri).length, CHANGED.length);
    assert.equal(await vscode.commands.executeCommand('diffuse.acceptAll', doc.uri.toString()), CHANGED.length);
    assert.ok(await doc.save());
    assert.equal(fs.readFileSync(doc.uri.fsPath, 'utf8'), expected);
  });

  test('a piece that matches nothing: the lines are named, nothing changes', async () => {
    const editor = await openNewFile('apply', bigFile());
    const doc = editor.document;
    const before = doc.getText();
    const version = doc.version;
    const snippet = '// ... existing code ...\nfunction nowhere() {\n  return 42;\n}\n// ... existing code ...\n';
    const { result: record, shown } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.apply', snippet));
    assert.equal(record?.outcome, 'refused', JSON.stringify(record));
    assert.ok(shown.some(m => /snippet lines 2-4: matches no line of the file/.test(m) && /nothing was changed/.test(m)), JSON.stringify(shown));
    assert.equal(doc.getText(), before);
    assert.equal(doc.version, version);
    assert.deepEqual(api.reviews(doc.uri), []);
  });

  test('a snippet that changes nothing says so', async () => {
    await openNewFile('apply', bigFile());
    const snippet = '// ...\nexport function f3(items: number[]): number {\n  let sum = 0;\n// ...\n';
    const { result: record, shown } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.apply', snippet));
    assert.equal(record?.outcome, 'no-change', JSON.stringify(record));
    assert.ok(shown.some(m => /changes nothing/.test(m)), JSON.stringify(shown));
  });

  test('Apply from Editor takes the snippet from another open editor', async () => {
    const { snippet, expected } = snippetFor();
    const source = (await openNewFile('snippet', snippet, { ext: 'md' })).document;
    const editor = await openNewFile('apply', bigFile());
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.applyFromEditor', source.uri.toString());
    assert.equal(record?.outcome, 'review', JSON.stringify(record));
    await vscode.commands.executeCommand('diffuse.acceptAll', editor.document.uri.toString());
    assert.equal(editor.document.getText(), expected);
  });
});
