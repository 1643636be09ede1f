// The remote backend against a real HTTP server on loopback: every API, streamed and whole, and
// each failure mode with the behaviour it is documented to have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FillRequest, SamplerOptions, StepEvent } from '../../src/core/types';
import { createRemoteBackend, RemoteError } from '../../src/model/remoteBackend';
import { startFakeServer } from '../helpers/fakeServer';
import { remoteRig } from '../helpers/remoteRig';

const KEY = 'sk-test-9f8e7d6c5b4a';
const SAMPLER: SamplerOptions = { steps: 8, strategy: 'threshold', threshold: 0.9, temperature: 0, topP: 1, seed: 0, blockLength: 0 };
const REQ: FillRequest = { prefix: 'function answer() {\n  ', suffix: '}\n', original: 'return 41;\n', languageId: 'typescript' };

const rig = remoteRig({ key: KEY, model: 'mercury-coder', api: 'fim', request: REQ, sampler: SAMPLER, answer: () => 'return 42;\n' });

test('fim: POST /v1/fim/completions with model, prompt, suffix, max_tokens, temperature, stream and the key', async () => {
  const steps: StepEvent[] = [];
  const out = await rig.backend({ stream: false }).fill([REQ], SAMPLER, { onStep: e => steps.push(e) });
  assert.deepEqual(out.texts, ['return 42;\n']);
  assert.equal(out.nfe, 1);
  const [r] = rig.server.requests;
  assert.equal(r.path, '/v1/fim/completions');
  assert.equal(r.authorization, `Bearer ${KEY}`);
  assert.equal(r.body.model, 'mercury-coder');
  assert.equal(r.body.prompt, REQ.prefix);
  assert.equal(r.body.suffix, REQ.suffix);
  assert.equal(r.body.temperature, 0);
  assert.equal(r.body.stream, false);
  assert.equal(typeof r.body.max_tokens, 'number');
  assert.equal(steps.at(-1)?.canvases[0], 'return 42;\n');
});

test('streamed answers feed onStep with the text so far, ending with the whole text', async () => {
  rig.server.answer = () => 'const total = items.reduce((a, b) => a + b, 0);\n';
  const canvases: string[] = [];
  const out = await rig.backend().fill([REQ], SAMPLER, { onStep: e => canvases.push(e.canvases[0]) });
  assert.equal(rig.server.requests[0].body.stream, true);
  assert.equal(out.texts[0], 'const total = items.reduce((a, b) => a + b, 0);\n');
  assert.ok(canvases.length >= 3, `one step per streamed piece, got ${canvases.length}`);
  for (let i = 1; i < canvases.length; i++) assert.ok(canvases[i].startsWith(canvases[i - 1]), 'text so far only grows');
});

test('completions: /v1/completions with prompt and suffix; an endpoint ending in /v1 is not doubled', async () => {
  const out = await rig.backend({ api: 'completions', endpoint: `${rig.server.url}/v1/` }).fill([REQ], SAMPLER);
  assert.equal(out.texts[0], 'return 42;\n');
  assert.equal(rig.server.requests[0].path, '/v1/completions');
  assert.equal(rig.server.requests[0].body.prompt, REQ.prefix);
  assert.equal(rig.server.requests[0].body.suffix, REQ.suffix);
});

test('chat: the instruction and the region are sent, fences are stripped, the line break kept', async () => {
  rig.server.answer = () => 'Here you go:\n```ts\nreturn 40 + 2;\n```\nDone.';
  const b = rig.backend({ api: 'chat' });
  assert.equal(b.followsInstructions, true);
  for (const stream of [false, true]) {
    rig.server.requests.length = 0;
    const out = await rig.backend({ api: 'chat', stream }).withInstruction('compute it as a sum').fill([REQ], SAMPLER);
    assert.deepEqual(out.texts, ['return 40 + 2;\n']);
    const r = rig.server.requests[0];
    assert.equal(r.path, '/v1/chat/completions');
    const messages = r.body.messages as Array<{ role: string; content: string }>;
    assert.equal(messages[0].role, 'system');
    assert.match(messages[0].content, /only the new code/);
    assert.match(messages[1].content, /Instruction: compute it as a sum/);
    assert.ok(messages[1].content.includes('<region>\nreturn 41;\n</region>'));
  }
});

test('instructions are refused by the fim and completions APIs, which cannot follow them', () => {
  assert.equal(rig.backend().followsInstructions, false);
  assert.throws(() => rig.backend({ api: 'completions' }).withInstruction('x'), /cannot follow instructions.*"chat"/);
});

test('a batch is one HTTP request per fill request, at most four at a time; nfe counts them', async () => {
  rig.server.fallback = { kind: 'slow', ms: 30 };
  rig.server.answer = r => `// ${String(r.body.prompt)}\n`;
  const reqs = Array.from({ length: 10 }, (_, i) => ({ prefix: `p${i}`, suffix: '', maxTokens: 8 }));
  const out = await rig.backend({ stream: false }).fill(reqs, SAMPLER);
  assert.equal(out.nfe, 10);
  assert.equal(rig.server.requests.length, 10);
  assert.ok(rig.server.peakConcurrency <= 4 && rig.server.peakConcurrency >= 2, `peak ${rig.server.peakConcurrency}`);
  assert.deepEqual(out.texts, reqs.map(() => 'late'), 'answers stay in request order');
});

