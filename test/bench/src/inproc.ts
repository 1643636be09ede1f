/**
 * The engine in this process: one onnxruntime session (CPU, fixed threads), the fill backend the
 * edit and repair pipelines take, and the score function repair needs. Timings then measure the
 * model and sampler alone, without the worker's message passing.
 */
import { maxCanvas } from '../../../src/core/layout';
import type { FillBackend, FillRequest, SamplerOptions } from '../../../src/core/types';
import { fillBatch, layoutParams, loadModel, type LoadedModel } from '../../../src/model/fillEngine';
import type { RepairScorer } from '../../../src/engine/repair';
import { rankCandidates, scoreTokens } from '../../../src/model/scorer';

export interface Engine {
  readonly model: LoadedModel;
  readonly backend: FillBackend & { countTokens(t: string): number };
  readonly scorer: RepairScorer;
  readonly count: (t: string) => number;
  readonly maxCanvasTokens: number;
  readonly loadMs: number;
  fill(requests: readonly FillRequest[], sampler: SamplerOptions): ReturnType<typeof fillBatch>;
}

export async function openEngine(modelDir: string, threads: number): Promise<Engine> {
  const t0 = performance.now();
  const model = await loadModel(modelDir, 'cpu', threads);
  const loadMs = performance.now() - t0;
  const count = (t: string) => model.tokenizer.encode(t).length;
  const backend: Engine['backend'] = {
    id: 'in-process',
    describe: () => `${model.pkg.config.name} (${model.session.provider}, ${threads} threads, in-process)`,
    fill: (requests, options, hooks) => fillBatch(model, requests, options, { onStep: hooks?.onStep, isCancelled: () => hooks?.signal?.aborted ?? false }),
    dispose: () => model.session.release(),
    countTokens: count,
  };
  const scorer: RepairScorer = {
    score: (text, prefix, suffix, passes, seed) => scoreTokens(model, { text, prefix, suffix, passes, seed }, () => false),
    rank: (sites) => rankCandidates(model, sites, () => false),
  };
  return {
    model,
    backend,
    scorer,
    count,
    maxCanvasTokens: maxCanvas(layoutParams(model)),
    loadMs,
    fill: (requests, sampler) => fillBatch(model, requests, sampler),
  };
}

export function samplerFor(strategy: SamplerOptions['strategy'], over: Partial<SamplerOptions> = {}): SamplerOptions {
  return { steps: 32, strategy, threshold: 0.9, temperature: 0, topP: 0.95, seed: 0, blockLength: 0, ...over };
}
