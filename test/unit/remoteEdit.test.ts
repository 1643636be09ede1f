// Inception's next-edit API (`/v1/edit/completions`) against a real HTTP server on loopback: the
// request in Inception's format (the file with the region between its tags and the cursor, the
// recent edits as diffs), the answer mapped back onto the region, and each failure mode (the CLI's
// --remote-api edit is in remoteCli.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FillRequest, SamplerOptions } from '../../src/core/types';
import { fromEditRegion } from '../../src/model/remoteApi';
import { createRemoteBackend } from '../../src/model/remoteBackend';
import { remoteRig } from '../helpers/remoteRig';

const KEY = 'sk-edit-7a6b5c4d3e';
const SAMPLER: SamplerOptions = { steps: 8, strategy: 'threshold', threshold: 0.9, temperature: 0, topP: 1, seed: 0, blockLength: 0 };
/** The region is `return a - b;` inside its line: the indentation before it, nothing after it on the line. */
const REQ: FillRequest = { prefix: 'function add(a, b) {\n  ', suffix: '\n}\n', original: 'return a - b;', languageId: 'javascript' };
const HISTORY = ['--- math.js\n+++ math.js\n@@ -1,3 +1,3 @@\n-function sub(a, b) {\n+function add(a, b) {\n   return a - b;\n }'];

const rig = remoteRig({
  key: KEY, model: 'mercury-edit-2', api: 'edit', request: REQ, sampler: SAMPLER, answer: () => '  return a + b;\n',
  wrap: (b) => b.withEditContext({ history: HISTORY, filePath: 'src/math.js' }),
});

test('edit: one user message with the file, the region between its tags with the cursor, and the recent edits; the answer replaces the region', async () => {
  const out = await rig.backend().fill([REQ], SAMPLER);
  assert.deepEqual(out.texts, ['return a + b;'], 'the indentation sent with the region comes off again');
  assert.equal(out.nfe, 1);
  assert.equal(out.confidence, undefined, 'Inception\'s edit API gives no probabilities');
  const [r] = rig.server.requests;
  assert.equal(r.path, '/v1/edit/completions');
  assert.equal(r.authorization, `Bearer ${KEY}`);
  assert.equal(r.body.model, 'mercury-edit-2');
  assert.equal(r.body.stream, undefined, 'the edit API does not stream');
  const messages = r.body.messages as Array<{ role: string; content: string }>;
  assert.equal(messages.length, 1);
  assert.equal(messages[0].role, 'user');
  assert.equal(messages[0].content, [
    '<|recently_viewed_code_snippets|>',
    '<|/recently_viewed_code_snippets|>',
    '<|current_file_content|>',
    'current_file_path: src/math.js',
    'function add(a, b) {',
    '<|code_to_edit|>',
    '  return a - b;<|cursor|>',
    '<|/code_to_edit|>',
    '}',
    '',
    '<|/current_file_content|>',
    '<|edit_diff_history|>',
    HISTORY[0],
    '<|/edit_diff_history|>',
  ].join('\n'));
});

test('the answer mapped back onto a region that starts and ends inside its lines', () => {
  const req: FillRequest = { prefix: 'const x = ', suffix: '; // keep\n', original: 'f(1)' };
  assert.equal(fromEditRegion(req, 'const x = g(2); // keep\n'), 'g(2)');
  assert.equal(fromEditRegion(req, 'const x = g(2); // keep<|cursor|>'), 'g(2)', 'a cursor tag in the answer is dropped');
  // The line as the model wrote it: indentation deeper than the lead stays.
  assert.equal(fromEditRegion({ prefix: '  ', suffix: '\n', original: 'a();' }, '    b();\n'), '  b();\n');
  // An answer indented less than the lead: its indentation goes, the pipeline re-indents.
  assert.equal(fromEditRegion({ prefix: '    ', suffix: '\n', original: 'a();' }, '  b();\n'), 'b();\n');
});

test('no history: the tags are still there, empty', async () => {
  await createRemoteBackend({ endpoint: rig.server.url, model: 'mercury-edit-2', api: 'edit', timeoutMs: 2000 }).fill([REQ], SAMPLER);
  const content = (rig.server.requests[0].body.messages as Array<{ content: string }>)[0].content;
  assert.match(content, /<\|edit_diff_history\|>\n\n<\|\/edit_diff_history\|>$/);
  assert.doesNotMatch(content, /current_file_path/);
});

test('edit history is refused by the other APIs, and instructions by the edit API', () => {
  assert.throws(() => createRemoteBackend({ endpoint: rig.server.url, model: 'm', api: 'fim' }).withEditContext({ history: [] }), /takes no edit history/);
  assert.throws(() => createRemoteBackend({ endpoint: rig.server.url, model: 'm', api: 'edit' }).withInstruction('do it'), /cannot follow instructions/);
});

test('401 says to check the API key, without retrying', async () => {
  rig.server.plan({ kind: 'status', status: 401 });
  const e = await rig.failure();
  assert.equal(e.kind, 'auth');
  assert.equal(rig.server.requests.length, 1);
});

test('429 then success: Retry-After is honoured', async () => {
  rig.server.plan({ kind: 'status', status: 429, headers: { 'retry-after': '1' } });
  const out = await rig.backend().fill([REQ], SAMPLER);
  assert.equal(out.texts[0], 'return a + b;');
  assert.equal(out.nfe, 2);
  assert.deepEqual(rig.slept, [1000]);
});

test('5xx is retried, then fails with the status', async () => {
  rig.server.fallback = { kind: 'status', status: 503 };
  const e = await rig.failure();
  assert.equal(e.kind, 'server');
  assert.match(e.message, /HTTP 503/);
  assert.equal(rig.server.requests.length, 3);
});

test('a malformed answer and a silent server are reported as such', async () => {
  rig.server.plan({ kind: 'malformed' });
  assert.equal((await rig.failure()).kind, 'bad-response');
  rig.server.plan({ kind: 'slow', ms: 5000 });
  const slow = await rig.failure({ timeoutMs: 100 });
  assert.equal(slow.kind, 'timeout');
});
