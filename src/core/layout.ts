/**
 * Infill layout: `prefix ids + [MASK] x L + suffix ids`, cut to the model's context.
 *
 * The canvas length L is the original length plus slack (the model may end early with [PAD]), or
 * `maxTokens` for a pure infill. Context that does not fit is cut at line boundaries, from the far
 * end of each side, keeping both sides: the prefix gets the larger share because code before a hole
 * says more about it than code after. In a model with a long context, each side gets at most
 * CONTEXT_PER_SIDE tokens (or the canvas's length, when larger), and what the other side cannot
 * use: a short fill does not pay for the whole context.
 */

/** Tokens of code each side of a canvas gets at most, unless the canvas itself is longer. */
export const CONTEXT_PER_SIDE = 256;
export interface LayoutParams {
  readonly maxContext: number;
  readonly maskId: number;
  /** Relative extra canvas length over the original's token count. */
  readonly slack: number;
  /** True for token ids whose text contains a newline (line-boundary cuts). */
  readonly isNewline: (id: number) => boolean;
  /** Tokens of context that are always kept when the canvas is large (split over both sides). */
  readonly minContext?: number;
}

export interface Layout {
  readonly ids: Int32Array;
  readonly start: number;
  readonly length: number;
  /** How many prefix / suffix tokens were dropped by the cut. */
  readonly droppedPrefix: number;
  readonly droppedSuffix: number;
}

export class CanvasTooLargeError extends Error {
  constructor(readonly canvas: number, readonly maxCanvas: number) {
    super(`The region needs a canvas of ${canvas} tokens; the model fits at most ${maxCanvas}. Select a smaller region or let it be split into chunks.`);
    this.name = 'CanvasTooLargeError';
  }
}

export function canvasLength(originalTokens: number, slack: number, maxTokens?: number): number {
  const fromOriginal = originalTokens > 0 ? Math.ceil(originalTokens * (1 + slack)) + 4 : 0;
  return Math.max(fromOriginal, maxTokens ?? 0, 1);
}

/** Largest canvas the model takes while keeping `minContext` tokens of context. */
export function maxCanvas(p: LayoutParams): number {
  return p.maxContext - (p.minContext ?? 32);
}

export function layoutInfill(prefix: readonly number[], suffix: readonly number[], L: number, p: LayoutParams): Layout {
  if (L > maxCanvas(p)) throw new CanvasTooLargeError(L, maxCanvas(p));
  const room = p.maxContext - L;
  const side = Math.max(CONTEXT_PER_SIDE, L);
  let keepPre = Math.min(prefix.length, side + Math.max(0, side - suffix.length));
  let keepSuf = Math.min(suffix.length, side + Math.max(0, side - prefix.length));
  if (keepPre + keepSuf > room) {
    const preShare = Math.ceil(room * 0.6);
    keepPre = Math.min(prefix.length, Math.max(preShare, room - suffix.length));
    keepSuf = Math.min(suffix.length, room - keepPre);
  }
  keepPre = cutPrefixAtLine(prefix, keepPre, p.isNewline);
  keepSuf = cutSuffixAtLine(suffix, keepSuf, p.isNewline);
  const ids = new Int32Array(keepPre + L + keepSuf);
  ids.set(prefix.slice(prefix.length - keepPre), 0);
  ids.fill(p.maskId, keepPre, keepPre + L);
  ids.set(suffix.slice(0, keepSuf), keepPre + L);
  return { ids, start: keepPre, length: L, droppedPrefix: prefix.length - keepPre, droppedSuffix: suffix.length - keepSuf };
}

/** Keep at most `keep` trailing tokens, starting just after a newline when one is near. */
function cutPrefixAtLine(prefix: readonly number[], keep: number, isNewline: (id: number) => boolean): number {
  if (keep >= prefix.length) return prefix.length;
  const first = prefix.length - keep;
  const limit = Math.min(prefix.length, first + Math.max(8, Math.floor(keep / 4)));
  for (let i = first; i < limit; i++) if (isNewline(prefix[i])) return prefix.length - (i + 1);
  return keep;
}

/** Keep at most `keep` leading tokens, ending just after a newline when one is near. */
function cutSuffixAtLine(suffix: readonly number[], keep: number, isNewline: (id: number) => boolean): number {
  if (keep >= suffix.length) return suffix.length;
  const limit = Math.max(0, keep - Math.max(8, Math.floor(keep / 4)));
  for (let i = keep - 1; i >= limit; i--) if (isNewline(suffix[i])) return i + 1;
  return keep;
}
