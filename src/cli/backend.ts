/** The CLI's backend: the local model in a worker thread (default) or a remote server. */
import * as path from 'node:path';
import type { FillBackend } from '../core/types';
import { maxCanvas } from '../core/layout';
import { createLocalBackend, defaultModelDir } from '../model/localBackend';
import { loadModelPackage } from '../model/modelPackage';
import { CodeTokenizer } from '../model/tokenizer';
import type { CliArgs } from './args';
import { progressBar, type Progress } from './progress';
import { openRemoteBackend } from './remote';

export interface CliBackend {
  readonly backend: FillBackend;
  readonly defaults: { steps?: number; strategy?: string; threshold?: number; temperature?: number };
  readonly maxCanvasTokens: number;
  readonly countTokens?: (text: string) => number;
  readonly slack: number;
  readonly progress?: Progress;
  /** Per-token scores for repair (local models only). */
  readonly score?: (text: string, prefix: string, suffix: string, passes: number, seed: number) => Promise<{ spans: ReadonlyArray<readonly [number, number]>; probs: readonly number[]; nfe: number }>;
}

export async function openBackend(args: CliArgs): Promise<CliBackend> {
  const progress = process.stderr.isTTY && !args.json ? progressBar() : undefined;
  if (args.backend === 'remote') return openRemoteBackend(args, progress);
  const modelDir = args.model ? path.resolve(args.model) : defaultModelDir(__dirname);
  const pkg = loadModelPackage(modelDir);
  const tokenizer = new CodeTokenizer(pkg.tokenizerJson);
  const local = await createLocalBackend({ modelDir, executionProvider: args.provider, workerPath: path.join(__dirname, 'worker.js') });
  if (local.fallbackNotice) process.stderr.write(`diffuse-edit: ${local.fallbackNotice}\n`);
  const c = pkg.config;
  return {
    backend: local,
    defaults: c.sampler,
    maxCanvasTokens: maxCanvas({ maxContext: c.maxContext, maskId: c.special.mask, slack: c.sampler.slack, isNewline: () => false }),
    countTokens: (t) => tokenizer.encode(t).length,
    slack: c.sampler.slack,
    progress,
    score: (text, prefix, suffix, passes, seed) => local.client.score({ text, prefix, suffix, passes, seed }),
  };
}
