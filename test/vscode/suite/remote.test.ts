// The remote backend inside VS Code: an OpenAI-compatible server on loopback, started by this test,
// answers the fills. A fill is reviewed and accepted; a failing server leaves the document as it
// was; Diffuse Edit… passes its instruction to the chat API and is plain about the local model.
import * as assert from 'node:assert/strict';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { FillRecord } from '../../../src/vscode/fillRecord';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { startFakeServer, type FakeServer } from '../../helpers/fakeServer';
import { activateTestApi, captureMessages, openNewFile, rejectReviewsAndCloseEditors, waitFor } from './util';

const KEY = 'sk-remote-suite-5a4b3c2d1e';
const SOURCE = [
  'export function average(items: number[]): number {',
  '  if (items.length === 0) {',
  '    return 0;',
  '  }',
  '  return total(items) / items.length;',
  '}',
  '',
].join('\n');
/** Lines 1..3: the guard of `average`. */
const GUARD = new vscode.Selection(1, 0, 4, 0);
const REMOTE_KEYS = ['backend', 'remote.endpoint', 'remote.model', 'remote.api'];

let api: DiffuseTestApi;
let server: FakeServer;

async function configure(values: Record<string, unknown>): Promise<void> {
  const config = vscode.workspace.getConfiguration('diffuse');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Global);
}

async function open(): Promise<vscode.TextEditor> {
  const editor = await openNewFile('remote', SOURCE);
  editor.selection = GUARD;
  return editor;
}

/**
 * The text of the "Diffuse Edit" output channel, which VS Code exposes as an `output:` document
 * once shown, when it holds `needle`.
 */
