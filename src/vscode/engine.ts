/**
 * The engine as the adapter sees it: the contract of `src/model/localBackend.ts` and
 * `src/model/editPipeline.ts`. Everything in src/vscode goes through this file, so the rest of the
 * adapter depends on the contract rather than on the modules' internals.
 */
import type { FillBackend, OffsetRange, SamplerOptions, StepEvent } from '../core/types';

export type Anchoring = 'syntax' | 'lines' | 'exact';

export interface LocalBackendOptions {
  readonly modelDir: string;
  readonly executionProvider?: string;
  readonly workerPath?: string;
}

export type LocalBackend = FillBackend & { readonly provider: string };

export interface EditRequest {
  readonly docText: string;
  readonly range: OffsetRange;
  readonly languageId: string;
  readonly anchoring: Anchoring;
  readonly sampler: SamplerOptions;
  readonly onStep?: (e: StepEvent) => void;
  readonly signal?: AbortSignal;
}

export interface EditResult {
  readonly range: OffsetRange;
  readonly newText: string;
  readonly syntaxOk: boolean;
  readonly repairRounds: number;
  readonly nfe: number;
  readonly ms: number;
}

export interface Engine {
  createLocalBackend(opts: LocalBackendOptions): Promise<LocalBackend>;
  runEdit(backend: FillBackend, request: EditRequest): Promise<EditResult>;
}

/** Thrown when no engine is bundled; the commands turn it into a clear message. */
export class EngineUnavailableError extends Error {
  constructor() {
    super('The Diffuse engine is not part of this build.');
  }
}

export function loadEngine(): Engine {
  return {
    createLocalBackend: () => Promise.reject(new EngineUnavailableError()),
    runEdit: () => Promise.reject(new EngineUnavailableError()),
  };
}
