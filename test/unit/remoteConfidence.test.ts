// The remote backend's confidence: token log-probabilities asked for where the API has them, read
// from whole and streamed answers in both shapes servers use, carried onto the cleaned-up fill, and
// never invented. Against a real HTTP server on loopback that answers as vLLM, SGLang and llama.cpp do.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FillRequest, SamplerOptions, TokenConfidence } from '../../src/core/types';
import { asksLogprobs, choiceLogprobs, rejectsLogprobs, requestBody, tokenSpans } from '../../src/model/remoteApi';
import { createRemoteBackend, RemoteError, type RemoteBackendOptions } from '../../src/model/remoteBackend';

const SAMPLER: SamplerOptions = { steps: 8, strategy: 'threshold', threshold: 0.9, temperature: 0, topP: 1, seed: 0, blockLength: 0 };
const REQ: FillRequest = { prefix: 'function answer() {\n  ', suffix: '}\n', original: 'return 41;\n', languageId: 'typescript' };

interface Scored { readonly token: string; readonly logprob: number | null; readonly bytes?: number[] }

/** What the server does with one request: answer with these tokens (and how), or fail. */
type Reply =
  | { kind: 'tokens'; tokens: Scored[]; shape: 'legacy' | 'content' | 'none'; text?: string }
  | { kind: 'status'; status: number; body: string };

interface Recorded { readonly path: string; readonly body: Record<string, unknown> }

let base = '';
let server: http.Server;
const requests: Recorded[] = [];
let reply: (r: Recorded) => Reply;

/** The logprobs object of a choice, in the shape asked for. */
function logprobsOf(tokens: readonly Scored[], shape: 'legacy' | 'content' | 'none'): unknown {
  if (shape === 'none') return null;
  if (shape === 'content') return { content: tokens.map(t => ({ token: t.token, logprob: t.logprob, bytes: t.bytes ?? [...Buffer.from(t.token)], top_logprobs: [] })) };
  let offset = 0;
  const text_offset = tokens.map(t => (offset += t.token.length) - t.token.length);
  return { tokens: tokens.map(t => t.token), token_logprobs: tokens.map(t => t.logprob), text_offset, top_logprobs: tokens.map(() => ({})) };
}

function respond(res: http.ServerResponse, r: Recorded): void {
  const plan = reply(r);
  if (plan.kind === 'status') {
    res.writeHead(plan.status, { 'content-type': 'application/json' });
    res.end(plan.body);
    return;
  }
  const chat = r.path === '/v1/chat/completions';
  const text = plan.text ?? plan.tokens.map(t => t.token).join('');
  const choice = (content: string, tokens: readonly Scored[]): Record<string, unknown> => ({
    index: 0, finish_reason: null, ...(chat ? { delta: { content } } : { text: content }), logprobs: logprobsOf(tokens, plan.shape),
  });
  if (!r.body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      id: 'x', choices: [{ index: 0, finish_reason: 'stop', ...(chat ? { message: { role: 'assistant', content: text } } : { text }), logprobs: logprobsOf(plan.tokens, plan.shape) }],
    }));
    return;
  }
  // One event per two tokens, as servers send each step's new tokens with their own log-probabilities;
  // the text of a character split between events comes with the event that completes it.
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  if (chat) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant' }, logprobs: null }] })}\n\n`);
  const utf8 = new TextDecoder();
  for (let k = 0; k < plan.tokens.length; k += 2) {
    const part = plan.tokens.slice(k, k + 2);
    const piece = utf8.decode(Buffer.concat(part.map(t => (t.bytes ? Buffer.from(t.bytes) : Buffer.from(t.token)))), { stream: true });
    res.write(`data: ${JSON.stringify({ choices: [choice(piece, part)] })}\n\n`);
  }
  res.write(`data: ${JSON.stringify({ choices: [], usage: { completion_tokens: plan.tokens.length } })}\n\n`);
  res.end('data: [DONE]\n\n');
}

