// The remote backend against doubles of the servers users run open models on (test/helpers/
// serverDoubles.ts): for each, the `diffuse.remote.api` modes the README's "Local servers" says fit
// fill through it, with confidence where it gives log-probabilities; the modes that do not fit fail
// at once with a message that says what to set; and Choose Model's listing reads its /v1/models.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FillRequest, SamplerOptions, TokenConfidence } from '../../src/core/types';
import { createRemoteBackend, RemoteError, type RemoteApi, type RemoteBackendOptions } from '../../src/model/remoteBackend';
import { listModels } from '../../src/model/remoteModels';
import { scoredTokens, startServerDouble, type ServerDouble, type ServerFlavour } from '../helpers/serverDoubles';

const SAMPLER: SamplerOptions = { steps: 8, strategy: 'threshold', threshold: 0.9, temperature: 0, topP: 1, seed: 0, blockLength: 0 };
const REQ: FillRequest = { prefix: 'function answer() {\n  ', suffix: '}\n', original: 'return 41;\n', languageId: 'typescript' };
const ANSWER = 'return total(items) / items.length;\n';

/** The modes that fit each server (README "Local servers"). */
const FITS: Record<ServerFlavour, readonly RemoteApi[]> = { vllm: ['chat'], sglang: ['chat', 'completions'], llamacpp: ['chat'] };
const FLAVOURS = Object.keys(FITS) as ServerFlavour[];

const doubles = {} as Record<ServerFlavour, ServerDouble>;
let slept: number[] = [];

before(async () => {
  for (const f of FLAVOURS) doubles[f] = await startServerDouble(f);
});
after(async () => {
  for (const f of FLAVOURS) await doubles[f].close();
});
beforeEach(() => {
  slept = [];
  for (const f of FLAVOURS) {
    doubles[f].requests.length = 0;
    doubles[f].answer = () => ANSWER;
    doubles[f].logprobs = true;
  }
});

function backend(d: ServerDouble, o: Partial<RemoteBackendOptions> = {}) {
  return createRemoteBackend({
    endpoint: d.url, model: d.model, api: 'chat', timeoutMs: 2000, sleep: async ms => { slept.push(ms); }, random: () => 0.5, ...o,
  });
}

async function failure(d: ServerDouble, o: Partial<RemoteBackendOptions>, b = backend(d, o)): Promise<RemoteError> {
  let caught: unknown;
  await b.fill([REQ], SAMPLER).catch(e => { caught = e; });
  assert.ok(caught instanceof RemoteError, `expected a RemoteError, got ${String(caught)}`);
  return caught;
}

/** The spans the doubles' scores give `text`: one per token that is not whitespace. */
function expectedSpans(text: string): TokenConfidence[] {
  let at = 0;
  const spans: TokenConfidence[] = [];
  for (const t of scoredTokens(text)) {
    if (t.token.trim()) spans.push({ start: at, end: at + t.token.length, p: Math.exp(t.logprob) });
    at += t.token.length;
  }
  return spans;
}

function assertSpans(actual: readonly TokenConfidence[] | undefined, expected: readonly TokenConfidence[], what: string): void {
  assert.ok(actual, `${what}: confidence expected`);
  assert.deepEqual(actual.map(s => [s.start, s.end]), expected.map(s => [s.start, s.end]), what);
  actual.forEach((s, k) => assert.ok(Math.abs(s.p - expected[k].p) < 2e-6, `${what}, span ${k}: ${s.p} vs ${expected[k].p}`));
}

for (const flavour of FLAVOURS) {
  for (const api of FITS[flavour]) {
    test(`${flavour}: a fill through the ${api} API, whole and streamed, carries the server's log-probabilities as confidence`, async () => {
      const d = doubles[flavour];
      for (const stream of [false, true]) {
        d.requests.length = 0;
        const b = backend(d, { api, stream });
        assert.equal(b.givesConfidence, true);
        const out = await b.fill([REQ], SAMPLER);
        assert.deepEqual(out.texts, [ANSWER], `${api} stream=${stream}`);
        assert.equal(out.nfe, 1);
        const [r] = d.requests;
        assert.equal(r.path, api === 'chat' ? '/v1/chat/completions' : '/v1/completions');
        assert.equal(r.body.model, d.model);
        assertSpans(out.confidence?.[0], expectedSpans(ANSWER), `${flavour} ${api} stream=${stream}`);
      }
    });
  }
}

