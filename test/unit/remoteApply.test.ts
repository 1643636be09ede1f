/**
 * Diffuse Apply through a server's apply API (Inception's `/v1/apply/completions`): the request
 * carries the original code and the update snippet in their tags, the merged code comes back in
 * the chat shape, and it goes through the same checks as a local apply. A real HTTP server on
 * loopback answers; the CLI runs from its sources in a child process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runApply } from '../../src/engine/apply';
import { createRemoteBackend } from '../../src/model/remoteBackend';
import { configureSyntax } from '../../src/syntax';
import { startFakeServer, type FakeServer } from '../helpers/fakeServer';

const ROOT = path.join(__dirname, '..', '..');
const KEY = 'sk-apply-0123456789abcdef';
const ORIGINAL = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n\nexport function sub(a: number, b: number): number {\n  return a - b;\n}\n';
const SNIPPET = '// ... existing code ...\nexport function sub(a: number, b: number): number {\n  return b - a;\n}\n';
const MERGED = ORIGINAL.replace('return a - b;', 'return b - a;');

let server: FakeServer;
before(async () => {
  server = await startFakeServer();
  configureSyntax({});
});
after(() => server.close());

test('the request holds the original and the snippet in their tags; the fenced answer is the merged file', async () => {
  server.requests.length = 0;
  server.answer = () => `\`\`\`typescript\n${MERGED}\`\`\``;
  const backend = createRemoteBackend({ endpoint: server.url, model: 'mercury-edit', api: 'apply', apiKey: KEY });
  assert.equal(backend.applies, true);
  const merged = await backend.applySnippet(ORIGINAL, SNIPPET);
  assert.equal(merged.trimEnd(), MERGED.trimEnd());
  assert.equal(server.requests.length, 1);
  const req = server.requests[0];
  assert.equal(req.path, '/v1/apply/completions');
  assert.equal(req.authorization, `Bearer ${KEY}`);
  assert.equal(req.body.model, 'mercury-edit');
  const messages = req.body.messages as { role: string; content: string }[];
  assert.equal(messages.length, 1);
  assert.equal(messages[0].role, 'user');
  assert.equal(messages[0].content, `<|original_code|>\n${ORIGINAL}\n<|/original_code|>\n\n<|update_snippet|>\n${SNIPPET}\n<|/update_snippet|>`);
  await backend.dispose();
});

test('the engine takes the server\'s merge through the same checks: CRLF kept, changed lines, syntax', async () => {
  server.answer = () => MERGED;
  const backend = createRemoteBackend({ endpoint: server.url, model: '', api: 'apply' });
  const crlf = ORIGINAL.replace(/\n/g, '\r\n');
  const r = await runApply({ docText: crlf, snippet: SNIPPET, languageId: 'typescript', remote: (o, s) => backend.applySnippet(o, s) });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.modelCalls, 1);
  assert.equal(r.text, MERGED.replace(/\n/g, '\r\n'));
  assert.equal(r.syntax, 'ok');
  assert.equal(crlf.slice(r.range.start, r.range.end), '  return a - b;\r\n');
  server.answer = () => '';
  const empty = await runApply({ docText: ORIGINAL, snippet: SNIPPET, languageId: 'typescript', remote: (o, s) => backend.applySnippet(o, s) });
  assert.match(empty.unplaced[0]?.reason ?? '', /no code/);
  await backend.dispose();
});

test('edits are refused on the apply API, and the other APIs refuse to apply, each saying which setting to change', async () => {
  const apply = createRemoteBackend({ endpoint: server.url, model: '', api: 'apply' });
  await assert.rejects(apply.fill([{ prefix: 'a', suffix: 'b', maxTokens: 8 }], { steps: 1, strategy: 'threshold', threshold: 0.9, temperature: 0, topP: 1, seed: 0, blockLength: 0, copyPrior: 0 }),
    /only applies snippets.*"diffuse\.remote\.api"/);
  const fim = createRemoteBackend({ endpoint: server.url, model: '', api: 'fim' });
  await assert.rejects(fim.applySnippet(ORIGINAL, SNIPPET), /does not apply snippets; set "diffuse\.remote\.api" to "apply"/);
});

test('CLI: apply --backend remote --remote-api apply writes the server\'s merge; a dead server is exit 1, nothing written', async () => {
  server.answer = () => MERGED;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-apply-'));
  const file = path.join(dir, 'ops.ts');
  const snippet = path.join(dir, 'snippet.txt');
  fs.writeFileSync(file, ORIGINAL);
  fs.writeFileSync(snippet, SNIPPET);
  const run = (args: string[]) => new Promise<{ code: number | null; out: string; err: string }>(resolve => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: ROOT, env: { ...process.env, DIFFUSE_API_KEY: KEY } });
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err += d));
    child.on('close', code => resolve({ code, out, err }));
  });
  try {
    const ok = await run(['apply', file, '--snippet', snippet, '--backend', 'remote', '--endpoint', server.url, '--remote-api', 'apply', '--json', '--write']);
    assert.equal(ok.code, 0, ok.err);
    const json = JSON.parse(ok.out) as { model_calls: number; hunks: unknown[]; syntax_ok: boolean };
    assert.equal(json.model_calls, 1);
    assert.equal(json.hunks.length, 1);
    assert.equal(json.syntax_ok, true);
    assert.equal(fs.readFileSync(file, 'utf8'), MERGED);
    assert.ok(!ok.err.includes(KEY) && !ok.out.includes(KEY));
    fs.writeFileSync(file, ORIGINAL);
    const dead = await run(['apply', file, '--snippet', snippet, '--backend', 'remote', '--endpoint', 'http://127.0.0.1:1', '--remote-api', 'apply', '--write']);
    assert.equal(dead.code, 1, dead.err);
    assert.match(dead.err, /^diffuse-edit: .+/);
    assert.equal(fs.readFileSync(file, 'utf8'), ORIGINAL);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
