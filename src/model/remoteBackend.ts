/**
 * The remote backend: fills computed by an OpenAI-compatible server (Inception's API, or SGLang /
 * vLLM serving a diffusion LM). One HTTP request per fill request, at most four at a time; the
 * server's denoising is its own, so `nfe` counts HTTP requests. Nothing is sent unless an endpoint
 * was configured, and the key is only ever put in the Authorization header. Where the API has them
 * (see asksLogprobs), the tokens' log-probabilities are asked for and become the fill's confidence.
 */
import type { FillBackend, FillOutput, FillRequest, SamplerOptions, StepEvent, TokenConfidence } from '../core/types';
import {
  apiUrl, applyRequestBody, asksLogprobs, editRequestBody, fromEditRegion, matchTrailingNewline, NO_STREAM, readAnswer, rejectsLogprobs, requestBody, stripFences, tokenSpans,
  type Answer, type EditContext, type RemoteApi,
} from './remoteApi';
import { describeUrl, postJson, RemoteError, scrub, type HttpOptions } from './remoteHttp';

export { RemoteError } from './remoteHttp';
export type { RemoteApi } from './remoteApi';

export interface RemoteBackendOptions {
  readonly endpoint: string;
  /** Model name sent to the server; left out of requests when empty (a server with one model). */
  readonly model: string;
  readonly api: RemoteApi;
  /** Passed in by the caller (SecretStorage, DIFFUSE_API_KEY); never logged. */
  readonly apiKey?: string;
  /** Longest silence from the server, per request (default 60 s). */
  readonly timeoutMs?: number;
  /** Attempts per request, retries on 429 / 5xx included (default 3). */
  readonly maxTries?: number;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
  /** Characters of context sent on each side of a region (default 24 000), cut at line boundaries. */
  readonly contextChars?: number;
  /** Ask for streamed answers, for the live view (default true). */
  readonly stream?: boolean;
  /** Largest answer asked for, in tokens (default 4096). */
  readonly maxOutputTokens?: number;
  /** Test seams for the retry waits. */
  readonly sleep?: HttpOptions['sleep'];
  readonly random?: HttpOptions['random'];
}

export interface RemoteBackend extends FillBackend {
  readonly provider: 'remote';
  readonly api: RemoteApi;
  /** Token budget the edit pipeline plans canvases with (characters / 3). */
  readonly maxContext: number;
  /** Only the chat API takes an instruction; FIM and completions fill from context alone. */
  readonly followsInstructions: boolean;
  countTokens(text: string): number;
  /** The same backend, asking the model to follow `instruction` (chat API only). */
  withInstruction(instruction: string): RemoteBackend;
  /** The edit API proposes the next edit from the user's recent edits (next edit). */
  readonly nextEdit: boolean;
  /** The same backend, sending `context` (the recent edits) with each request (edit API only). */
  withEditContext(context: EditContext): RemoteBackend;
  /**
   * Whether fills can carry confidence: the backend asks its server for the tokens'
   * log-probabilities (completions and chat, not Inception's hosts) and the server has not refused
   * them. False: no fill of this backend has confidence, and the review says so. True: a fill has
   * it when the server's answer carried them (a server may ignore the field; then it has none).
   */
  readonly givesConfidence: boolean;
  /** The apply API merges snippets; the others fill regions. */
  readonly applies: boolean;
  /** The merged code of `original` with `snippet` applied, from the apply API (one request). */
  applySnippet(original: string, snippet: string, signal?: AbortSignal): Promise<string>;
}

/** A rough token count for servers whose tokenizer we do not have: code averages ~3 chars a token. */
export const countTokensApprox = (text: string): number => Math.ceil(text.length / 3);

/** The end of the prefix and the start of the suffix, cut at line boundaries to `limit` chars. */
export function trimContext(req: FillRequest, limit: number): FillRequest {
  let prefix = req.prefix;
  let suffix = req.suffix;
  if (prefix.length > limit) {
    const cut = prefix.indexOf('\n', prefix.length - limit);
    prefix = cut < 0 ? prefix.slice(-limit) : prefix.slice(cut + 1);
  }
  if (suffix.length > limit) {
    const cut = suffix.lastIndexOf('\n', limit - 1);
    suffix = cut < 0 ? suffix.slice(0, limit) : suffix.slice(0, cut + 1);
  }
  return { ...req, prefix, suffix };
}