before(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c as Buffer));
    req.on('end', () => {
      const r = { path: (req.url ?? '').split('?')[0], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> };
      requests.push(r);
      respond(res, r);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>(resolve => server.close(() => resolve())));
beforeEach(() => {
  requests.length = 0;
});

const backend = (o: Partial<RemoteBackendOptions> = {}) =>
  createRemoteBackend({ endpoint: base, model: 'm', api: 'completions', timeoutMs: 2000, sleep: async () => undefined, ...o });

// 'return 42;\n' in four tokens; the line break is whitespace, which spans leave out.
const RETURN_42: Scored[] = [
  { token: 'return', logprob: -0.01 },
  { token: ' 42', logprob: -1.2 },
  { token: ';', logprob: -0.05 },
  { token: '\n', logprob: -0.3 },
];
const EXPECTED_42: TokenConfidence[] = [
  { start: 0, end: 6, p: Math.exp(-0.01) },
  { start: 7, end: 9, p: Math.exp(-1.2) },
  { start: 9, end: 10, p: Math.exp(-0.05) },
];

/** Spans equal up to float32 rounding (the per-character arrays are Float32Array). */
function assertSpans(actual: readonly TokenConfidence[] | undefined, expected: readonly TokenConfidence[]): void {
  assert.ok(actual, 'confidence expected');
  assert.deepEqual(actual.map(s => [s.start, s.end]), expected.map(s => [s.start, s.end]));
  actual.forEach((s, k) => assert.ok(Math.abs(s.p - expected[k].p) < 1e-6, `span ${k}: ${s.p} vs ${expected[k].p}`));
}

test('completions, whole and streamed: logprobs asked for, and each token\'s probability becomes a span of the fill', async () => {
  reply = () => ({ kind: 'tokens', tokens: RETURN_42, shape: 'legacy' });
  for (const stream of [false, true]) {
    requests.length = 0;
    const b = backend({ stream });
    assert.equal(b.givesConfidence, true);
    const out = await b.fill([REQ], SAMPLER);
    assert.equal(requests[0].body.logprobs, 1);
    assert.equal(out.texts[0], 'return 42;\n');
    assertSpans(out.confidence?.[0], EXPECTED_42);
  }
});

test('llama.cpp\'s completions answer in the chat shape (logprobs.content) and are read the same', async () => {
  reply = () => ({ kind: 'tokens', tokens: RETURN_42, shape: 'content' });
  for (const stream of [false, true]) {
    const out = await backend({ stream }).fill([REQ], SAMPLER);
    assertSpans(out.confidence?.[0], EXPECTED_42);
  }
});

test('chat, whole and streamed: logprobs: true asked for; the spans follow the code out of its fences', async () => {
  // é split over two tokens (as byte-level tokenizers do): the character gets the product of both.
  const tokens: Scored[] = [
    { token: '```ts\n', logprob: -0.2 },
    { token: 'return', logprob: -0.1 },
    { token: ' "', logprob: -0.4 },
    { token: '\ufffd', logprob: -0.5, bytes: [0xc3] },
    { token: '\ufffd', logprob: -0.25, bytes: [0xa9] },
    { token: '";', logprob: -0.05 },
    { token: '\n```', logprob: -0.01 },
  ];
  reply = () => ({ kind: 'tokens', tokens, shape: 'content', text: '```ts\nreturn "é";\n```' });
  for (const stream of [false, true]) {
    requests.length = 0;
    const out = await backend({ api: 'chat', stream }).fill([REQ], SAMPLER);
    assert.equal(requests[0].body.logprobs, true);
    assert.equal(requests[0].body.top_logprobs, 1);
    assert.equal(out.texts[0], 'return "é";\n');
    assertSpans(out.confidence?.[0], [
      { start: 0, end: 6, p: Math.exp(-0.1) },
      { start: 7, end: 8, p: Math.exp(-0.4) },
      { start: 8, end: 9, p: Math.exp(-0.75) },
      { start: 9, end: 11, p: Math.exp(-0.05) },
    ]);
  }
});

test('an answer without log-probabilities has no confidence: none is invented', async () => {
  reply = () => ({ kind: 'tokens', tokens: RETURN_42, shape: 'none' });
  for (const api of ['completions', 'chat'] as const) {
    for (const stream of [false, true]) {
      const b = backend({ api, stream });
      const out = await b.fill([REQ], SAMPLER);
      assert.equal(out.texts[0], 'return 42;\n');
      assert.equal(out.confidence, undefined, `${api} stream=${stream}`);
      assert.equal(b.givesConfidence, true, 'the server took the field; this answer just had none');
    }
  }
});

test('in a batch, a request whose answer had none gets no spans while the others keep theirs', async () => {
  reply = r => ({ kind: 'tokens', tokens: RETURN_42, shape: String(r.body.prompt) === 'a' ? 'legacy' : 'none' });
  const out = await backend({ stream: false }).fill([{ prefix: 'a', suffix: '' }, { prefix: 'b', suffix: '' }], SAMPLER);
  assertSpans(out.confidence?.[0], EXPECTED_42);
  assert.deepEqual(out.confidence?.[1], []);
});

test('a server answering 400 to the logprobs field: the fill is retried without it, and it is not asked again', async () => {
  // vLLM-style error whose mention of the field lies past the part a message shows.
  const refusal = JSON.stringify({ object: 'error', message: `${'x'.repeat(300)} Extra inputs are not permitted: logprobs`, type: 'BadRequestError', code: 400 });
  reply = r => ('logprobs' in r.body ? { kind: 'status', status: 400, body: refusal } : { kind: 'tokens', tokens: RETURN_42, shape: 'none' });
  const b = backend({ api: 'chat' });
  const out = await b.fill([REQ], SAMPLER);
  assert.equal(out.texts[0], 'return 42;\n');
  assert.equal(out.confidence, undefined);
  assert.equal(out.nfe, 2, 'both HTTP calls count');
  assert.deepEqual(requests.map(r => 'logprobs' in r.body), [true, false]);
  assert.equal(b.givesConfidence, false, 'the backend now says it gives none');
  assert.equal(b.withInstruction('x').givesConfidence, false, 'instructed copies share the session');
  requests.length = 0;
  await b.withInstruction('use 42').fill([REQ], SAMPLER);
  assert.deepEqual(requests.map(r => 'logprobs' in r.body), [false], 'remembered for the session');
});

test('a 400 that is not about logprobs still fails at once, with the server\'s words; its kept body is scrubbed of the key', async () => {
  const key = 'sk-test-0a1b2c3d4e5f';
  reply = () => ({ kind: 'status', status: 400, body: `{"error": {"message": "max_tokens is too large", "echo": "${'y'.repeat(300)} Bearer ${key}"}}` });
  const b = backend({ apiKey: key });
  await assert.rejects(b.fill([REQ], SAMPLER), (e: unknown) =>
    e instanceof RemoteError && e.status === 400 && /max_tokens is too large/.test(e.message) && !!e.body?.includes('Bearer ***') && !e.body.includes(key));
  assert.equal(requests.length, 1);
  assert.equal(b.givesConfidence, true);
});

test('FIM, apply and Inception\'s hosts are never asked for a field their API does not document', async () => {
  reply = () => ({ kind: 'tokens', tokens: RETURN_42, shape: 'legacy' });
  const fim = backend({ api: 'fim' });
  assert.equal(fim.givesConfidence, false);
  const out = await fim.fill([REQ], SAMPLER);
  assert.equal('logprobs' in requests[0].body, false);
  assert.equal(out.confidence, undefined, 'a FIM answer is not read for scores it was not asked for');
  assert.equal(backend({ api: 'apply' }).givesConfidence, false);
  assert.equal(asksLogprobs('chat', 'https://api.inceptionlabs.ai/v1/chat/completions'), false);
  assert.equal(asksLogprobs('completions', 'https://eu.api.InceptionLabs.ai/v1/completions'), false);
  assert.equal(asksLogprobs('chat', 'http://gpu-box:30000/v1/chat/completions'), true);
  assert.equal(asksLogprobs('completions', 'http://localhost:8000/v1/completions'), true);
});

test('request bodies: completions ask for one alternative (llama.cpp reports none for 0), chat for logprobs: true', () => {
  const o = { model: '', maxTokens: 8, temperature: 0, stream: false, logprobs: true };
  assert.equal(requestBody('completions', REQ, o).logprobs, 1);
  assert.deepEqual([requestBody('chat', REQ, o).logprobs, requestBody('chat', REQ, o).top_logprobs], [true, 1]);
  assert.equal('logprobs' in requestBody('chat', REQ, { ...o, logprobs: false }), false);
});

test('choiceLogprobs reads both shapes, null scores as unknown, and nothing from an answer without them', () => {
  assert.deepEqual(choiceLogprobs({ choices: [{ text: 'ab', logprobs: { tokens: ['a', 'b'], token_logprobs: [null, -1] } }] }), [
    { token: 'a', logprob: null }, { token: 'b', logprob: -1 },
  ]);
  assert.deepEqual(choiceLogprobs({ choices: [{ logprobs: { content: [{ token: 'a', logprob: -2, bytes: [97] }] } }] }), [{ token: 'a', logprob: -2, bytes: [97] }]);
  assert.equal(choiceLogprobs({ choices: [{ text: 'a', logprobs: null }] }), undefined);
  assert.equal(choiceLogprobs({ choices: [{ message: { content: 'a' }, logprobs: { content: null, refusal: null } }] }), undefined);
  assert.equal(choiceLogprobs({ choices: [] }), undefined);
});

test('tokenSpans: a token text that does not match the answer, or has no score, gives no span there', () => {
  // A `bytes:` label instead of the character (as older llama.cpp wrote pieces of one) matches nothing.
  const spans = tokenSpans([{ token: 'a', logprob: -0.1 }, { token: 'bytes:\\xc3', logprob: -1 }, { token: 'b', logprob: null }, { token: 'c', logprob: 0 }], 'a?bc');
  assert.deepEqual(spans.map(s => [s.start, s.end]), [[0, 1], [3, 4]]);
  assert.equal(spans[1].p, 1);
  assert.deepEqual(tokenSpans([], 'abc'), []);
});

test('rejectsLogprobs: only a 400/422 or an error in the stream that names the field', () => {
  assert.equal(rejectsLogprobs(new RemoteError('http', 'HTTP 400', 400, '{"detail": "logprobs is not supported"}')), true);
  assert.equal(rejectsLogprobs(new RemoteError('http', 'HTTP 422: unexpected field top_logprobs', 422)), true);
  assert.equal(rejectsLogprobs(new RemoteError('server', 'The server reported an error while answering: logprobs unsupported')), true);
  assert.equal(rejectsLogprobs(new RemoteError('server', 'HTTP 500 logprobs', 500)), false, 'a failing server is not a refusal');
  assert.equal(rejectsLogprobs(new RemoteError('auth', 'HTTP 401 logprobs', 401)), false);
  assert.equal(rejectsLogprobs(new Error('logprobs')), false);
});
