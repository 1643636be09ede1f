/**
 * The inference worker: a child process holding one onnxruntime session. A process, not a worker
 * thread: terminating a thread while onnxruntime's native run() is on it aborts the whole host
 * process, whereas a process can always be killed safely (timeouts, crashes, shutdown).
 * Requests are handled one at a time; before every model call the event loop gets a turn, so a
 * cancel message is seen between denoising steps.
 */
import type { FromWorker, ToWorker } from './protocol';
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
    if (msg.type === 'fill') {
      const output = await fillBatch(model, msg.requests, msg.options, {
        isCancelled,
        beforeCall: yieldToMessages,
        onStep: msg.wantSteps ? (event) => post({ type: 'step', id: msg.id, event }) : undefined,
      });
      post({ type: 'result', id: msg.id, output, peakRssKb: process.resourceUsage().maxRSS });
    } else if (msg.type === 'rank') {
      await yieldToMessages();
      const ranks = await rankCandidates(model, msg.sites, isCancelled);
      post({ type: 'ranked', id: msg.id, ranks, peakRssKb: process.resourceUsage().maxRSS });
    } else {
      await yieldToMessages();
      const scores = await scoreTokens(model, msg, isCancelled);
      post({ type: 'scores', id: msg.id, scores, peakRssKb: process.resourceUsage().maxRSS });
    }
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
