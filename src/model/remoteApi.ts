/**
 * The wire formats of the OpenAI-compatible APIs the remote backend speaks: Inception's
 * `/v1/fim/completions`, `/v1/apply/completions` and `/v1/edit/completions` (next edit), the
 * `/v1/completions` of a server that reads a suffix (prompt + suffix), and `/v1/chat/completions`
 * (instructions, and the one API local diffusion servers such as SGLang and vLLM serve fully). Request bodies, answers (whole or streamed as
 * server-sent events) with the tokens' log-probabilities where the server gives them, and the
 * clean-up of chat answers.
 */
import { carrySpans } from '../core/confidence';
import type { FillRequest, TokenConfidence } from '../core/types';
import { RemoteError, type IdleTimer } from './remoteHttp';

export type RemoteApi = 'fim' | 'completions' | 'chat' | 'apply' | 'edit';

export const REMOTE_APIS: readonly RemoteApi[] = ['fim', 'completions', 'chat', 'apply', 'edit'];

const PATHS: Record<RemoteApi, string> = {
  fim: '/fim/completions', completions: '/completions', chat: '/chat/completions', apply: '/apply/completions', edit: '/edit/completions',
};

/** APIs whose answers come in the chat shape (`choices[0].message.content`, streamed as `delta.content`). */
const CHAT_SHAPED: ReadonlySet<RemoteApi> = new Set(['chat', 'apply', 'edit']);

/** APIs that answer whole: Inception's edit API does not stream. */
export const NO_STREAM: ReadonlySet<RemoteApi> = new Set(['edit']);

/** What a next-edit request says besides the code: the user's recent edits, as unified diffs, oldest first. */
export interface EditContext {
  readonly history: readonly string[];
  /** The file's path as the user knows it (relative to the workspace), for the model's context. */
  readonly filePath?: string;
}

/**
 * The region of a next-edit request: whole lines, as the edit models read `<|code_to_edit|>`. The
 * part of the region's first line before it (`lead`, usually its indentation) and of its last line
 * after it (`trail`) go into the region, and come off the answer again (see fromEditRegion).
 */
function editRegion(req: FillRequest): { before: string; lead: string; code: string; trail: string; after: string } {
  const lineStart = req.prefix.lastIndexOf('\n') + 1;
  const lineEnd = req.suffix.indexOf('\n');
  const lead = req.prefix.slice(lineStart);
  const trail = lineEnd < 0 ? req.suffix : req.suffix.slice(0, lineEnd);
  return { before: req.prefix.slice(0, lineStart), lead, code: `${lead}${req.original ?? ''}${trail}`, trail, after: req.suffix.slice(trail.length) };
}

/**
 * The body of a next-edit request in Inception's format (`/v1/edit/completions`): one user message
 * with the recently viewed snippets (none), the current file with the region between
 * `<|code_to_edit|>` tags and the cursor at the region's end, and the recent edits as unified diffs
 * in `<|edit_diff_history|>`. The answer is the region's new code, in the chat shape; no streaming.
 */
export function editRequestBody(req: FillRequest, context: EditContext, o: { readonly model: string; readonly maxTokens: number }): Record<string, unknown> {
  const r = editRegion(req);
  const code = r.code.endsWith('\n') ? `${r.code.slice(0, -1)}<|cursor|>\n` : `${r.code}<|cursor|>\n`;
  const path = context.filePath ? `current_file_path: ${context.filePath}\n` : '';
  const content = '<|recently_viewed_code_snippets|>\n<|/recently_viewed_code_snippets|>\n'
    + `<|current_file_content|>\n${path}${r.before}<|code_to_edit|>\n${code}<|/code_to_edit|>\n${r.after.replace(/^\n/, '')}\n<|/current_file_content|>\n`
    + `<|edit_diff_history|>\n${context.history.join('\n')}\n<|/edit_diff_history|>`;
  const body: Record<string, unknown> = { messages: [{ role: 'user', content }], max_tokens: o.maxTokens };
  if (o.model) body.model = o.model;
  return body;
}

/** The region's new text from a next-edit answer: the whole lines it was sent as, less `lead` and `trail`. */
export function fromEditRegion(req: FillRequest, answer: string): string {
  const r = editRegion(req);
  let text = answer.replace(/<\|\/?cursor\|>/g, '');
  if (r.lead && text.startsWith(r.lead)) text = text.slice(r.lead.length);
  else if (r.lead.trim() === '') text = text.replace(/^[ \t]+/, '');
  if (r.trail) {
    // The region ended inside its last line: the rest of that line, and its line break, are the suffix's.
    const body = text.endsWith('\n') ? text.slice(0, -1) : text;
    if (body.endsWith(r.trail)) text = body.slice(0, body.length - r.trail.length);
  }
  return text;
}

