// `diffuse-edit --backend remote` against the loopback server: the CLI runs from its TypeScript
// sources in a child process (spawned asynchronously: the server answers from this process).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startFakeServer, type FakeServer } from '../helpers/fakeServer';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');
const KEY = 'sk-cli-0123456789abcdef';

const SOURCE = `export function average(items: number[]): number {
  if (items.length === 0) {
    return 0;
  }
  return total(items) / items.length;
}
`;

let server: FakeServer;
before(async () => {
  server = await startFakeServer();
});
after(() => server.close());

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT, env: { ...process.env, DIFFUSE_API_KEY: KEY, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', d => (out += d));
    child.stderr.on('data', d => (err += d));
    child.on('close', code => resolve({ code, out, err }));
  });
}

function tmpFile(): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-remote-cli-')), 'avg.ts');
  fs.writeFileSync(f, SOURCE);
  return f;
}

test('edit --backend remote fills the lines through /v1/fim/completions with the key from DIFFUSE_API_KEY', async () => {
  // The syntax anchor leaves the first line's indentation in the prompt, as a FIM server expects.
  server.answer = () => 'if (!items.length) return 0;\n';
  const f = tmpFile();
  const r = await cli(['edit', f, '--lines', '2-4', '--json', '--backend', 'remote', '--endpoint', server.url, '--remote-model', 'mercury-coder']);
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.nfe, 1);
  assert.equal(res.syntax_ok, true);
  assert.match(res.diff, /\+ {2}if \(!items\.length\) return 0;/);
  assert.match(res.diff, /- {2}if \(items\.length === 0\) \{/);
  const req = server.requests.at(-1)!;
  assert.equal(req.path, '/v1/fim/completions');
  assert.equal(req.authorization, `Bearer ${KEY}`);
  assert.equal(req.body.model, 'mercury-coder');
  assert.ok(String(req.body.prompt).endsWith('number {\n  '), JSON.stringify(req.body.prompt));
  assert.ok(String(req.body.suffix).startsWith('\n  return total'), JSON.stringify(req.body.suffix));
});

test('a failing server exits 1 with one line naming the problem, never the key', async () => {
  server.fallback = { kind: 'status', status: 401, body: `{"error": "invalid key ${KEY}"}` };
  try {
    const f = tmpFile();
    const r = await cli(['edit', f, '--lines', '2-4', '--backend', 'remote', '--endpoint', server.url]);
    assert.equal(r.code, 1);
    assert.match(r.err, /check the API key/);
    assert.ok(!r.err.includes(KEY) && !r.out.includes(KEY), r.err);
    assert.equal(fs.readFileSync(f, 'utf8'), SOURCE, 'the file is untouched');
  } finally {
    server.fallback = { kind: 'ok' };
  }
});

test('--backend remote without --endpoint is a usage error (exit 2) and sends nothing', async () => {
  const before = server.requests.length;
  const r = await cli(['edit', tmpFile(), '--backend', 'remote']);
  assert.equal(r.code, 2);
  assert.match(r.err, /needs --endpoint URL/);
  assert.equal(server.requests.length, before);
});

test('edit --remote-api edit goes through Inception\'s next-edit API, with no edit history from the command line', async () => {
  server.requests.length = 0;
  server.answer = () => '  return total(items) / Math.max(1, items.length);\n';
  const file = tmpFile();
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex(l => l.includes('return total(items)')) + 1;
  const r = await cli(['edit', file, '--lines', `${at}-${at}`, '--backend', 'remote', '--endpoint', server.url, '--remote-model', 'mercury-edit-2', '--remote-api', 'edit', '--json']);
  assert.equal(r.code, 0, r.err);
  const req = server.requests.find(q => q.path === '/v1/edit/completions');
  assert.ok(req, JSON.stringify(server.requests.map(q => q.path)));
  assert.match(String((req.body.messages as Array<{ content: string }>)[0].content), /<\|edit_diff_history\|>\n\n<\|\/edit_diff_history\|>$/);
  const out = JSON.parse(r.out.trim().split('\n').pop()!);
  assert.match(out.diff, /\+ {2}return total\(items\) \/ Math\.max\(1, items\.length\);/);
});
