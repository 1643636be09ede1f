/** Messages between the extension (or CLI) and the inference worker. All are structured-cloneable. */
import type { FillOutput, FillRequest, SamplerOptions, StepEvent } from '../core/types';
import type { ProviderChoice } from './session';

export interface LoadMessage {
  readonly type: 'load';
  readonly modelDir: string;
  readonly provider: ProviderChoice;
  readonly threads: number;
}

export interface FillMessage {
  readonly type: 'fill';
  readonly id: number;
  readonly requests: readonly FillRequest[];
  readonly options: SamplerOptions;
  readonly wantSteps: boolean;
}

export interface ScoreMessage {
  readonly type: 'score';
  readonly id: number;
  readonly text: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly passes: number;
  readonly seed: number;
}

/** A place in a text and what could stand there; the model ranks the candidates. */
export interface RankSite {
  readonly prefix: string;
  readonly suffix: string;
  readonly candidates: readonly string[];
}

export interface RankMessage {
  readonly type: 'rank';
  readonly id: number;
  readonly sites: readonly RankSite[];
}

/** Per site, per candidate: the summed log-probability of the candidate's tokens at the site. */
export interface RankScores {
  readonly scores: number[][];
  readonly nfe: number;
}

/** Stops request `id` at the next step boundary. */
export interface CancelMessage {
  readonly type: 'cancel';
  readonly id: number;
}

export type ToWorker = LoadMessage | FillMessage | ScoreMessage | RankMessage | CancelMessage;

export interface ModelInfo {
  readonly name: string;
  readonly provider: string;
  readonly fallbackNotice?: string;
  /** Execution providers this onnxruntime-node build can use here, best first. */
  readonly availableProviders?: readonly string[];
  readonly maxContext: number;
  readonly vocabSize: number;
}

/** Per-token scores of a text: token spans in UTF-16 offsets and the model's probability of each token. */
export interface TokenScores {
  readonly spans: ReadonlyArray<readonly [number, number]>;
  readonly probs: readonly number[];
  readonly nfe: number;
}

export type FromWorker =
  | { readonly type: 'loaded'; readonly info: ModelInfo }
  | { readonly type: 'step'; readonly id: number; readonly event: StepEvent }
  | { readonly type: 'result'; readonly id: number; readonly output: FillOutput; readonly peakRssKb: number }
  | { readonly type: 'scores'; readonly id: number; readonly scores: TokenScores; readonly peakRssKb: number }
  | { readonly type: 'ranked'; readonly id: number; readonly ranks: RankScores; readonly peakRssKb: number }
  | { readonly type: 'error'; readonly id: number; readonly name: string; readonly message: string };
