/**
 * Shared data types of the engine. Pure: no `vscode`, no node builtins.
 * Offsets are UTF-16 code units (the unit of VS Code documents and web-tree-sitter).
 */

/** Half-open range [start, end) in UTF-16 code units. */
export interface OffsetRange {
  readonly start: number;
  readonly end: number;
}

/** An edit rooted in the exact text and document version it was computed from. */
export interface RootedEdit {
  /** Identifies the document (a URI string in the extension, a path in the CLI). */
  readonly docId: string;
  /** Document version the edit was computed against. */
  readonly version: number;
  /** Full document text at that version. */
  readonly baseText: string;
  /** Range of baseText that is replaced. */
  readonly range: OffsetRange;
  /** Replacement text. */
  readonly newText: string;
  /**
   * How sure the model was of the replacement's tokens, as spans of `newText` (core/confidence.ts);
   * absent when the backend gave none. Text the model did not write (kept code, a fixer's bracket)
   * has no span.
   */
  readonly confidence?: readonly TokenConfidence[];
}

/** One fill request: replace the text between prefix and suffix. */
export interface FillRequest {
  /** Text before the hole (may be long; the layout cuts it at line boundaries). */
  readonly prefix: string;
  /** Text after the hole. */
  readonly suffix: string;
  /** The text currently in the hole (sets the canvas length); absent for pure infill. */
  readonly original?: string;
  /** Canvas length in tokens for pure infill (ignored when `original` is given unless larger). */
  readonly maxTokens?: number;
  /** Optional language id, for logging and validation. */
  readonly languageId?: string;
}

export type Strategy = 'confidence' | 'threshold' | 'entropy' | 'margin' | 'ar';

export interface SamplerOptions {
  /** Denoising steps K (upper bound for the threshold strategy). */
  readonly steps: number;
  readonly strategy: Strategy;
  /** Confidence threshold for the `threshold` strategy (Fast-dLLM). */
  readonly threshold: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
  /** Semi-autoregressive block length in tokens; 0 = whole canvas at once. */
  readonly blockLength: number;
  /** Weight of the copy prior from the surrounding code (core/copyPrior.ts); 0 or absent = off. */
  readonly copyPrior?: number;
  /**
   * false: every step runs the whole rows, the code around the canvases included, as with a graph
   * with no context cache. Absent or true: a graph that takes a context cache runs that code at the
   * fill's first step only, and the canvases alone at the steps after it (model/session.ts).
   */
  readonly contextCache?: boolean;
}

/** A snapshot of one denoising step, for the live view. */
export interface StepEvent {
  readonly step: number;
  readonly totalSteps: number;
  /** Per request: canvas text so far, masked positions rendered as MASK_GLYPH. */
  readonly canvases: readonly string[];
  /** Per request: positions still masked. */
  readonly masked: readonly number[];
  /** Per request: the committed tokens' confidence, as spans of the canvas text (absent: none). */
  readonly confidence?: ReadonlyArray<readonly TokenConfidence[]>;
}

export const MASK_GLYPH = '\u2591';

export interface FillOutput {
  /** Per request: the fill text (trailing PAD dropped). */
  readonly texts: readonly string[];
  /** Model calls (number of forward passes over the batch). */
  readonly nfe: number;
  /** Wall time of the denoising, milliseconds. */
  readonly ms: number;
  /** Per request: canvas length in tokens. */
  readonly canvasTokens: readonly number[];
  /**
   * Per request: the model's probability of each token of the fill when it was committed, as spans
   * of the fill text. Absent when the backend gives none (a server that returns no log-probabilities).
   */
  readonly confidence?: ReadonlyArray<readonly TokenConfidence[]>;
}

/** One token of a text and the model's probability of it: [start, end) in UTF-16 offsets of the text. */
export interface TokenConfidence {
  readonly start: number;
  readonly end: number;
  readonly p: number;
}

/** What the extension and CLI call to fill holes; local ONNX or remote HTTP. */
export interface FillBackend {
  readonly id: string;
  /** Human-readable description (model name, execution provider). */
  describe(): string;
  /** Where the fills come from: the local model's folder, or the remote server's base URL. */
  readonly source?: string;
  /** Exact token count with the model's tokenizer, for backends that have it (the engine estimates otherwise). */
  countTokens?(text: string): number;
  fill(
    requests: readonly FillRequest[],
    options: SamplerOptions,
    hooks?: { onStep?: (e: StepEvent) => void; signal?: AbortSignal },
  ): Promise<FillOutput>;
  dispose(): Promise<void>;
}