export function createRemoteBackend(o: RemoteBackendOptions): RemoteBackend {
  if (!o.endpoint.trim()) {
    throw new RemoteError('config', 'No remote endpoint is configured: set "diffuse.remote.endpoint" (or --endpoint URL)');
  }
  const url = apiUrl(o.endpoint, o.api);
  const concurrency = Math.max(1, o.concurrency ?? 4);
  const limit = o.contextChars ?? 24_000;
  const maxOut = o.maxOutputTokens ?? 4096;
  const inFlight = new Set<AbortController>();
  const host = describeUrl(url).replace(/^\w+:\/\//, '').split('/')[0];
  const modelName = o.model.trim();
  // Cleared, for the rest of the session, by the first server that refuses the fields.
  let asksConfidence = asksLogprobs(o.api, url);

  /** Room for the answer: the original's length with slack (instructions may grow the code). */
  const budget = (req: FillRequest): number => {
    const original = req.original !== undefined ? countTokensApprox(req.original) : 0;
    const wanted = Math.max(req.maxTokens ?? 0, Math.ceil(original * (o.api === 'chat' ? 2 : 1.5)) + 32);
    return Math.min(maxOut, wanted);
  };

  /**
   * Runs `body` with an abort controller of its own, aborted by `outer` and by dispose(); a failure
   * comes out as a RemoteError scrubbed of the key (a cancel as it was).
   */
  async function scoped<T>(outer: AbortSignal | undefined, body: (local: AbortController) => Promise<T>): Promise<T> {
    const local = new AbortController();
    const onOuterAbort = (): void => local.abort();
    if (outer?.aborted) local.abort();
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    inFlight.add(local);
    try {
      return await body(local);
    } catch (e) {
      if (outer?.aborted || (e as Error).name === 'AbortError') throw e;
      throw e instanceof RemoteError
        ? new RemoteError(e.kind, scrub(e.message, o.apiKey), e.status, e.body === undefined ? undefined : scrub(e.body, o.apiKey))
        : new RemoteError('network', scrub(String((e as Error)?.message ?? e), o.apiKey));
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
      inFlight.delete(local);
    }
  }

  async function fill(
    requests: readonly FillRequest[],
    options: SamplerOptions,
    hooks: { onStep?: (e: StepEvent) => void; signal?: AbortSignal } | undefined,
    instruction: string | undefined,
    editContext: EditContext | undefined,
  ): Promise<FillOutput> {
    if (o.api === 'apply') {
      throw new RemoteError('config', 'The remote "apply" API only applies snippets (Diffuse Apply); set "diffuse.remote.api" to "fim", "edit" or "chat" to edit with the remote model');
    }
    const t0 = performance.now();
    const texts = requests.map(() => '');
    const confidence: Array<TokenConfidence[] | undefined> = requests.map(() => undefined);
    const finished = requests.map(() => false);
    const budgets = requests.map(budget);
    const totalSteps = Math.max(1, ...budgets);
    let nfe = 0;
    let events = 0;
    const report = (): void => {
      if (!hooks?.onStep) return;
      events++;
      hooks.onStep({ step: Math.min(events, totalSteps), totalSteps, canvases: [...texts], masked: finished.map(f => (f ? 0 : 1)) });
    };

    const one = async (i: number, local: AbortController): Promise<void> => {
      const req = trimContext(requests[i], limit);
      const body = (logprobs: boolean): Record<string, unknown> => (o.api === 'edit'
        ? editRequestBody(req, editContext ?? { history: [] }, { model: modelName, maxTokens: budgets[i] })
        : requestBody(o.api, req, { model: modelName, maxTokens: budgets[i], temperature: options.temperature, stream: (o.stream ?? true) && !NO_STREAM.has(o.api), instruction, logprobs }));
      const post = (logprobs: boolean): Promise<Answer> => postJson(url, body(logprobs), {
        apiKey: o.apiKey,
        timeoutMs: o.timeoutMs ?? 60_000,
        maxTries: o.maxTries ?? 3,
        signal: local.signal,
        onAttempt: () => nfe++,
        sleep: o.sleep,
        random: o.random,
      }, (res, timer) => readAnswer(o.api, res, timer, soFar => {
        texts[i] = soFar;
        report();
      }));
      let asked = asksConfidence;
      let answer: Answer;
      try {
        answer = await post(asked);
      } catch (e) {
        // A server that does not take the fields still fills: once more without them, and never again.
        if (!asked || !rejectsLogprobs(e)) throw e;
        asksConfidence = asked = false;
        answer = await post(false);
      }
      const text = o.api === 'chat' || o.api === 'edit' ? stripFences(answer.text) : answer.text;
      texts[i] = matchTrailingNewline(o.api === 'edit' ? fromEditRegion(req, text) : text, requests[i].original);
      if (asked && answer.tokens) confidence[i] = tokenSpans(answer.tokens, texts[i]);
      finished[i] = true;
      report();
    };

    await scoped(hooks?.signal, async local => {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < requests.length) {
          const i = next++;
          await one(i, local);
        }
      };
      // The first failure aborts the other lanes: a partial batch is of no use to the pipeline.
      await Promise.all(Array.from({ length: Math.min(concurrency, requests.length) }, () => lane().catch(e => {
        local.abort();
        throw e;
      })));
    });
    // A request whose answer carried none has no spans: its text reads as unscored, never as sure.
    const scored = confidence.some(c => c !== undefined) ? confidence.map(c => c ?? []) : undefined;
    return { texts, nfe, ms: performance.now() - t0, canvasTokens: texts.map(countTokensApprox), confidence: scored };
  }

  const describe = (): string => `${modelName || 'default model'} at ${host} (remote)`;
  const dispose = async (): Promise<void> => {
    for (const c of inFlight) c.abort();
    inFlight.clear();
  };
  const applySnippet = async (original: string, snippet: string, signal?: AbortSignal): Promise<string> => {
    if (o.api !== 'apply') throw new RemoteError('config', `The "${o.api}" API does not apply snippets; set "diffuse.remote.api" to "apply" (or use the local apply)`);
    // The merged file is about as long as the original plus the snippet.
    const maxTokens = Math.min(Math.max(maxOut, 8192), countTokensApprox(original) + countTokensApprox(snippet) + 256);
    const answer = await scoped(signal, local => postJson(url, applyRequestBody(original, snippet, { model: modelName, maxTokens, stream: false }), {
      apiKey: o.apiKey, timeoutMs: o.timeoutMs ?? 60_000, maxTries: o.maxTries ?? 3, signal: local.signal, sleep: o.sleep, random: o.random,
    }, (res, timer) => readAnswer(o.api, res, timer)));
    return stripFences(answer.text);
  };

  /** The backend, following `instruction` or sending `editContext` when given; every copy shares the session's state. */
  const make = (instruction: string | undefined, editContext?: EditContext): RemoteBackend => ({
    id: 'remote',
    source: o.endpoint,
    provider: 'remote',
    api: o.api,
    maxContext: 2 * maxOut,
    followsInstructions: o.api === 'chat',
    get givesConfidence() {
      return asksConfidence;
    },
    applies: o.api === 'apply',
    applySnippet,
    countTokens: countTokensApprox,
    describe,
    fill: (requests, options, hooks) => fill(requests, options, hooks, instruction, editContext),
    dispose,
    withInstruction: (next) => {
      if (o.api !== 'chat') throw new RemoteError('config', `The "${o.api}" API cannot follow instructions; set "diffuse.remote.api" to "chat"`);
      return make(next);
    },
    nextEdit: o.api === 'edit',
    withEditContext: (context) => {
      if (o.api !== 'edit') throw new RemoteError('config', `The "${o.api}" API takes no edit history; set "diffuse.remote.api" to "edit"`);
      return make(undefined, context);
    },
  });
  return make(undefined);
}