test('vllm: Diffuse Edit…\'s instruction goes through the chat API', async () => {
  const d = doubles.vllm;
  const out = await backend(d).withInstruction('divide by the count').fill([REQ], SAMPLER);
  assert.deepEqual(out.texts, [ANSWER]);
  const messages = d.requests[0].body.messages as Array<{ content: string }>;
  assert.match(messages[1].content, /Instruction: divide by the count/);
});

test('sglang: completions sends the suffix, which SGLang takes (and drops without --completion-template)', async () => {
  const d = doubles.sglang;
  await backend(d, { api: 'completions' }).fill([REQ], SAMPLER);
  assert.equal(d.requests[0].body.prompt, REQ.prefix);
  assert.equal(d.requests[0].body.suffix, REQ.suffix);
});

test('a server whose answers carry no log-probabilities (SGLang\'s LLaDA 2.x path, unverified) fills without confidence, none invented', async () => {
  const d = doubles.sglang;
  d.logprobs = false;
  for (const api of FITS.sglang) {
    const b = backend(d, { api });
    const out = await b.fill([REQ], SAMPLER);
    assert.deepEqual(out.texts, [ANSWER]);
    assert.equal(out.confidence, undefined, api);
    assert.equal(b.givesConfidence, true, 'the server took the field; this answer just had none');
  }
});

test('vllm: completions is refused for its suffix (400), at once, with a message that says to use the chat API', async () => {
  const d = doubles.vllm;
  const b = backend(d, { api: 'completions' });
  const e = await failure(d, {}, b);
  assert.equal(e.status, 400);
  assert.match(e.message, /refused the code after the region \("suffix", HTTP 400\)/);
  assert.match(e.message, /set "diffuse\.remote\.api" to "chat" \(CLI: --remote-api chat\)/);
  assert.match(e.message, /suffix is not currently supported/, 'the server\'s own words are kept');
  assert.equal(d.requests.length, 1, 'not retried, and not sent again without logprobs');
  assert.equal(b.givesConfidence, true, 'a refused suffix is not a refused logprobs field');
});

test('llamacpp: completions is refused for its suffix (500 "Unsupported param"), not retried as a failing server, and says to use chat', async () => {
  const d = doubles.llamacpp;
  const e = await failure(d, { api: 'completions' });
  assert.equal(e.status, 500);
  assert.match(e.message, /refused the code after the region \("suffix", HTTP 500\).*"diffuse\.remote\.api" to "chat"/);
  assert.match(e.message, /Unsupported param: suffix/);
  assert.equal(d.requests.length, 1, 'a refusal is the same on every try');
  assert.deepEqual(slept, []);
});

test('the fim API (the default) against any of them: a 404 that says only Inception has it and to use chat', async () => {
  for (const f of FLAVOURS) {
    const e = await failure(doubles[f], { api: 'fim' });
    assert.equal(e.kind, 'not-found', f);
    assert.match(e.message, /\/v1\/fim\/completions: check the endpoint URL and model; only Inception's API has \/v1\/fim\/completions: with SGLang, vLLM or llama\.cpp set "diffuse\.remote\.api" to "chat"/, f);
  }
});

test('vllm: a model name it does not serve is a 404 naming the model', async () => {
  const e = await failure(doubles.vllm, { model: 'dream-coder-7b' });
  assert.equal(e.kind, 'not-found');
  assert.match(e.message, /check the endpoint URL and model.*The model `dream-coder-7b` does not exist/);
});

test('Choose Model\'s listing reads each server\'s /v1/models, with or without /v1 in the endpoint', async () => {
  const owners: Record<ServerFlavour, string> = { vllm: 'vllm', sglang: 'sglang', llamacpp: 'llamacpp' };
  for (const f of FLAVOURS) {
    const d = doubles[f];
    for (const endpoint of [d.url, `${d.url}/v1/`]) {
      d.requests.length = 0;
      assert.deepEqual(await listModels(endpoint), [{ id: d.model, ownedBy: owners[f] }], `${f} at ${endpoint}`);
      assert.deepEqual(d.requests.map(r => r.path), ['/v1/models']);
    }
  }
});
