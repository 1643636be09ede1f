/** The CLI side of the remote backend: endpoint and model from flags, the key from the environment. */
import type { CliArgs } from './args';
import type { CliBackend } from './cliBackend';
import type { Progress } from './progress';
import { REMOTE_APIS, type RemoteApi } from '../model/remoteApi';
import { canvasBudget } from '../engine/defaults';
import { countTokensApprox, createRemoteBackend } from '../model/remoteBackend';

export class RemoteConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteConfigError';
  }
}


export async function openRemoteBackend(args: CliArgs, progress?: Progress): Promise<CliBackend> {
  if (!args.endpoint) throw new RemoteConfigError('--backend remote needs --endpoint URL');
  if (!REMOTE_APIS.includes(args.remoteApi as RemoteApi)) throw new RemoteConfigError(`--remote-api must be one of ${REMOTE_APIS.join(', ')}`);
  const timeout = Number(process.env.DIFFUSE_REMOTE_TIMEOUT_MS);
  let backend;
  try {
    backend = createRemoteBackend({
      endpoint: args.endpoint,
      model: args.remoteModel ?? '',
      api: args.remoteApi as RemoteApi,
      // From the environment only: a flag would put the key in shell history and `ps` output.
      apiKey: process.env.DIFFUSE_API_KEY || undefined,
      timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
    });
  } catch (e) {
    throw new RemoteConfigError((e as Error).message);
  }
  return {
    backend,
    // The server's denoising is its own: no steps or strategy to suggest.
    defaults: {},
    maxCanvasTokens: canvasBudget(backend.maxContext),
    countTokens: countTokensApprox,
    slack: 0.25,
    // A streamed answer has no known number of steps; the bar counts pieces against the budget.
    progress,
  };
}
