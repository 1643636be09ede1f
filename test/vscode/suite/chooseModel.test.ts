// Diffuse: Choose Model in the workbench, answered through the test API's prompt responder: a
// loopback OpenAI-compatible server lists its models, the one picked gets the next fill; a wrong
// key is reported and nothing is written; Inception's option (pointed at the loopback server) sets
// its endpoint and API; a broken model folder is named; the bundled starter's one-time notice
// appears once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { FillRecord } from '../../../src/vscode/fillRecord';
import { CHOICES } from '../../../src/vscode/modelPicker';
import type { DiffuseTestApi } from '../../../src/vscode/testApi';
import { startFakeServer, type FakeServer } from '../../helpers/fakeServer';
import { activateTestApi, captureMessages, openNewFile, rejectReviewsAndCloseEditors, repoRoot } from './util';

const MODEL_KEYS = ['backend', 'model.path', 'remote.endpoint', 'remote.model', 'remote.api'];
const SOURCE = 'export function average(items: number[]): number {\n  if (items.length === 0) {\n    return 0;\n  }\n  return total(items) / items.length;\n}\n';

let api: DiffuseTestApi;
let server: FakeServer;

/** Answers the prompts in order: each answer for the next prompt; records what was asked. */
function answers(...replies: Array<string | undefined>): { asked: Array<{ kind: string; title: string; items: readonly string[] }> } {
  const asked: Array<{ kind: string; title: string; items: readonly string[] }> = [];
  api.setPromptResponder(async (kind, title, items) => {
    asked.push({ kind, title, items });
    return replies.shift();
  });
  return { asked };
}

function userSetting(key: string): unknown {
  return vscode.workspace.getConfiguration('diffuse').inspect(key)?.globalValue;
}

async function choose(...replies: Array<string | undefined>): Promise<{ result: unknown; shown: string[]; asked: Array<{ kind: string; title: string; items: readonly string[] }> }> {
  const { asked } = answers(...replies);
  const { result, shown } = await captureMessages(() => vscode.commands.executeCommand('diffuse.chooseModel'));
  return { result, shown, asked };
}

