/** The CLI side of the remote backend: endpoint and key from flags and the environment. */
import type { CliArgs } from './args';
import type { CliBackend } from './backend';
import type { Progress } from './progress';

export class RemoteConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteConfigError';
  }
}

export async function openRemoteBackend(args: CliArgs, _progress?: Progress): Promise<CliBackend> {
  if (!args.endpoint) throw new RemoteConfigError('--backend remote needs --endpoint URL');
  throw new RemoteConfigError('The remote backend is not part of this build yet; use --backend local');
}
