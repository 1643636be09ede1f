// Bad input in the editor: each case is answered with a clear message and leaves the document
// exactly as it was (text and version). Runs the real engine and the default model.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { FillRecord } from '../../../src/vscode/fillRecord';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { activateTestApi, captureMessages as capture, openNewFile, TOTAL_FUNCTION } from './util';

const SOURCE = [...TOTAL_FUNCTION, ''].join('\n');

let api: DiffuseTestApi;

const open = (content: string | Buffer, ext = 'ts'): Promise<vscode.TextEditor> => openNewFile('bad', content, { ext });

async function configure(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('diffuse').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Runs a command and checks it said `message` and left the document untouched. */
async function refused(editor: vscode.TextEditor, command: string, message: RegExp): Promise<FillRecord | undefined> {
  const doc = editor.document;
  const text = doc.getText();
  const version = doc.version;
  const { result, shown } = await capture(() => vscode.commands.executeCommand<FillRecord | undefined>(command));
  assert.ok(shown.some(m => message.test(m)), `${command}: expected ${message}, shown ${JSON.stringify(shown)}`);
  assert.ok(!result || ['refused', 'failed', 'cancelled'].includes(result.outcome), JSON.stringify(result));
  assert.equal(doc.getText(), text);
  assert.equal(doc.version, version);
  assert.deepEqual(api.reviews(doc.uri), []);
  return result;
}

suite('Bad input', () => {
  suiteSetup(async () => {
    api = await activateTestApi();
  });

  teardown(async () => {
    api.setBeforeApply(undefined);
    for (const key of ['maxFileBytes', 'model.path']) await configure(key, undefined);
    await vscode.commands.executeCommand('workbench.action.files.saveAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('a file above diffuse.maxFileBytes', async () => {
    await configure('maxFileBytes', 64);
    const editor = await open(SOURCE);
    for (const command of ['diffuse.edit', 'diffuse.repair', 'diffuse.quickRewrite']) {
      await refused(editor, command, /above "diffuse\.maxFileBytes"/);
    }
  });

  test('a file that is not valid UTF-8', async () => {
    const editor = await open(Buffer.concat([Buffer.from('const caf'), Buffer.from([0xe9]), Buffer.from(' = 1;\n')]));
    for (const command of ['diffuse.edit', 'diffuse.repair']) await refused(editor, command, /not valid in its encoding/);
  });

  test('an empty file', async () => {
    const editor = await open('');
    for (const command of ['diffuse.edit', 'diffuse.repair']) await refused(editor, command, /empty/);
  });

  test('a whitespace-only selection', async () => {
    const editor = await open(`${SOURCE}\n   \n\t\n`);
    editor.selection = new vscode.Selection(6, 0, 8, 0);
    for (const command of ['diffuse.edit', 'diffuse.repair']) await refused(editor, command, /only whitespace/);
  });

  test('a language without a grammar: asked first; confirmed, it is edited by whole lines', async () => {
    const editor = await open('first line of notes\nsecond line of notes\n', 'txt');
    editor.selection = new vscode.Selection(0, 0, 1, 0);
    const { result: record, shown } = await capture(() => vscode.commands.executeCommand<FillRecord>('diffuse.edit'),
      (_message, items) => items.find(i => i === 'Rewrite Anyway'));
    assert.ok(shown.some(m => /no grammar for "plaintext" files.*Rewrite it anyway\?/.test(m)), JSON.stringify(shown));
    assert.ok(record && ['review', 'no-change'].includes(record.outcome), JSON.stringify(record));
    assert.deepEqual(record.range, { start: 0, end: 'first line of notes\n'.length }, 'whole lines');
    assert.equal(record.syntaxOk, undefined, 'nothing was parsed: no syntax verdict');
    if (record.outcome === 'review') assert.ok(shown.some(m => /syntax not checked/.test(m)), `the review says so: ${JSON.stringify(shown)}`);
  });

  test('a Markdown file: asked before rewriting prose; declined, nothing runs', async () => {
    const editor = await open('# Notes\n\nSome prose about the project.\n', 'md');
    const before = editor.document.getText();
    editor.selection = new vscode.Selection(2, 0, 3, 0);
    const { result: record, shown } = await capture(() => vscode.commands.executeCommand<FillRecord | undefined>('diffuse.edit'));
    assert.equal(record, undefined, 'declined: no fill');
    assert.ok(shown.some(m => /no grammar for "markdown" files/.test(m)), JSON.stringify(shown));
    assert.equal(editor.document.getText(), before);
    assert.deepEqual(api.reviews(editor.document.uri), []);
  });

  for (const [name, make, message] of [
    ['missing', (dir: string) => path.join(dir, 'nowhere'), /not found/i],
    ['corrupt', (dir: string) => {
      fs.writeFileSync(path.join(dir, 'config.json'), '{ "format_version": 1, ');
      fs.writeFileSync(path.join(dir, 'tokenizer.json'), '{}');
      fs.writeFileSync(path.join(dir, 'model.onnx'), 'not a model');
      return dir;
    }, /config\.json/],
  ] as const) {
    test(`a ${name} model folder`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-bad-model-'));
      await configure('model.path', make(dir));
      const editor = await open(SOURCE);
      editor.selection = new vscode.Selection(1, 0, 3, 0);
      for (const command of ['diffuse.edit', 'diffuse.repair']) {
        const record = await refused(editor, command, message);
        assert.equal(record?.outcome, 'failed');
      }
    });
  }

  test('closing the file during a fill cancels it and changes nothing on disk', async () => {
    const editor = await open(SOURCE);
    const file = editor.document.uri.fsPath;
    editor.selection = new vscode.Selection(1, 0, 4, 0);
    api.setBeforeApply(async () => {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    });
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(record?.outcome, 'cancelled', JSON.stringify(record));
    assert.equal(fs.readFileSync(file, 'utf8'), SOURCE);
    const doc = vscode.workspace.textDocuments.find(d => d.uri.fsPath === file);
    assert.ok(!doc || (doc.getText() === SOURCE && !doc.isDirty), 'the document in memory is untouched');
    assert.deepEqual(api.reviews(vscode.Uri.file(file)), []);
  });

  test('the key pressed ten times during a fill: one fill, nine refusals, one review', async () => {
    const editor = await open(SOURCE);
    const doc = editor.document;
    editor.selection = new vscode.Selection(1, 0, 4, 0);
    const { result: records } = await capture(() => Promise.all(
      Array.from({ length: 10 }, () => vscode.commands.executeCommand<FillRecord>('diffuse.quickRewrite'))));
    const refusedOnes = records.filter(r => r?.outcome === 'refused');
    assert.equal(refusedOnes.length, 9, JSON.stringify(records));
    for (const r of refusedOnes) assert.match(r.message ?? '', /already running/);
    const done = records.find(r => r?.outcome !== 'refused');
    assert.ok(done && ['review', 'no-change'].includes(done.outcome), JSON.stringify(done));
    if (done.outcome === 'review') {
      await vscode.commands.executeCommand('diffuse.rejectAll', doc.uri.toString());
    }
    assert.equal(doc.getText(), SOURCE);
  });
});