suite('Choose Model', () => {
  suiteSetup(async () => {
    api = await activateTestApi();
    server = await startFakeServer();
  });

  teardown(async () => {
    api.setPromptResponder(undefined);
    api.setInceptionEndpoint(undefined);
    server.modelsKey = undefined;
    server.models = ['fake-diffusion'];
    server.requests.length = 0;
    await vscode.commands.executeCommand('diffuse.setApiKey', '');
    const config = vscode.workspace.getConfiguration('diffuse');
    for (const k of MODEL_KEYS) await config.update(k, undefined, vscode.ConfigurationTarget.Global);
    await rejectReviewsAndCloseEditors(api);
  });

  suiteTeardown(async () => {
    await server.close();
  });

  test('a server at a URL: its models are listed, the one picked gets the next fill', async () => {
    server.models = ['alpha-chat', 'beta-coder'];
    const { result, asked } = await choose(CHOICES.server, server.url, 'beta-coder', 'completions');
    assert.equal(result, 'server');
    assert.deepEqual(asked.map(a => a.kind), ['pick', 'input', 'pick', 'pick']);
    assert.deepEqual(asked[2].items, ['alpha-chat', 'beta-coder'], 'the server\'s own list');
    assert.deepEqual([userSetting('backend'), userSetting('remote.endpoint'), userSetting('remote.model'), userSetting('remote.api')],
      ['remote', server.url, 'beta-coder', 'completions'], 'written to the user\'s settings');
    const editor = await openNewFile('choose-model', SOURCE);
    editor.selection = new vscode.Selection(1, 0, 4, 0);
    const record = await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(record?.outcome, 'review', JSON.stringify(record));
    const fill = server.requests.find(r => r.path === '/v1/completions');
    assert.ok(fill, `the fill went to the server: ${JSON.stringify(server.requests.map(r => r.path))}`);
    assert.equal(fill.body.model, 'beta-coder');
    assert.equal(fill.authorization, undefined, 'a server that wants no key gets none');
  });

  test('a server that wants a key: a wrong one is reported and nothing is written; the right one is kept', async () => {
    server.modelsKey = 'sk-right-0123';
    const wrong = await choose(CHOICES.server, server.url, 'sk-wrong-4567');
    assert.equal(wrong.result, undefined);
    assert.ok(wrong.shown.some(m => /refused the API key \(HTTP 401\)/.test(m)), JSON.stringify(wrong.shown));
    assert.ok(!wrong.shown.join(' ').includes('sk-wrong-4567'), 'the key is never shown');
    assert.equal(userSetting('backend'), undefined, 'nothing written');
    const right = await choose(CHOICES.server, server.url, 'sk-right-0123', 'fake-diffusion', 'chat');
    assert.equal(right.result, 'server');
    assert.equal(userSetting('remote.api'), 'chat');
    const editor = await openNewFile('choose-model-key', SOURCE);
    editor.selection = new vscode.Selection(1, 0, 4, 0);
    server.requests.length = 0;
    await vscode.commands.executeCommand<FillRecord>('diffuse.edit');
    assert.equal(server.requests.find(r => r.path === '/v1/chat/completions')?.authorization, 'Bearer sk-right-0123', 'the key from secret storage is sent');
  });

  test('Inception: the key is checked with one request, a Mercury edit model gets the next-edit API', async () => {
    api.setInceptionEndpoint(`${server.url}/v1`);
    server.models = ['mercury-2', 'mercury-edit-2'];
    server.modelsKey = 'sk-inception-good';
    const bad = await choose(CHOICES.inception, 'sk-inception-bad');
    assert.ok(bad.shown.some(m => /Inception refused the API key/.test(m)), JSON.stringify(bad.shown));
    assert.equal(userSetting('backend'), undefined);
    const good = await choose(CHOICES.inception, 'sk-inception-good', 'mercury-edit-2');
    assert.equal(good.result, 'inception');
    assert.deepEqual([userSetting('backend'), userSetting('remote.endpoint'), userSetting('remote.model'), userSetting('remote.api')],
      ['remote', `${server.url}/v1`, 'mercury-edit-2', 'edit']);
    assert.deepEqual(server.requests.filter(r => r.path === '/v1/models').map(r => r.authorization), ['Bearer sk-inception-bad', 'Bearer sk-inception-good']);
    // The picker marks the choice in use.
    const again = await choose(undefined);
    assert.ok(again.asked[0].items.includes(CHOICES.inception));
    assert.equal(api.statusText.includes('mercury-edit-2'), true, api.statusText);
  });

  test('a broken model folder is named and nothing is written; a good one is loaded and used', async () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-broken-model-'));
    fs.writeFileSync(path.join(broken, 'config.json'), '{ "format_version": 1, ');
    const bad = await choose(CHOICES.folder, broken);
    assert.equal(bad.result, undefined);
    assert.ok(bad.shown.some(m => m.includes(broken) && /not a usable model folder: config\.json is not valid JSON/.test(m)), JSON.stringify(bad.shown));
    assert.equal(userSetting('model.path'), undefined);
    const good = path.join(repoRoot, 'models', 'diffuse-code-mini');
    const ok = await choose(CHOICES.folder, good);
    assert.equal(ok.result, 'folder', JSON.stringify(ok.shown));
    assert.equal(userSetting('model.path'), good);
    assert.equal(userSetting('backend'), 'local');
    // Back to the bundled starter: the model path is removed from the user's settings.
    const bundled = await choose(CHOICES.bundled);
    assert.equal(bundled.result, 'bundled');
    assert.equal(userSetting('model.path'), undefined);
  });

  test('the bundled starter\'s notice appears once, on the first rewrite of more than a few lines, and offers Choose Model', async () => {
    await api.resetStarterNotice();
    const editor = await openNewFile('starter-notice', SOURCE);
    const run = async (): Promise<{ shown: string[]; offered: string[][] }> => {
      editor.selection = new vscode.Selection(0, 0, 6, 0);
      // Cancelled at its first step: the notice comes as the fill starts, whatever the fill does.
      let cancelled: Thenable<unknown> | undefined;
      const sub = api.onDidStep(() => {
        cancelled ??= vscode.commands.executeCommand('diffuse.cancel');
      });
      api.setBeforeApply(async () => {
        await cancelled;
      });
      try {
        const { shown, offered } = await captureMessages(() => vscode.commands.executeCommand<FillRecord>('diffuse.edit'));
        return { shown, offered };
      } finally {
        sub.dispose();
        api.setBeforeApply(undefined);
      }
    };
    const first = await run();
    const notice = first.shown.findIndex(m => /bundled starter model/.test(m));
    assert.ok(notice >= 0, JSON.stringify(first.shown));
    assert.deepEqual(first.offered[notice], ['Choose Model']);
    const second = await run();
    assert.ok(!second.shown.some(m => /bundled starter model/.test(m)), 'never again');
    await api.resetStarterNotice();
  });
});
