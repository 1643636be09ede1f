/** The CLI's backend: the local model in a worker process (default) or a remote server. */
import * as path from 'node:path';
import { canvasBudget } from '../engine/defaults';
import { createLocalBackend, defaultModelDir } from '../model/localBackend';
import { loadModelPackage } from '../model/modelPackage';
import { CodeTokenizer } from '../model/tokenizer';
import type { CliArgs } from './args';
import { progressBar } from './progress';
import { openRemoteBackend } from './remote';
import type { CliBackend } from './cliBackend';

export type { CliBackend } from './cliBackend';


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
    defaults: local.samplerDefaults,
    maxCanvasTokens: canvasBudget(c.maxContext),
    countTokens: (t) => tokenizer.encode(t).length,
    slack: c.sampler.slack,
    progress,
    scorer: local.scorer(),
    workerPeakRssKb: () => local.client.peakRssKb,
  };
}