async function logText(needle: string): Promise<string> {
  await vscode.commands.executeCommand('diffuse.showLog');
  for (let i = 0; i < 50; i++) {
    const doc = vscode.workspace.textDocuments.find(d => d.uri.scheme === 'output' && d.getText().includes(needle));
    if (doc) return doc.getText();
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error(`the log is not readable as a document (open: ${vscode.workspace.textDocuments.map(d => d.uri.toString()).join(', ')})`);
}

suite('Remote backend', () => {
  suiteSetup(async () => {
    api = await activateTestApi();
    server = await startFakeServer();
    await configure({ backend: 'remote', 'remote.endpoint': server.url, 'remote.model': 'fake-diffusion', 'remote.api': 'fim' });
    assert.equal(await vscode.commands.executeCommand('diffuse.setApiKey', KEY), true);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('diffuse.setApiKey', '');
    await configure(Object.fromEntries(REMOTE_KEYS.map(k => [k, undefined])));
    await server.close();
  });

  teardown(async () => {
    server.fallback = { kind: 'ok' };
    server.requests.length = 0;
    await configure({ 'remote.api': 'fim', backend: 'remote' });
    await rejectReviewsAndCloseEditors(api);
  });

  test('Diffuse Edit fills the selection through the server; the change is reviewed and accepted', async () => {
    server.answer = () => 'if (!items.length) return 0;\n';
    const editor = await open();
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(record?.outcome, 'review', JSON.stringify(record));
    assert.equal(record.provider, 'remote');
    assert.equal(record.nfe, 1);
    assert.ok(record.steps >= 1, 'the streamed answer reached the live view');
    const [req] = server.requests;
    assert.equal(req.path, '/v1/fim/completions');
    assert.equal(req.authorization, `Bearer ${KEY}`, 'the key from secret storage is sent');
    assert.equal(req.body.model, 'fake-diffusion');
    assert.ok(api.reviews(editor.document.uri).length > 0);
    await vscode.commands.executeCommand('diffuse.acceptAll', editor.document.uri.toString());
    assert.equal(editor.document.getText(), SOURCE.replace('if (items.length === 0) {\n    return 0;\n  }', 'if (!items.length) return 0;'));
  });

  test('Diffuse Apply with the apply API: the server merges, the review shows it, nothing else is sent', async () => {
    await configure({ 'remote.api': 'apply' });
    const merged = SOURCE.replace('  return total(items) / items.length;', '  return total(items) / Math.max(1, items.length);');
    server.answer = () => merged;
    try {
      const editor = await open();
      const snippet = '// ... existing code ...\n  return total(items) / Math.max(1, items.length);\n}\n';
      const record = await vscode.commands.executeCommand<FillRecord>('diffuse.apply', snippet);
      assert.equal(record?.outcome, 'review', JSON.stringify(record));
      assert.equal(record.nfe, 1, 'one request to the server');
      assert.equal(server.requests.length, 1);
      assert.equal(server.requests[0].path, '/v1/apply/completions');
      assert.match(String((server.requests[0].body.messages as { content: string }[])[0].content), /^<\|original_code\|>\n[\s\S]*<\|update_snippet\|>\n\/\/ \.\.\. existing code/);
      await vscode.commands.executeCommand('diffuse.acceptAll', editor.document.uri.toString());
      assert.equal(editor.document.getText(), merged);
    } finally {
      server.answer = () => 'return 42;\n';
    }
  });

  test('the status bar names the remote model and host, before any fill', async () => {
    await configure({ 'remote.model': 'fake-diffusion' });
    const host = new URL(server.url).host;
    await waitFor(() => api.statusText.includes(`fake-diffusion at ${host}`), `the status bar names the server: ${api.statusText}`);
    assert.match(api.statusText, /remote/);
  });

  test('no endpoint: the failure is a notification that offers Open Settings and the log', async () => {
    await configure({ 'remote.endpoint': '' });
    try {
      const editor = await open();
      editor.selection = new vscode.Selection(1, 0, 2, 0);
      const { result: record, shown, offered } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.edit'));
      assert.equal(record?.outcome, 'failed', JSON.stringify(record));
      const i = shown.findIndex(m => /"diffuse\.remote\.endpoint" is empty/.test(m));
      assert.ok(i >= 0, JSON.stringify(shown));
      assert.deepEqual(offered[i], ['Open Settings', 'Show Log']);
      assert.equal(editor.document.getText(), SOURCE);
    } finally {
      await configure({ 'remote.endpoint': server.url });
    }
  });

  test('a failing server leaves the document untouched, and the key appears in no message or log', async () => {
    const editor = await open();
    const doc = editor.document;
    const version = doc.version;
    for (const fallback of [{ kind: 'status', status: 500 }, { kind: 'status', status: 401, body: `{"error": "bad key ${KEY}"}` }, { kind: 'drop' }] as const) {
      server.fallback = fallback;
      const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
      assert.equal(record?.outcome, 'failed', JSON.stringify(record));
      assert.ok(record.message && !record.message.includes(KEY), record.message);
      assert.equal(doc.getText(), SOURCE);
      assert.equal(doc.version, version);
      assert.deepEqual(api.reviews(doc.uri), []);
    }
    assert.match(api.lastFill?.message ?? '', /dropped/);
    const log = await logText('remote backend:');
    assert.match(log, /check the API key/, 'the failures are in the log');
    assert.ok(!log.includes(KEY), 'the key is not in the log');
  });

  test('Diffuse Edit… sends the instruction to the chat API and reviews the answer', async () => {
    await configure({ 'remote.api': 'chat' });
    server.answer = () => '```ts\nif (items.length === 0) {\n    throw new RangeError("empty");\n  }\n```';
    const editor = await open();
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.editWithInstruction', 'throw on an empty list');
    assert.equal(record?.outcome, 'review', JSON.stringify(record));
    const messages = server.requests[0].body.messages as Array<{ role: string; content: string }>;
    assert.equal(server.requests[0].path, '/v1/chat/completions');
    assert.match(messages[1].content, /Instruction: throw on an empty list/);
    await vscode.commands.executeCommand('diffuse.acceptAll', editor.document.uri.toString());
    assert.match(editor.document.getText(), /throw new RangeError\("empty"\);/);
    assert.doesNotMatch(editor.document.getText(), /```/);
  });

  test('with the local model, Diffuse Edit… says it cannot follow instructions and offers a plain edit', async () => {
    await configure({ backend: 'local' });
    const editor = await open();
    // The message is dismissed: nothing runs.
    const { result: record, shown, offered } = await captureMessages(() => vscode.commands.executeCommand<FillRecord | undefined>('diffuse.editWithInstruction', 'make it faster'));
    assert.equal(record, undefined);
    assert.ok(shown.some(m => /local model cannot follow instructions.*plain Diffuse Edit/.test(m)), JSON.stringify(shown));
    assert.ok(offered.some(items => items.includes('Choose Model')), 'the way to a model that can is offered');
    assert.equal(server.requests.length, 0, 'nothing was sent');
    assert.equal(editor.document.getText(), SOURCE);
  });

  test('with the local model, the log names the execution provider in use and those this build can use', async () => {
    await configure({ backend: 'local' });
    await open();
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.ok(record && record.outcome !== 'failed', JSON.stringify(record));
    const log = await logText('this onnxruntime-node build can use here:');
    const line = /execution provider "(\w+)" \(asked for "auto"; this onnxruntime-node build can use here: ([\w, ]+)\)/.exec(log);
    assert.ok(line, 'the provider line is in the log');
    assert.equal(line[1], record.provider);
    assert.ok(line[2].split(', ').includes('cpu'), line[2]);
    assert.equal(server.requests.length, 0, 'nothing was sent');
  });

  test('next edit: with the edit API, Diffuse Edit sends the user\'s recent edits of the file, never the review\'s own', async () => {
    await configure({ 'remote.api': 'edit', 'remote.model': 'mercury-edit-2' });
    const editor = await open();
    // The user renames the function: the history holds that edit as a unified diff.
    await editor.edit(b => b.replace(new vscode.Range(0, 16, 0, 23), 'mean'));
    assert.ok(editor.document.lineAt(0).text.startsWith('export function mean('));
    editor.selection = GUARD;
    server.answer = () => '  if (items.length === 0) return 0;\n';
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(record?.outcome, 'review', JSON.stringify(record));
    const req = server.requests.find(r => r.path === '/v1/edit/completions');
    assert.ok(req, JSON.stringify(server.requests.map(r => r.path)));
    const content = (req.body.messages as Array<{ content: string }>)[0].content;
    assert.match(content, /<\|edit_diff_history\|>\n--- [^\n]*\n\+\+\+ [^\n]*\n@@ [^\n]* @@\n-export function average\(items: number\[\]\): number \{\n\+export function mean\(items: number\[\]\): number \{/);
    assert.match(content, /<\|code_to_edit\|>\n {2}if \(items\.length === 0\) \{\n {4}return 0;\n {2}\}<\|cursor\|>\n<\|\/code_to_edit\|>/);
    // The review's insertion and its acceptance are not the user's edits.
    await vscode.commands.executeCommand('diffuse.acceptAll', editor.document.uri.toString());
    server.requests.length = 0;
    editor.selection = new vscode.Selection(4, 0, 5, 0);
    await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    const second = (server.requests.find(r => r.path === '/v1/edit/completions')!.body.messages as Array<{ content: string }>)[0].content;
    const history = /<\|edit_diff_history\|>\n([\s\S]*)\n<\|\/edit_diff_history\|>/.exec(second)![1];
    assert.match(history, /\+export function mean/, 'the rename is still there');
    assert.doesNotMatch(history, /\+ {2}if \(items\.length === 0\) return 0;/, 'the accepted proposal is not in the user\'s history');
    await configure({ 'remote.model': 'fake-diffusion' });
  });
});