/**
 * The body of an apply request in Inception's format (`/v1/apply/completions`): one user message
 * holding the original code and the update snippet, each between its tags. The answer is the merged
 * code, in the chat shape.
 */
export function applyRequestBody(original: string, snippet: string, o: { readonly model: string; readonly maxTokens: number; readonly stream: boolean }): Record<string, unknown> {
  const content = `<|original_code|>\n${original}\n<|/original_code|>\n\n<|update_snippet|>\n${snippet}\n<|/update_snippet|>`;
  const body: Record<string, unknown> = { messages: [{ role: 'user', content }], max_tokens: o.maxTokens, stream: o.stream };
  if (o.model) body.model = o.model;
  return body;
}

/**
 * The URL of an API under an endpoint. Both `https://host` and `https://host/v1` are accepted (the
 * providers document either), so `/v1` is added only when the endpoint does not end with it.
 */
export function apiUrl(endpoint: string, api: RemoteApi): string {
  const trimmed = endpoint.trim();
  let u: URL;
  try {
    u = new URL(trimmed);
  } catch {
    throw new RemoteError('config', `The remote endpoint is not a URL: ${JSON.stringify(trimmed.replace(/\/\/[^/@]*@/, '//'))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new RemoteError('config', `The remote endpoint must be an http:// or https:// URL, got ${u.protocol}`);
  }
  const base = `${u.origin}${u.pathname}`.replace(/\/+$/, '');
  return `${/\/v\d+$/.test(base) ? base : `${base}/v1`}${PATHS[api]}${u.search}`;
}

export const SYSTEM_PROMPT = [
  'You rewrite one region of a source file.',
  'You are shown the code before the region, the region itself and the code after it, and possibly an instruction.',
  'Reply with only the new code of the region: no explanation, no Markdown fences, no code from before or after the region.',
  'Keep the indentation of the surrounding code. Without an instruction, improve the region while keeping its behaviour: fix mistakes, keep names.',
].join(' ');

export interface BodyOptions {
  readonly model: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly stream: boolean;
  readonly instruction?: string;
  /** Ask for each generated token's log-probability (see asksLogprobs). */
  readonly logprobs?: boolean;
}

/** Inception's hosts: its API documents no log-probabilities (its OpenAPI lists no such field). */
const INCEPTION_HOST = /(^|\.)inceptionlabs\.ai$/i;

/**
 * Whether requests to `url` in `api` ask for the tokens' log-probabilities. Only the APIs that
 * OpenAI defined them for (completions: `logprobs: N`; chat: `logprobs: true`), which vLLM, SGLang
 * and llama.cpp's server all accept; never Inception's hosts, whose API reference has no such field,
 * nor its FIM and apply APIs (a field an API does not document is not sent to it).
 */
export function asksLogprobs(api: RemoteApi, url: string): boolean {
  if (api !== 'completions' && api !== 'chat') return false;
  try {
    return !INCEPTION_HOST.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** The JSON body of one request; the model field is left out when no model name is configured. */
export function requestBody(api: RemoteApi, req: FillRequest, o: BodyOptions): Record<string, unknown> {
  const common: Record<string, unknown> = { max_tokens: o.maxTokens, temperature: o.temperature, stream: o.stream };
  if (o.model) common.model = o.model;
  // One alternative rather than none: llama.cpp returns no probabilities at all for 0 (it reads the
  // number as how many candidates to report), and `top_logprobs` defaults there to 20.
  if (o.logprobs && api === 'chat') Object.assign(common, { logprobs: true, top_logprobs: 1 });
  else if (o.logprobs) common.logprobs = 1;
  if (api !== 'chat') return { ...common, prompt: req.prefix, suffix: req.suffix };
  return { ...common, messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: chatPrompt(req, o.instruction) }] };
}

/**
 * Whether `e` is a server refusing the log-probability fields: a 400 or 422 (or an error in the
 * stream) whose text names them. Such a server gets the request again without them.
 */
export function rejectsLogprobs(e: unknown): boolean {
  if (!(e instanceof RemoteError)) return false;
  const refused = e.status === 400 || e.status === 422 || (e.status === undefined && e.kind === 'server');
  return refused && /logprob/i.test(`${e.message} ${e.body ?? ''}`);
}

export function chatPrompt(req: FillRequest, instruction: string | undefined): string {
  const lang = req.languageId ? `Language: ${req.languageId}\n` : '';
  const ask = instruction?.trim() ? `Instruction: ${instruction.trim()}\n` : 'Instruction: none; improve the region, keeping its behaviour.\n';
  return `${lang}${ask}\n<before>\n${req.prefix}</before>\n<region>\n${req.original ?? ''}</region>\n<after>\n${req.suffix}</after>\n\nReply with the new code of the region only.`;
}

const firstChoice = (json: unknown): unknown => (json as { choices?: unknown[] })?.choices?.[0];

/** The text of a whole (non-streamed) answer. */
export function answerText(api: RemoteApi, json: unknown): string {
  const choice = firstChoice(json) as { text?: unknown; message?: { content?: unknown } } | undefined;
  const text = CHAT_SHAPED.has(api) ? choice?.message?.content : choice?.text;
  if (typeof text !== 'string') throw new RemoteError('bad-response', `The server's answer has no ${CHAT_SHAPED.has(api) ? 'choices[0].message.content' : 'choices[0].text'}`);
  return text;
}

/** The new text of one streamed event (empty when the event carries none, e.g. a role or a usage). */
export function deltaText(api: RemoteApi, json: unknown): string {
  const choice = firstChoice(json) as { text?: unknown; delta?: { content?: unknown } } | undefined;
  const text = CHAT_SHAPED.has(api) ? choice?.delta?.content : choice?.text;
  return typeof text === 'string' ? text : '';
}

/** One generated token as the server scored it. */
export interface TokenLogprob {
  /** Its text as the server wrote it (for a piece of a character: a replacement glyph, or a `bytes:` label). */
  readonly token: string;
  /** Its UTF-8 bytes, where the server gave them (the chat shape): exact even when a token splits a character. */
  readonly bytes?: readonly number[];
  /** The natural log of its probability; null where the server gave none. */
  readonly logprob: number | null;
}

const logprobOf = (v: unknown): number | null => (typeof v === 'number' && !Number.isNaN(v) ? v : null);
const bytesOf = (v: unknown): number[] | undefined =>
  Array.isArray(v) && v.every(b => Number.isInteger(b) && b >= 0 && b < 256) ? (v as number[]) : undefined;

/**
 * The scored tokens of one answer, or of one streamed event (its own tokens only), in either shape
 * servers use: the chat shape `logprobs.content[] {token, logprob, bytes}` (OpenAI's chat, vLLM,
 * SGLang, and llama.cpp's server for completions too) or the legacy completions shape `logprobs
 * {tokens[], token_logprobs[]}`. Undefined when it carries none. `text_offset` is not read: vLLM
 * counts it in code points from its own token strings, SGLang sends -1, OpenAI counts from the
 * start of the prompt; the tokens' own text places them exactly.
 */
export function choiceLogprobs(json: unknown): TokenLogprob[] | undefined {
  const lp = (firstChoice(json) as { logprobs?: unknown } | undefined)?.logprobs as { content?: unknown; tokens?: unknown; token_logprobs?: unknown } | null | undefined;
  if (!lp || typeof lp !== 'object') return undefined;
  if (Array.isArray(lp.content)) {
    return lp.content.map((t: { token?: unknown; logprob?: unknown; bytes?: unknown } | null) => ({
      token: typeof t?.token === 'string' ? t.token : '', bytes: bytesOf(t?.bytes), logprob: logprobOf(t?.logprob),
    }));
  }
  if (Array.isArray(lp.tokens) && Array.isArray(lp.token_logprobs)) {
    const scores = lp.token_logprobs;
    return lp.tokens.map((t: unknown, k) => ({ token: typeof t === 'string' ? t : '', logprob: logprobOf(scores[k]) }));
  }
  return undefined;
}

/**
 * The characters of a UTF-8 byte string: the text, and per character the byte where it ends and
 * its end in UTF-16 units. A malformed sequence is one U+FFFD per byte, as a lenient decoder shows it.
 */
function decodeUtf8(bytes: readonly number[]): { text: string; byteEnds: number[]; unitEnds: number[] } {
  let text = '';
  const byteEnds: number[] = [];
  const unitEnds: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >> 5 === 6 ? 2 : b >> 4 === 14 ? 3 : b >> 3 === 30 ? 4 : 0;
    let cp = n === 1 ? b : n === 2 ? b & 0x1f : n === 3 ? b & 0x0f : b & 0x07;
    let ok = n > 0 && i + n <= bytes.length;
    for (let k = 1; ok && k < n; k++) {
      ok = bytes[i + k] >> 6 === 2;
      cp = (cp << 6) | (bytes[i + k] & 0x3f);
    }
    ok = ok && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
    text += ok ? String.fromCodePoint(cp) : '\ufffd';
    i += ok ? n : 1;
    byteEnds.push(i);
    unitEnds.push(text.length);
  }
  return { text, byteEnds, unitEnds };
}

