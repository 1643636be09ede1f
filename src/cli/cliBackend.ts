/** What a CLI command needs from a backend, local or remote. */
import type { FillBackend, SamplerOptions } from '../core/types';
import type { RepairScorer } from '../engine/repair';
import type { Progress } from './progress';

export interface CliBackend {
  readonly backend: FillBackend;
  /** The model's recommended sampler settings (config.json `sampler`); none for a remote server. */
  readonly defaults: Partial<SamplerOptions>;
  readonly maxCanvasTokens: number;
  readonly countTokens?: (text: string) => number;
  readonly slack: number;
  readonly progress?: Progress;
  /** Peak resident memory of the inference worker so far, kB (local models only). */
  readonly workerPeakRssKb?: () => number;
  /** The model's scores of existing code, for repair (local models only). */
  readonly scorer?: RepairScorer;
}