test('429 then success: Retry-After is honoured and the request succeeds', async () => {
  rig.server.plan({ kind: 'status', status: 429, headers: { 'retry-after': '2' } });
  const out = await rig.backend().fill([REQ], SAMPLER);
  assert.equal(out.texts[0], 'return 42;\n');
  assert.equal(out.nfe, 2, 'both HTTP calls count');
  assert.deepEqual(rig.slept, [2000]);
});

test('500 is retried with exponential backoff, then fails after 3 tries', async () => {
  rig.server.fallback = { kind: 'status', status: 500 };
  const e = await rig.failure();
  assert.equal(e.kind, 'server');
  assert.match(e.message, /HTTP 500/);
  assert.equal(rig.server.requests.length, 3);
  assert.deepEqual(rig.slept, [375, 750], 'base 500 ms doubling, with jitter');
});

test('401 and 403 say to check the API key, without retrying', async () => {
  for (const status of [401, 403]) {
    rig.server.requests.length = 0;
    rig.server.plan({ kind: 'status', status });
    const e = await rig.failure();
    assert.equal(e.kind, 'auth');
    assert.match(e.message, /check the API key/);
    assert.equal(rig.server.requests.length, 1);
  }
});

test('404 says to check the endpoint URL and model', async () => {
  const e = await rig.failure({ endpoint: `${rig.server.url}/wrong/base` });
  assert.equal(e.kind, 'not-found');
  assert.match(e.message, /check the endpoint URL and model/);
});

test('a slow server times out with a clear message', async () => {
  rig.server.plan({ kind: 'slow', ms: 5000 });
  const e = await rig.failure({ timeoutMs: 100 });
  assert.equal(e.kind, 'timeout');
  assert.match(e.message, /No answer from the server within 0\.1 s/);
});

test('malformed JSON is reported as such', async () => {
  rig.server.plan({ kind: 'malformed' });
  const e = await rig.failure({ stream: false });
  assert.equal(e.kind, 'bad-response');
  assert.match(e.message, /malformed JSON/);
});

test('a connection dropped mid-answer is reported, streamed or not', async () => {
  for (const stream of [true, false]) {
    rig.server.plan({ kind: 'drop' });
    const e = await rig.failure({ stream });
    assert.equal(e.kind, 'network');
    assert.match(e.message, /dropped|closed before/);
  }
});

test('a connection reset before any answer is retried; resets on every try end in a clear error', async () => {
  rig.server.plan({ kind: 'reset' });
  const out = await rig.backend().fill([REQ], SAMPLER);
  assert.equal(out.texts[0], 'return 42;\n');
  assert.equal(out.nfe, 2);
  rig.server.requests.length = 0;
  rig.server.fallback = { kind: 'reset' };
  const e = await rig.failure();
  assert.equal(e.kind, 'network');
  assert.match(e.message, /Could not reach/);
  assert.equal(rig.server.requests.length, 3);
});

test('a fill whose signal is already aborted sends nothing', async () => {
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(rig.backend().fill([REQ], SAMPLER, { signal: abort.signal }), (e: Error) => e.name === 'AbortError');
  assert.equal(rig.server.requests.length, 0);
});

test('a server echoing the key in its error body does not leak it into the message', async () => {
  rig.server.plan({ kind: 'status', status: 400, body: `{"error": "bad token Bearer ${KEY}"}` });
  const e = await rig.failure();
  assert.match(e.message, /HTTP 400.*Bearer \*\*\*/);
});

test('cancelling aborts the request in flight with an AbortError', async () => {
  rig.server.plan({ kind: 'slow', ms: 5000 });
  const abort = new AbortController();
  const pending = rig.backend({ timeoutMs: 10_000 }).fill([REQ], SAMPLER, { signal: abort.signal });
  setTimeout(() => abort.abort(), 50);
  await assert.rejects(pending, (e: Error) => e.name === 'AbortError');
});

test('nothing is sent without an endpoint; a non-http endpoint is refused', () => {
  assert.throws(() => rig.backend({ endpoint: '  ' }), /No remote endpoint is configured/);
  assert.throws(() => rig.backend({ endpoint: 'file:///etc/passwd' }), /must be an http/);
  assert.equal(rig.server.requests.length, 0);
});

test('no key, no Authorization header; an empty model name is left out', async () => {
  await rig.backend({ apiKey: undefined, model: '' }).fill([REQ], SAMPLER);
  assert.equal(rig.server.requests[0].authorization, undefined);
  assert.equal('model' in rig.server.requests[0].body, false);
});

test('a server that is not running is reported as such', async () => {
  const closed = await startFakeServer();
  await closed.close();
  let caught: unknown;
  await createRemoteBackend({ endpoint: closed.url, model: 'm', api: 'fim', apiKey: KEY }).fill([REQ], SAMPLER).catch(e => { caught = e; });
  assert.ok(caught instanceof RemoteError && caught.kind === 'network', String(caught));
  assert.match(caught.message, /Could not connect to .*connection refused/);
});

test('a port the runtime\'s fetch refuses (9) is named as such, with what to do, not as "bad port"', async () => {
  const e = await rig.failure({ endpoint: 'http://127.0.0.1:9' });
  assert.match(e.message, /port 9 is blocked by the runtime's fetch.*use another port/);
  assert.equal(e.kind, 'config');
});
