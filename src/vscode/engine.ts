/**
 * The engine as the adapter sees it: the contract of `src/model/localBackend.ts`,
 * `src/model/remoteBackend.ts` and `src/engine/edit.ts`. Everything in src/vscode goes
 * through this file, so the rest of the adapter depends on the contract rather than on the
 * modules' internals.
 */
import { repairPlan, type RepairEffort } from '../engine/effort';
import { canvasBudget, samplerOptions } from '../engine/defaults';
import type { FillBackend, OffsetRange, SamplerOptions, StepEvent, TokenConfidence } from '../core/types';
import { runEdit } from '../engine/edit';
import { createLocalBackend } from '../model/localBackend';
import { createRemoteBackend, type RemoteBackendOptions } from '../model/remoteBackend';
import type { EditContext } from '../model/remoteApi';
import type { ModelScorer } from '../model/protocol';
import type { OtherFiles } from '../core/lineIndex';

export type Anchoring = 'syntax' | 'lines' | 'exact';

export interface LocalBackendOptions {
  readonly modelDir: string;
  readonly executionProvider?: string;
  readonly workerPath?: string;
  readonly idleTimeoutMs?: number;
}

/** A backend as the adapter holds it: the local model in its worker, or a remote server. */
export type Backend = FillBackend & {
  readonly provider: string;
  /** Set when the execution provider asked for was not available and another was used. */
  readonly fallbackNotice?: string;
  readonly maxContext?: number;
  /** Execution providers the local onnxruntime-node build can use here, best first. */
  readonly availableProviders?: readonly string[];
  /** The model's scores of existing code, for Diffuse Repair (the local model; a server has none). */
  scorer?(signal?: AbortSignal): ModelScorer;
  /** Starts what the next fill needs, ahead of it (the local model's worker). */
  warm?(): Promise<void>;
  /** Whether that is running now (the local model's worker). */
  readonly running?: boolean;
  /** Merges a snippet into a file on the server (the remote apply API). */
  applySnippet?(original: string, snippet: string, signal?: AbortSignal): Promise<string>;
  /** The model's recommended sampler settings (config.json `sampler`), between the engine's defaults and the user's. */
  readonly samplerDefaults?: Partial<SamplerOptions>;
  /** Set by backends that can follow an instruction (the remote chat API). */
  readonly followsInstructions?: boolean;
  /** Set by backends that propose the next edit from the user's recent edits (the remote edit API). */
  readonly nextEdit?: boolean;
  withEditContext?(context: EditContext): FillBackend;
  /** False for a server that gives no token probabilities (the review's confidence); the local model always does. */
  readonly givesConfidence?: boolean;
  withInstruction?(instruction: string): FillBackend;
};

/** The local backend is a Backend; the name stays for the code written against it. */
export type LocalBackend = Backend;

export type { RemoteBackendOptions };

/** A step of the live view; `chunkRanges` places each canvas in the document (base coordinates). */
export type EditStep = StepEvent & { readonly chunkRanges?: readonly OffsetRange[] };

export interface EditRequest {
  readonly docText: string;
  readonly range: OffsetRange;
  readonly languageId: string;
  readonly anchoring: Anchoring;
  /** The sampler settings the user set; the engine adds its defaults and the model's recommendations. */
  readonly sampler: Partial<SamplerOptions>;
  /** Most tokens one canvas may take (`diffuse.maxTokens`). */
  readonly maxTokens: number;
  /** The insertion fills one blank line: the fill is one line (engine/edit `oneLine`). */
  readonly oneLine?: boolean;
  /** The workspace's other files of the document's language, whose lines a blank line may take (engine/edit `elsewhere`). */
  readonly elsewhere?: OtherFiles;
  readonly onStep?: (e: EditStep) => void;
  /** How hard the syntax repair works (`diffuse.repair.effort`). */
  readonly repairEffort?: RepairEffort;
  /** What the edit is doing after its first fill (checking syntax, repairing), for progress. */
  readonly onPhase?: (phase: string) => void;
  readonly signal?: AbortSignal;
  /** What the user asked for (Diffuse Edit…); only backends that follow instructions get it. */
  readonly instruction?: string;
  /** The user's recent edits of the document, for a next-edit backend (sent only to one, and only without an instruction). */
  readonly editContext?: EditContext;
}

export interface EditResult {
  readonly range: OffsetRange;
  readonly newText: string;
  /** The model's confidence in the tokens of `newText` it wrote; absent when the backend gives none. */
  readonly confidence?: readonly TokenConfidence[];
  readonly syntaxOk: boolean;
  /** False when the language has no grammar: nothing was parsed, so `syntaxOk` says nothing. */
  readonly syntaxChecked?: boolean;
  readonly repairRounds: number;
  /** Repaired spans whose text is a variant (balanced, cut back, lines dropped) of a sampled fill. */
  readonly variantFills?: number;
  /** Some of the model's text was taken out by the parser's recovery (syntax/recoverFill): of a span's last draw, or of the region at the end. */
  readonly recovered?: boolean;
  /** A blank line filled with a line like it: that line (0-based) of the document, or of `file` (a URI) when another file's, and its neighbour match. */
  readonly analog?: { readonly line: number; readonly score: number; readonly adapted?: boolean; readonly file?: string };
  readonly nfe: number;
  readonly ms: number;
  /** Something the user should know about this fill (e.g. anchoring fell back to lines). */
  readonly notice?: string;
}

export interface Engine {
  createLocalBackend(opts: LocalBackendOptions): Promise<LocalBackend>;
  createRemoteBackend(opts: RemoteBackendOptions): Backend;
  /** `request` as the adapter builds it; the engine adds what it derives from the backend. */
  runEdit(backend: Backend, request: EditRequest): Promise<EditResult>;
}

/** The engine of this build: the local ONNX backend, the remote backend and the edit pipeline. */
export function loadEngine(): Engine {
  return {
    createLocalBackend: async opts => {
      const local = await createLocalBackend(opts);
      return Object.assign(local, { availableProviders: local.client.info?.availableProviders });
    },
    createRemoteBackend: opts => createRemoteBackend(opts),
    runEdit: (target, { instruction, editContext, ...request }) => {
      const { withInstruction, withEditContext, nextEdit } = target;
      // An instruction is never dropped silently: a backend that cannot follow it refuses the fill.
      if (instruction?.trim() && !target.followsInstructions) {
        return Promise.reject(new Error(`${target.describe()} cannot follow instructions.`));
      }
      const backend = instruction?.trim() && withInstruction ? withInstruction.call(target, instruction)
        : editContext && nextEdit && withEditContext ? withEditContext.call(target, editContext) : target;
      // The canvas of one chunk: at most `maxTokens`, and the engine's share of the model's context
      // (the rest is the code around it); the pipeline splits larger regions into chunks.
      const maxContext = target.maxContext ?? 2 * request.maxTokens;
      const { repairEffort, sampler, ...rest } = request;
      return runEdit(backend, {
        ...rest, ...repairPlan(repairEffort), sampler: samplerOptions(target.samplerDefaults, sampler), fixedSteps: sampler.steps !== undefined,
        maxCanvasTokens: canvasBudget(maxContext, rest.maxTokens),
        // A blank line filled is also offered the file's analogous lines, which the model scores.
        scorer: target.scorer?.(rest.signal),
      });
    },
  };
}
