/** What a CLI command needs from a backend, local or remote. */
import type { FillBackend } from '../core/types';
import type { Progress } from './progress';

export interface CliBackend {
  readonly backend: FillBackend;
  readonly defaults: { steps?: number; strategy?: string; threshold?: number; temperature?: number };
  readonly maxCanvasTokens: number;
  readonly countTokens?: (text: string) => number;
  readonly slack: number;
  readonly progress?: Progress;
  /** Peak resident memory of the inference worker so far, kB (local models only). */
  readonly workerPeakRssKb?: () => number;
  /** Per-token scores for repair (local models only). */
  readonly score?: (text: string, prefix: string, suffix: string, passes: number, seed: number) => Promise<{ spans: ReadonlyArray<readonly [number, number]>; probs: readonly number[]; nfe: number }>;
}