/**
 * A token named instead of written: a piece of a character as llama.cpp labels it (`byte: \xe2`),
 * OpenAI's `bytes:\xe2`, or vLLM's `token_id:123` (--return-tokens-as-token-ids).
 */
const LABEL = /^(bytes?:\s*\\x[0-9a-f]{2}|token_id:\d+$)/i;

/**
 * The tokens' probabilities (p = e^logprob) as spans of `text`, the answer after any clean-up. The
 * tokens are laid end to end as UTF-8 (their bytes where given, else their text); a character
 * belongs to the token that completes it, and a token that completes none (the first bytes of a
 * character) passes its log-probability on, so a split character gets the product of its pieces.
 * The tokens' text is then carried onto `text` by a character diff (core/confidence): what the
 * clean-up removed or added, and token text that does not match the answer, gets no span. A token
 * without a log-probability, or given only as a label (whose text is not in the answer), gives none,
 * nor does the character it ends.
 */
export function tokenSpans(tokens: readonly TokenLogprob[], text: string): TokenConfidence[] {
  const encoder = new TextEncoder();
  const bytes: number[] = [];
  const tokenEnds: number[] = [];
  const labels = tokens.map(t => !t.bytes && LABEL.test(t.token));
  tokens.forEach((t, k) => {
    if (!labels[k]) for (const b of t.bytes ?? encoder.encode(t.token)) bytes.push(b);
    tokenEnds.push(bytes.length);
  });
  const decoded = decodeUtf8(bytes);
  const spans: TokenConfidence[] = [];
  let c = 0;
  let start = 0;
  let carried = 0;
  tokens.forEach((t, k) => {
    carried = t.logprob === null || labels[k] ? NaN : carried + t.logprob;
    let end = start;
    for (; c < decoded.byteEnds.length && decoded.byteEnds[c] <= tokenEnds[k]; c++) end = decoded.unitEnds[c];
    if (end === start) return;
    if (!Number.isNaN(carried)) spans.push({ start, end, p: Math.min(1, Math.exp(carried)) });
    start = end;
    carried = 0;
  });
  return carrySpans(decoded.text, spans, text) ?? [];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RemoteError('bad-response', 'The server answered with malformed JSON; is the endpoint an OpenAI-compatible API?');
  }
}

