// Loopback doubles of the servers a user runs an open model on (vLLM, SGLang, llama.cpp's
// llama-server), each answering where it differs from the generic fake (fakeServer.ts): its model
// list, its error bodies, its log-probability shapes, and what its /v1/completions does with a
// `suffix`. Every shape is read from the server's source, named at each entry of SHAPES; what a
// real server does with a diffusion model beyond these shapes is not modelled (see the README's
// "Local servers").
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ServerFlavour = 'vllm' | 'sglang' | 'llamacpp';

export interface DoubleRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export interface ServerDouble {
  readonly flavour: ServerFlavour;
  /** Base URL, e.g. http://127.0.0.1:41234 (the client adds /v1/...). */
  readonly url: string;
  /** The one model served, as /v1/models lists it. */
  readonly model: string;
  readonly requests: DoubleRequest[];
  /** The text an answer carries (completions or chat). */
  answer: (req: DoubleRequest) => string;
  /** Whether answers carry the tokens' log-probabilities when asked for (default true). */
  logprobs: boolean;
  close(): Promise<void>;
}

interface Shape {
  /** `owned_by` of a listed model, and anything else the server lists. */
  readonly modelList: (id: string) => Record<string, unknown>;
  /** What /v1/completions answers to a `suffix`; none: the field is taken. */
  readonly suffixRefusal?: { readonly status: number; readonly body: unknown };
  /** Where the completions answer puts log-probabilities: OpenAI's legacy lists, or the chat shape. */
  readonly completionLogprobs: 'legacy' | 'content';
  /** The chat shape's token entry carries the token id (llama.cpp). */
  readonly tokenIds: boolean;
  /** The answer to a route the server does not have. */
  readonly notFound: unknown;
  /** vLLM answers 404 to a model name it does not serve; SGLang and llama.cpp serve their one model whatever the name. */
  readonly checksModel: boolean;
}

const created = 1_750_000_000;

const SHAPES: Record<ServerFlavour, Shape> = {
  // vllm/entrypoints/serve/engine/protocol.py (ModelCard, ErrorResponse{error: ErrorInfo});
  // vllm/renderers/online_renderer.py: "suffix is not currently supported". FastAPI's own 404.
  vllm: {
    modelList: id => ({
      object: 'list',
      data: [{ id, object: 'model', created, owned_by: 'vllm', root: id, parent: null, max_model_len: 32768, permission: [{ id: 'modelperm-0', object: 'model_permission', allow_logprobs: true }] }],
    }),
    suffixRefusal: { status: 400, body: { error: { message: 'suffix is not currently supported', type: 'BadRequestError', param: null, code: 400 } } },
    completionLogprobs: 'legacy',
    tokenIds: false,
    notFound: { detail: 'Not Found' },
    checksModel: true,
  },
  // python/sglang/srt/entrypoints/openai/serving_completions.py: `suffix` is read only with
  // --completion-template (deepseek_coder, star_coder, qwen_coder), else dropped without a word.
  sglang: {
    modelList: id => ({ object: 'list', data: [{ id, object: 'model', created, owned_by: 'sglang', root: id, max_model_len: 32768 }] }),
    completionLogprobs: 'legacy',
    tokenIds: false,
    notFound: { detail: 'Not Found' },
    checksModel: false,
  },
  // tools/server: oaicompat_completion_params_parse throws runtime_error("Unsupported param: suffix"),
  // which ex_wrapper answers as a server error (500); the model list carries an Ollama-style
  // "models" beside OpenAI's "data"; completions' log-probabilities come in the chat shape.
  llamacpp: {
    modelList: id => ({
      models: [{ name: id, model: id, modified_at: '', size: '', digest: '', type: 'model', description: '', tags: [''], capabilities: ['completion'], parameters: '', details: { format: 'gguf' } }],
      object: 'list',
      data: [{ id, aliases: [], tags: [], object: 'model', created, owned_by: 'llamacpp', meta: { vocab_type: 2, n_vocab: 151_936, n_ctx_train: 32768 } }],
    }),
    suffixRefusal: { status: 500, body: { error: { code: 500, message: 'Unsupported param: suffix', type: 'server_error' } } },
    completionLogprobs: 'content',
    tokenIds: true,
    notFound: { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } },
    checksModel: false,
  },
};

const DEFAULT_MODELS: Record<ServerFlavour, string> = {
  vllm: 'google/diffusiongemma-26B-A4B-it',
  sglang: 'inclusionAI/LLaDA2.1-mini',
  llamacpp: 'qwen2.5-coder-7b-q4_k_m.gguf',
};

