/**
 * The inference worker: one thread, one onnxruntime session. Requests are handled one at a time
 * (a model call blocks this thread anyway); cancellation arrives through shared memory, so it is
 * seen between denoising steps even while the message queue is blocked.
 */
import { parentPort } from 'node:worker_threads';
import type { FromWorker, ToWorker } from './protocol';
import { fillBatch, loadModel, type LoadedModel } from './fillEngine';
import { scoreTokens } from './scorer';

let model: LoadedModel | undefined;
let loadError: { name: string; message: string } | undefined;
let queue: Promise<void> = Promise.resolve();

function post(m: FromWorker): void {
  parentPort?.postMessage(m);
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
  const cancelled = new Int32Array(msg.cancel);
  try {
    if (!model) throw Object.assign(new Error(loadError?.message ?? 'Model not loaded'), { name: loadError?.name ?? 'ModelPackageError' });
    if (msg.type === 'fill') {
      const output = await fillBatch(model, msg.requests, msg.options, {
        isCancelled: () => Atomics.load(cancelled, 0) === 1,
        onStep: msg.wantSteps ? (event) => post({ type: 'step', id: msg.id, event }) : undefined,
      });
      post({ type: 'result', id: msg.id, output });
    } else {
      const scores = await scoreTokens(model, msg, () => Atomics.load(cancelled, 0) === 1);
      post({ type: 'scores', id: msg.id, scores });
    }
  } catch (e) {
    post({ type: 'error', id: msg.id, name: (e as Error).name, message: (e as Error).message });
  }
}

parentPort?.on('message', (msg: ToWorker) => {
  queue = queue.then(() => handle(msg));
});
