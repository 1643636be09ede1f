/**
 * The wire formats of the OpenAI-compatible APIs the remote backend speaks: Inception's
 * `/v1/fim/completions`, the `/v1/completions` of SGLang and vLLM (prompt + suffix), and
 * `/v1/chat/completions` for instructions. Request bodies, answers (whole or streamed as
 * server-sent events) and the clean-up of chat answers.
 */
import type { FillRequest } from '../core/types';
import { RemoteError, type IdleTimer } from './remoteHttp';

export type RemoteApi = 'fim' | 'completions' | 'chat' | 'apply';

export const REMOTE_APIS: readonly RemoteApi[] = ['fim', 'completions', 'chat', 'apply'];

const PATHS: Record<RemoteApi, string> = { fim: '/fim/completions', completions: '/completions', chat: '/chat/completions', apply: '/apply/completions' };

/** APIs whose answers come in the chat shape (`choices[0].message.content`, streamed as `delta.content`). */
const CHAT_SHAPED: ReadonlySet<RemoteApi> = new Set(['chat', 'apply']);

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
}

/** The JSON body of one request; the model field is left out when no model name is configured. */
export function requestBody(api: RemoteApi, req: FillRequest, o: BodyOptions): Record<string, unknown> {
  const common: Record<string, unknown> = { max_tokens: o.maxTokens, temperature: o.temperature, stream: o.stream };
  if (o.model) common.model = o.model;
  if (api !== 'chat') return { ...common, prompt: req.prefix, suffix: req.suffix };
  return { ...common, messages: [{ role: 'system', content: SYSTEM_PROMPT }, { role: 'user', content: chatPrompt(req, o.instruction) }] };
}

export function chatPrompt(req: FillRequest, instruction: string | undefined): string {
  const lang = req.languageId ? `Language: ${req.languageId}\n` : '';
  const ask = instruction?.trim() ? `Instruction: ${instruction.trim()}\n` : 'Instruction: none; improve the region, keeping its behaviour.\n';
  return `${lang}${ask}\n<before>\n${req.prefix}</before>\n<region>\n${req.original ?? ''}</region>\n<after>\n${req.suffix}</after>\n\nReply with the new code of the region only.`;
}

/** The text of a whole (non-streamed) answer. */
export function answerText(api: RemoteApi, json: unknown): string {
  const choice = (json as { choices?: unknown[] })?.choices?.[0] as { text?: unknown; message?: { content?: unknown } } | undefined;
  const text = CHAT_SHAPED.has(api) ? choice?.message?.content : choice?.text;
  if (typeof text !== 'string') throw new RemoteError('bad-response', `The server's answer has no ${CHAT_SHAPED.has(api) ? 'choices[0].message.content' : 'choices[0].text'}`);
  return text;
}

/** The new text of one streamed event (empty when the event carries none, e.g. a role or a usage). */
export function deltaText(api: RemoteApi, json: unknown): string {
  const choice = (json as { choices?: unknown[] })?.choices?.[0] as { text?: unknown; delta?: { content?: unknown } } | undefined;
  const text = CHAT_SHAPED.has(api) ? choice?.delta?.content : choice?.text;
  return typeof text === 'string' ? text : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RemoteError('bad-response', 'The server answered with malformed JSON; is the endpoint an OpenAI-compatible API?');
  }
}

/**
 * Reads an answer, streamed (text/event-stream: `data:` lines, `[DONE]`) or whole, calling
 * `onText` with the text so far as pieces arrive. A server may ignore `stream: true`; the
 * content type decides.
 */
export async function readAnswer(api: RemoteApi, res: Response, timer: IdleTimer, onText?: (soFar: string) => void): Promise<string> {
  const type = res.headers.get('content-type') ?? '';
  if (!type.includes('text/event-stream') || !res.body) {
    const text = answerText(api, parseJson(await res.text()));
    onText?.(text);
    return text;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let text = '';
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
  return text;
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
