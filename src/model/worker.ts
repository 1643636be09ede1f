/**
 * The inference worker: a child process holding one onnxruntime session. A process, not a worker
 * thread: terminating a thread while onnxruntime's native run() is on it aborts the whole host
 * process, whereas a process can always be killed safely (timeouts, crashes, shutdown).
 * Requests are handled one at a time; before every model call the event loop gets a turn, so a
 * cancel message is seen between denoising steps.
 */
import type { CallArgs, CallMessage, CallName, CallResult, FromWorker, ToWorker } from './protocol';
import { fillBatch, loadModel, type LoadedModel } from './fillEngine';
import { rankCandidates, scoreTokens } from './scorer';

let model: LoadedModel | undefined;
let loadError: { name: string; message: string } | undefined;
let queue: Promise<void> = Promise.resolve();
const cancelled = new Set<number>();

function post(m: FromWorker): void {
  process.send?.(m);
}

/** Lets queued messages (cancels) in before the next model call. */
function yieldToMessages(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** What a handler may do besides computing: see whether its call was cancelled, report a step. */
interface CallContext {
  readonly isCancelled: () => boolean;
  readonly post: (m: FromWorker) => void;
  readonly id: number;
}

/** One handler per operation of the call table (protocol.ts WorkerCalls). */
const handlers: { readonly [K in CallName]: (m: LoadedModel, args: CallArgs<K>, ctx: CallContext) => Promise<CallResult<K>> } = {
  fill: (m, a, ctx) => fillBatch(m, a.requests, a.options, {
    isCancelled: ctx.isCancelled,
    beforeCall: yieldToMessages,
    onStep: a.wantSteps ? (event) => ctx.post({ type: 'step', id: ctx.id, event }) : undefined,
  }),
  score: async (m, a, ctx) => {
    await yieldToMessages();
    return scoreTokens(m, a, ctx.isCancelled);
  },
  rank: async (m, a, ctx) => {
    await yieldToMessages();
    return rankCandidates(m, a.sites, ctx.isCancelled);
  },
};

/** Runs a call through its handler (the cast pairs the call's operation with its arguments, which CallMessage guarantees). */
function run(m: LoadedModel, msg: CallMessage, ctx: CallContext): Promise<CallResult<CallName>> {
  const handler = handlers[msg.op] as (m: LoadedModel, args: CallMessage['args'], ctx: CallContext) => Promise<CallResult<CallName>>;
  return handler(m, msg.args, ctx);
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'load') {
    try {
      model = await loadModel(msg.modelDir, msg.provider, msg.threads);
      const c = model.pkg.config;
      post({ type: 'loaded', info: { name: c.name, provider: model.session.provider, fallbackNotice: model.session.fallbackNotice, availableProviders: model.session.available, maxContext: c.maxContext, vocabSize: c.vocabSize } });
    } catch (e) {
      loadError = { name: (e as Error).name, message: (e as Error).message };
      post({ type: 'error', id: 0, ...loadError });
    }
    return;
  }
  if (msg.type === 'cancel') return;
  const isCancelled = () => cancelled.has(msg.id);
  try {
    if (!model) throw Object.assign(new Error(loadError?.message ?? 'Model not loaded'), { name: loadError?.name ?? 'ModelPackageError' });
    const result = await run(model, msg, { isCancelled, post, id: msg.id });
    post({ type: 'done', id: msg.id, result, peakRssKb: process.resourceUsage().maxRSS });
  } catch (e) {
    post({ type: 'error', id: msg.id, name: (e as Error).name, message: (e as Error).message });
  } finally {
    cancelled.delete(msg.id);
  }
}

process.on('message', (msg: ToWorker) => {
  // Cancels act at once; everything else runs in order.
  if (msg.type === 'cancel') cancelled.add(msg.id);
  else queue = queue.then(() => handle(msg));
});
// The parent went away: nothing left to serve.
process.on('disconnect', () => process.exit(0));
