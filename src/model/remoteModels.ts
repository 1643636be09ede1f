/**
 * `GET /v1/models` of an OpenAI-compatible server: the models a key (or a keyless local server) can
 * use. One request, no retries: Choose Model asks it while the user waits, and a refused key or a
 * dead server must be said at once, in words that say what to check.
 */
import { describeUrl, networkError, RemoteError, scrub } from './remoteHttp';

/** How long the listing may take before the user is told the server does not answer. */
const LIST_TIMEOUT_MS = 15_000;

export interface ListedModel {
  readonly id: string;
  /** Who serves or made it, when the server says (`owned_by`). */
  readonly ownedBy?: string;
}

/** The URL of the model list under an endpoint (`/v1` added when the endpoint lacks it). */
export function modelsUrl(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint.trim());
  } catch {
    throw new RemoteError('config', `Not a URL: ${JSON.stringify(endpoint.trim())}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RemoteError('config', `The endpoint must be an http:// or https:// URL, got ${u.protocol}`);
  const base = `${u.origin}${u.pathname}`.replace(/\/+$/, '');
  return `${/\/v\d+$/.test(base) ? base : `${base}/v1`}/models`;
}

/**
 * The server's models, in its order. Throws a RemoteError: `auth` for a refused (or missing) key,
 * `not-found` when the server has no model list, `network` / `timeout` when it cannot be reached,
 * `bad-response` for an answer that is not a model list.
 */
export async function listModels(endpoint: string, apiKey?: string, timeoutMs = LIST_TIMEOUT_MS): Promise<ListedModel[]> {
  const url = modelsUrl(endpoint);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: controller.signal });
  } catch (e) {
    if (controller.signal.aborted) throw new RemoteError('timeout', `No answer from ${describeUrl(url)} within ${timeoutMs / 1000} s`);
    throw networkError(e, url, apiKey, false);
  } finally {
    clearTimeout(timer);
  }
  const body = scrub(await res.text().catch(() => ''), apiKey);
  if (res.status === 401 || res.status === 403) {
    throw new RemoteError('auth', apiKey ? `The server refused the API key (HTTP ${res.status})` : `The server wants an API key (HTTP ${res.status})`, res.status, body);
  }
  if (res.status === 404) throw new RemoteError('not-found', `${describeUrl(url)} has no model list (HTTP 404): check the endpoint URL`, res.status, body);
  if (!res.ok) throw new RemoteError('http', `The model list failed (HTTP ${res.status}) at ${describeUrl(url)}`, res.status, body);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new RemoteError('bad-response', `${describeUrl(url)} did not answer with JSON`);
  }
  const data = (json as { data?: unknown })?.data;
  if (!Array.isArray(data)) throw new RemoteError('bad-response', `${describeUrl(url)} answered without a "data" list of models`);
  return data
    .filter((m): m is { id: string; owned_by?: unknown } => typeof (m as { id?: unknown })?.id === 'string')
    .map(m => ({ id: m.id, ownedBy: typeof m.owned_by === 'string' ? m.owned_by : undefined }));
}