/** An answer: its text, and its scored tokens where the server gave any. */
export interface Answer {
  readonly text: string;
  readonly tokens?: readonly TokenLogprob[];
}

/**
 * Reads an answer, streamed (text/event-stream: `data:` lines, `[DONE]`) or whole, calling
 * `onText` with the text so far as pieces arrive. A server may ignore `stream: true`; the
 * content type decides. A streamed answer's tokens are those of its events, in order.
 */
export async function readAnswer(api: RemoteApi, res: Response, timer: IdleTimer, onText?: (soFar: string) => void): Promise<Answer> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream') || !res.body) {
    const json = parseJson(await res.text());
    const text = answerText(api, json);
    onText?.(text);
    return { text, tokens: choiceLogprobs(json) };
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let text = '';
  let tokens: TokenLogprob[] | undefined;
  let done = false;
  const line = (raw: string): void => {
    const l = raw.replace(/\r$/, '');
    if (!l.startsWith('data:')) return; // comments, event names and keep-alives
    const data = l.slice(5).trim();
    if (data === '[DONE]') {
      done = true;
      return;
    }
    const json = parseJson(data) as { error?: { message?: unknown } };
    if (json?.error) throw new RemoteError('server', `The server reported an error while answering: ${String(json.error.message ?? 'unknown')}`);
    const scored = choiceLogprobs(json);
    if (scored) (tokens ??= []).push(...scored);
    const piece = deltaText(api, json);
    if (piece) {
      text += piece;
      onText?.(text);
    }
  };
  while (!done) {
    const { value, done: ended } = await reader.read();
    if (ended) break;
    timer.touch();
    pending += decoder.decode(value, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const l of lines) {
      line(l);
      if (done) break;
    }
  }
  if (!done && pending) line(pending);
  if (!done) throw new RemoteError('network', 'The connection was closed before the streamed answer was complete (no [DONE])');
  await reader.cancel().catch(() => undefined);
  return { text, tokens };
}

/**
 * The code of a chat answer: the first fenced block when the model wrapped its code in Markdown
 * fences despite being asked not to, and stray region tags removed.
 */
export function stripFences(answer: string): string {
  const fenced = /```[^\n`]*\n([\s\S]*?)\n?```/.exec(answer);
  let code = fenced ? `${fenced[1]}\n` : answer;
  code = code.replace(/^\s*<region>\n?/, '').replace(/\n?<\/region>\s*$/, '\n');
  return code;
}

/** Gives the fill the trailing line break of the text it replaces (models add or drop it freely). */
export function matchTrailingNewline(fill: string, original: string | undefined): string {
  if (original === undefined || fill === '') return fill;
  const wants = /\r?\n$/.exec(original)?.[0];
  if (wants && !/\n$/.test(fill)) return fill + wants;
  if (!wants && /\n$/.test(fill)) return fill.replace(/\r?\n$/, '');
  return fill;
}
