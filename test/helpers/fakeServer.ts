// A real OpenAI-compatible HTTP server on loopback (node:http, 127.0.0.1, a free port) for the remote
// backend's tests: /v1/fim/completions, /v1/completions, /v1/chat/completions, /v1/apply/completions and /v1/edit/completions, whole or streamed
// as server-sent events, plus the ways servers fail, and GET /v1/models (optionally behind a key). Used by the unit tests, the CLI test and the
// in-host suite alike.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the server answers one request. */
export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /** Sends nothing for `ms` (a client timeout shorter than that fires first). */
  | { kind: 'slow'; ms: number }
  | { kind: 'malformed' }
  /** Starts the answer, then destroys the socket. */
  | { kind: 'drop' }
  /** Destroys the socket before any answer. */
  | { kind: 'reset' };

export interface RecordedRequest {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
}

export interface FakeServer {
  /** Base URL, e.g. http://127.0.0.1:41234 (the client adds /v1/...). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Behaviours for the next requests, in order; when used up, `fallback` answers. */
  plan(...behaviours: Behaviour[]): void;
  fallback: Behaviour;
  /** The text an `ok` answer carries for a request. */
  answer: (req: RecordedRequest) => string;
  /** Most requests that were being answered at the same time. */
  readonly peakConcurrency: number;
  /** What `GET /v1/models` lists. */
  models: string[];
  /** When set, `GET /v1/models` answers 401 unless the request carries `Bearer <modelsKey>`. */
  modelsKey: string | undefined;
  close(): Promise<void>;
}

const PATHS = new Set(['/v1/fim/completions', '/v1/completions', '/v1/chat/completions', '/v1/apply/completions', '/v1/edit/completions']);

function sendJson(res: http.ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/** Three pieces, so that a streamed answer reaches the client as several events. */
function pieces(text: string): string[] {
  const third = Math.max(1, Math.ceil(text.length / 3));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += third) out.push(text.slice(i, i + third));
  return out.length ? out : [''];
}

export async function startFakeServer(): Promise<FakeServer> {
  const queue: Behaviour[] = [];
  let active = 0;
  let peak = 0;
  const sockets = new Set<import('node:net').Socket>();
  const state: FakeServer = {
    url: '',
    requests: [],
    plan: (...b) => queue.push(...b),
    fallback: { kind: 'ok' },
    answer: () => 'return 42;\n',
    models: ['fake-diffusion'],
    modelsKey: undefined,
    get peakConcurrency() {
      return peak;
    },
    close: () => new Promise<void>(resolve => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c as Buffer));
    req.on('end', () => {
      active++;
      peak = Math.max(peak, active);
      res.on('close', () => active--);
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/v1/models') {
        state.requests.push({ path, authorization: req.headers.authorization, body: {} });
        if (state.modelsKey !== undefined && req.headers.authorization !== `Bearer ${state.modelsKey}`) {
          sendJson(res, 401, { error: { message: 'invalid api key' } });
        } else {
          sendJson(res, 200, { object: 'list', data: state.models.map(id => ({ id, object: 'model', owned_by: 'loopback' })) });
        }
        return;
      }
      if (req.method !== 'POST' || !PATHS.has(path)) {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        sendJson(res, 400, { error: { message: 'request body is not JSON' } });
        return;
      }
      const recorded: RecordedRequest = { path, authorization: req.headers.authorization, body };
      state.requests.push(recorded);
      respond(res, queue.shift() ?? state.fallback, recorded);
    });
  });
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function respond(res: http.ServerResponse, b: Behaviour, req: RecordedRequest): void {
    // Inception's apply and edit APIs answer in the chat shape.
    const chat = req.path === '/v1/chat/completions' || req.path === '/v1/apply/completions' || req.path === '/v1/edit/completions';
    switch (b.kind) {
      case 'status':
        res.writeHead(b.status, { 'content-type': 'application/json', ...b.headers });
        res.end(b.body ?? JSON.stringify({ error: { message: `status ${b.status}` } }));
        return;
      case 'slow': {
        const timer = setTimeout(() => sendJson(res, 200, { choices: [{ text: 'late' }] }), b.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"choices": [{"text": "return');
        return;
      case 'reset':
        res.socket?.destroy();
        return;
      case 'drop':
        res.writeHead(200, { 'content-type': req.body.stream ? 'text/event-stream' : 'application/json' });
        res.write(req.body.stream ? `data: ${JSON.stringify({ choices: [{ text: 'ret', delta: { content: 'ret' } }] })}\n\n` : '{"choices": [');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      case 'ok': {
        const text = state.answer(req);
        if (!req.body.stream) {
          sendJson(res, 200, chat
            ? { id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] }
            : { id: 'x', object: 'text_completion', choices: [{ index: 0, text, finish_reason: 'stop' }] });
          return;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(': keep-alive\n\n');
        if (chat) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant' } }] })}\n\n`);
        for (const p of pieces(text)) {
          res.write(`data: ${JSON.stringify({ choices: [{ index: 0, ...(chat ? { delta: { content: p } } : { text: p }) }] })}\n\n`);
        }
        res.end('data: [DONE]\n\n');
        return;
      }
    }
  }

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  (state as { url: string }).url = `http://127.0.0.1:${port}`;
  return state;
}