export interface ScoredToken {
  readonly token: string;
  readonly logprob: number;
}

/**
 * How a double splits and scores an answer: words, single symbols and whitespace runs, each with
 * its own log-probability (so that no two neighbours share one and a test can tell them apart).
 */
export function scoredTokens(text: string): ScoredToken[] {
  return (text.match(/\s+|\w+|[^\s\w]/g) ?? []).map((token, k) => ({ token, logprob: -0.01 * (k + 1) }));
}

function logprobsOf(tokens: readonly ScoredToken[], shape: 'legacy' | 'content', tokenIds: boolean, textOffsets: 'chars' | 'unknown'): unknown {
  if (shape === 'content') {
    return {
      content: tokens.map((t, k) => {
        const entry = { token: t.token, logprob: t.logprob, bytes: [...Buffer.from(t.token)] };
        return { ...(tokenIds ? { id: 1000 + k } : {}), ...entry, top_logprobs: [{ ...(tokenIds ? { id: 1000 + k } : {}), ...entry }] };
      }),
    };
  }
  let offset = 0;
  // SGLang sends -1 for every offset; vLLM counts characters.
  const text_offset = tokens.map(t => (textOffsets === 'unknown' ? -1 : (offset += t.token.length) - t.token.length));
  return { text_offset, token_logprobs: tokens.map(t => t.logprob), tokens: tokens.map(t => t.token), top_logprobs: tokens.map(t => ({ [t.token]: t.logprob })) };
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export async function startServerDouble(flavour: ServerFlavour, model = DEFAULT_MODELS[flavour]): Promise<ServerDouble> {
  const shape = SHAPES[flavour];
  const sockets = new Set<import('node:net').Socket>();
  const state: ServerDouble = {
    flavour,
    url: '',
    model,
    requests: [],
    answer: () => 'return 42;\n',
    logprobs: true,
    close: () => new Promise<void>(resolve => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };

  function answer(res: http.ServerResponse, req: DoubleRequest): void {
    const chat = req.path === '/v1/chat/completions';
    const text = state.answer(req);
    const tokens = scoredTokens(text);
    const asked = chat ? req.body.logprobs === true : typeof req.body.logprobs === 'number';
    const scores = (part: readonly ScoredToken[]): unknown => (asked && state.logprobs
      ? logprobsOf(part, chat ? 'content' : shape.completionLogprobs, shape.tokenIds, flavour === 'sglang' ? 'unknown' : 'chars')
      : null);
    const id = chat ? 'chatcmpl-double' : 'cmpl-double';
    if (!req.body.stream) {
      const choice = chat ? { index: 0, message: { role: 'assistant', content: text } } : { index: 0, text };
      sendJson(res, 200, { id, object: chat ? 'chat.completion' : 'text_completion', created, model, choices: [{ ...choice, logprobs: scores(tokens), finish_reason: 'stop' }] });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (choice: Record<string, unknown>): void => {
      res.write(`data: ${JSON.stringify({ id, object: chat ? 'chat.completion.chunk' : 'text_completion', created, model, choices: [choice] })}\n\n`);
    };
    if (chat) event({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null });
    // Two tokens an event, each event with its own tokens' scores, as the servers stream them.
    for (let k = 0; k < tokens.length; k += 2) {
      const part = tokens.slice(k, k + 2);
      const piece = part.map(t => t.token).join('');
      event({ index: 0, ...(chat ? { delta: { content: piece } } : { text: piece }), logprobs: scores(part), finish_reason: null });
    }
    event({ index: 0, ...(chat ? { delta: {} } : { text: '' }), logprobs: null, finish_reason: 'stop' });
    res.end('data: [DONE]\n\n');
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c as Buffer));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/v1/models') {
        state.requests.push({ path, body: {} });
        sendJson(res, 200, shape.modelList(model));
        return;
      }
      if (req.method !== 'POST' || (path !== '/v1/completions' && path !== '/v1/chat/completions')) {
        sendJson(res, 404, shape.notFound);
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const recorded = { path, body };
      state.requests.push(recorded);
      if (shape.checksModel && body.model !== undefined && body.model !== model) {
        sendJson(res, 404, { error: { message: `The model \`${String(body.model)}\` does not exist.`, type: 'NotFoundError', param: 'model', code: 404 } });
        return;
      }
      if (path === '/v1/completions' && 'suffix' in body && shape.suffixRefusal) {
        sendJson(res, shape.suffixRefusal.status, shape.suffixRefusal.body);
        return;
      }
      answer(res, recorded);
    });
  });
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  (state as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
