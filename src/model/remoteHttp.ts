/**
 * HTTP for the remote backend: one POST with an idle timeout, bounded retries with backoff on 429
 * and 5xx, and errors that tell the user what to check. The API key goes into the Authorization
 * header and nowhere else: every message that could echo it (a server's error body, a URL) is
 * scrubbed before it becomes an Error.
 */

export type RemoteErrorKind = 'auth' | 'not-found' | 'rate-limited' | 'server' | 'http' | 'timeout' | 'bad-response' | 'network' | 'config';

export class RemoteError extends Error {
  /**
   * `body`: the server's whole error answer (scrubbed of the key, at most 4000 characters), where
   * there was one: the message shows only its start, and the part that names the refused field
   * may come later.
   */
  constructor(readonly kind: RemoteErrorKind, message: string, readonly status?: number, readonly body?: string) {
    super(message);
    this.name = 'RemoteError';
  }
}

export interface HttpOptions {
  readonly apiKey?: string;
  /** Longest wait for the server to start answering, and between two pieces of a streamed answer. */
  readonly timeoutMs: number;
  /** Attempts in all, retries included (429 and 5xx only). */
  readonly maxTries: number;
  readonly signal?: AbortSignal;
  /** Called before each HTTP request is sent (the backend counts them as its NFE). */
  readonly onAttempt?: () => void;
  /** Test seams: the wait between tries and the jitter source. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
}

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;
/** A server asking for a longer pause than this gets an error now rather than a frozen editor. */
const MAX_RETRY_AFTER_MS = 30_000;
const BODY_EXCERPT = 200;
const BODY_KEPT = 4000;

/** Removes the key (and the URL's user info) from any text that may reach a message or a log. */
export function scrub(text: string, secret: string | undefined): string {
  let out = text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1');
  if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

/** Milliseconds asked for by a Retry-After header (seconds or an HTTP date), if any. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with full jitter: try n (0-based) waits up to base * 2^n. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  return Math.round(Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt) * (0.5 + random() / 2));
}

function abortError(): Error {
  const e = new Error('The request was cancelled.');
  e.name = 'AbortError';
  return e;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An abort controller that fires when the caller cancels or when nothing arrived for `ms`;
 * `touch()` restarts the clock (each piece of a streamed answer does).
 */
export class IdleTimer {
  readonly controller = new AbortController();
  timedOut = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = (): void => this.controller.abort();

  constructor(private readonly ms: number, private readonly outer?: AbortSignal) {
    outer?.addEventListener('abort', this.onAbort, { once: true });
    this.touch();
  }

  touch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, this.ms);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onAbort);
  }
}

/** The request's origin and path for messages: no query, no user info. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The error answer's text, whitespace folded and scrubbed of the key ('' when unreadable). */
async function errorBody(res: Response, secret: string | undefined): Promise<string> {
  try {
    return scrub((await res.text()).replace(/\s+/g, ' ').trim(), secret).slice(0, BODY_KEPT);
  } catch {
    return '';
  }
}

/**
 * A server refusing the `suffix` of `/v1/completions`, which no retry changes: vLLM answers 400
 * "suffix is not currently supported"; llama.cpp's server "Unsupported param: suffix", as a 500
 * (its handlers turn the exception into a server error) or a 400 in older builds.
 */
const SUFFIX_REFUSED = /suffix is not (currently )?supported|unsupported param\w*:\s*"?suffix/i;

/** Paths only Inception's API has: any other server answers 404 there, whatever its URL. */
const INCEPTION_ONLY = /\/v\d+\/(fim|apply|edit)\/completions$/;

/** The error for a final non-2xx answer with this body, in words that say what to check. */
function statusError(s: number, body: string, url: string): RemoteError {
  const where = describeUrl(url);
  const detail = body ? `: ${body.length > BODY_EXCERPT ? `${body.slice(0, BODY_EXCERPT)}…` : body}` : '';
  const error = (kind: RemoteErrorKind, message: string): RemoteError => new RemoteError(kind, message, s, body || undefined);
  if (s === 401 || s === 403) {
    return error('auth', `The server refused the request (HTTP ${s}): check the API key (Diffuse: Set API Key, or DIFFUSE_API_KEY)${detail}`);
  }
  if (s === 404) {
    const only = INCEPTION_ONLY.exec(where)?.[1];
    const hint = only ? `; only Inception's API has /v1/${only}/completions: with SGLang, vLLM or llama.cpp set "diffuse.remote.api" to "chat"` : '';
    return error('not-found', `Not found (HTTP 404) at ${where}: check the endpoint URL and model${hint}${detail}`);
  }
  if (SUFFIX_REFUSED.test(body)) {
    return error('http', `This server's /v1/completions refused the code after the region ("suffix", HTTP ${s}), as vLLM and llama.cpp's server do: set "diffuse.remote.api" to "chat" (CLI: --remote-api chat)${detail}`);
  }
  if (s === 429) return error('rate-limited', `The server is rate limiting requests (HTTP 429); try again later${detail}`);
  if (s >= 500) return error('server', `The server failed (HTTP ${s}) at ${where}${detail}`);
  return error('http', `The server rejected the request (HTTP ${s}) at ${where}${detail}`);
}

