/** The local backend: the default (or a user's) ONNX model in an inference worker process. */
import * as path from 'node:path';
import type { FillBackend, SamplerOptions } from '../core/types';
import type { ProviderChoice } from './session';
import { loadModelPackage } from './modelPackage';
import { CodeTokenizer } from './tokenizer';
import { WorkerClient } from './workerClient';
import type { ModelScorer } from './protocol';

export interface LocalBackendOptions {
  readonly modelDir: string;
  readonly executionProvider?: string;
  readonly workerPath?: string;
  readonly threads?: number;
  readonly idleTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
}

export interface LocalBackend extends FillBackend {
  readonly provider: string;
  /** The model package's recommended sampler settings (config.json `sampler`). */
  readonly samplerDefaults: Partial<SamplerOptions>;
  readonly fallbackNotice?: string;
  readonly maxContext: number;
  readonly client: WorkerClient;
  /** Exact token count with the model's tokenizer (loaded in this thread on first use). */
  countTokens(text: string): number;
  /** The model's scores of existing code (Diffuse Repair), through the worker. */
  scorer(signal?: AbortSignal): ModelScorer;
  /** Starts the worker and loads the model if they are not running (after an idle release, say). */
  warm(): Promise<void>;
  /** Whether the worker is running (started, loading or loaded). */
  readonly running: boolean;
}

/** Path of the bundled default model, next to the bundle (dist/../models/...). */
export function defaultModelDir(bundleDir: string): string {
  return path.join(bundleDir, '..', 'models', 'diffuse-code-mini');
}

export async function createLocalBackend(opts: LocalBackendOptions): Promise<LocalBackend> {
  const client = new WorkerClient({
    workerPath: opts.workerPath ?? path.join(__dirname, 'worker.js'),
    modelDir: opts.modelDir,
    provider: (opts.executionProvider ?? 'auto') as ProviderChoice,
    threads: opts.threads,
    idleTimeoutMs: opts.idleTimeoutMs,
    requestTimeoutMs: opts.requestTimeoutMs,
  });
  const info = await client.start();
  const pkg = loadModelPackage(opts.modelDir);
  let tokenizer: CodeTokenizer | undefined;
  return {
    id: 'local',
    source: opts.modelDir,
    provider: info.provider,
    fallbackNotice: info.fallbackNotice,
    maxContext: info.maxContext,
    samplerDefaults: { steps: pkg.config.sampler.steps, strategy: pkg.config.sampler.strategy as SamplerOptions['strategy'], threshold: pkg.config.sampler.threshold, temperature: pkg.config.sampler.temperature },
    client,
    describe: () => `${client.info?.name ?? info.name} (${client.info?.provider ?? info.provider})`,
    fill: (requests, options, hooks) => client.fill(requests, options, hooks),
    dispose: () => client.stop(),
    warm: async () => {
      await client.start();
    },
    get running() {
      return client.running;
    },
    scorer: (signal) => ({
      score: (text, prefix, suffix, passes, seed) => client.score({ text, prefix, suffix, passes, seed }, signal),
      rank: (sites) => client.rank(sites, signal),
    }),
    countTokens: (text) => {
      tokenizer ??= new CodeTokenizer(pkg.tokenizerJson);
      return tokenizer.encode(text).length;
    },
  };
}
