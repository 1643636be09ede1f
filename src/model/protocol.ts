/** Messages between the extension (or CLI) and the inference worker. All are structured-cloneable. */
import type { FillOutput, FillRequest, SamplerOptions, StepEvent } from '../core/types';
import type { ProviderChoice } from './session';

export interface LoadMessage {
  readonly type: 'load';
  readonly modelDir: string;
  readonly provider: ProviderChoice;
  readonly threads: number;
}

/** What `score` reads: per-token probabilities of `text` between `prefix` and `suffix`. */
export interface ScoreArgs {
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

/** Per site, per candidate: the summed log-probability of the candidate's tokens at the site. */
export interface RankScores {
  readonly scores: number[][];
  readonly nfe: number;
}

/** A model's scores of existing code: per-token probabilities, and candidates ranked at sites. */
export interface ModelScorer {
  score(text: string, prefix: string, suffix: string, passes: number, seed: number): Promise<TokenScores>;
  rank(sites: readonly RankSite[]): Promise<RankScores>;
}

/**
 * The worker's operations, declared once: each one's arguments and answer. The worker's handlers
 * (worker.ts) and the client's calls (workerClient.ts) are both typed from this table, so an
 * operation is one entry here and one handler there.
 */
export interface WorkerCalls {
  /** Fills a batch of holes; with `wantSteps`, every denoising step is reported as it happens. */
  readonly fill: { readonly args: { readonly requests: readonly FillRequest[]; readonly options: SamplerOptions; readonly wantSteps: boolean }; readonly result: FillOutput };
  readonly score: { readonly args: ScoreArgs; readonly result: TokenScores };
  readonly rank: { readonly args: { readonly sites: readonly RankSite[] }; readonly result: RankScores };
}

export type CallName = keyof WorkerCalls;
export type CallArgs<K extends CallName> = WorkerCalls[K]['args'];
export type CallResult<K extends CallName> = WorkerCalls[K]['result'];

/** One call of an operation of the table. */
export type CallMessage = { readonly [K in CallName]: { readonly type: 'call'; readonly op: K; readonly id: number; readonly args: CallArgs<K> } }[CallName];

/** Stops request `id` at the next step boundary. */
export interface CancelMessage {
  readonly type: 'cancel';
  readonly id: number;
}

export type ToWorker = LoadMessage | CallMessage | CancelMessage;

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
  | { readonly type: 'done'; readonly id: number; readonly result: CallResult<CallName>; readonly peakRssKb: number }
  | { readonly type: 'error'; readonly id: number; readonly name: string; readonly message: string };