/** Words for a failed fetch: the socket closed, the host is unknown, the connection refused... */
export function networkError(e: unknown, url: string, secret: string | undefined, answering: boolean): RemoteError {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const code = cause?.code ?? '';
  const where = describeUrl(url);
  if (code === 'ECONNREFUSED') return new RemoteError('network', `Could not connect to ${where} (connection refused): is the server running?`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new RemoteError('network', `Could not resolve the host of ${where}: check the endpoint URL`);
  const detail = scrub(cause?.message ?? (e as Error)?.message ?? String(e), secret);
  if (/bad port/i.test(detail)) {
    const port = (() => {
      try {
        return new URL(url).port;
      } catch {
        return '';
      }
    })();
    return new RemoteError('config', `Could not reach ${where}: port ${port || '(this one)'} is blocked by the runtime's fetch, which refuses the ports of well-known services; use another port`);
  }
  return answering
    ? new RemoteError('network', `The connection to ${where} was dropped before the answer was complete (${detail})`)
    : new RemoteError('network', `Could not reach ${where} (${detail})`);
}

export function timeoutError(ms: number): RemoteError {
  return new RemoteError('timeout', `No answer from the server within ${ms / 1000} s; it may be overloaded, or raise the timeout`);
}

/**
 * POSTs `body` as JSON and hands the successful response to `read` (which parses it, streamed or
 * not, calling `timer.touch()` as pieces arrive). 429, 5xx and connections reset before any answer
 * are retried up to `maxTries` in all, honouring Retry-After; everything else fails at once with a
 * RemoteError.
 */
export async function postJson<T>(
  url: string,
  body: unknown,
  o: HttpOptions,
  read: (res: Response, timer: IdleTimer) => Promise<T>,
): Promise<T> {
  const sleep = o.sleep ?? defaultSleep;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
  const payload = JSON.stringify(body);
  for (let attempt = 0; ; attempt++) {
    if (o.signal?.aborted) throw abortError();
    const timer = new IdleTimer(o.timeoutMs, o.signal);
    let res: Response;
    try {
      o.onAttempt?.();
      res = await fetch(url, { method: 'POST', headers, body: payload, signal: timer.controller.signal });
    } catch (e) {
      timer.dispose();
      if (o.signal?.aborted) throw abortError();
      if (timer.timedOut) throw timeoutError(o.timeoutMs);
      const error = networkError(e, url, o.apiKey, false);
      // A connection reset before any answer (often a pooled keep-alive socket the server had
      // closed) is worth another try; a refused connection or an unknown host is not.
      if (!/connection refused|resolve the host/.test(error.message) && attempt + 1 < o.maxTries) {
        await sleep(backoffMs(attempt, o.random), o.signal);
        continue;
      }
      throw error;
    }
    const retryable = res.status === 429 || res.status >= 500;
    if (retryable && attempt + 1 < o.maxTries) {
      // A 5xx that refuses a field (llama.cpp's server on `suffix`) says the same on every try.
      const body = res.status >= 500 ? await errorBody(res, o.apiKey) : '';
      if (SUFFIX_REFUSED.test(body)) {
        timer.dispose();
        throw statusError(res.status, body, url);
      }
      const asked = res.status === 429 ? retryAfterMs(res.headers.get('retry-after')) : undefined;
      timer.dispose();
      await res.body?.cancel().catch(() => undefined);
      if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) {
        throw new RemoteError('rate-limited', `The server is rate limiting requests and asks to wait ${Math.ceil(asked / 1000)} s; try again later`, 429);
      }
      await sleep(asked ?? backoffMs(attempt, o.random), o.signal);
      continue;
    }
    try {
      if (!res.ok) throw statusError(res.status, await errorBody(res, o.apiKey), url);
      return await read(res, timer);
    } catch (e) {
      if (o.signal?.aborted) throw abortError();
      if (timer.timedOut) throw timeoutError(o.timeoutMs);
      if (e instanceof RemoteError) throw e;
      throw networkError(e, url, o.apiKey, true);
    } finally {
      timer.dispose();
    }
  }
}
