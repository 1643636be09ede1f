/**
 * The context cache's bookkeeping, without onnxruntime: which tokens of each row are the code
 * around its canvas, whether a call's rows still have the code the cache was made from, the cached
 * keys and values packed from a whole-row call's, and the canvases' batch of a later call. The
 * session (session.ts) turns these arrays into tensors and runs them.
 */

/** Where a row's canvas lies: the positions a fill changes; the rest of the row is the code around it. */
export interface CanvasSpan {
  readonly start: number;
  readonly length: number;
}

/** The code around each row's canvas: its tokens and their positions in the row, per row. */
export interface RowContext {
  readonly ids: readonly Int32Array[];
  readonly at: readonly Int32Array[];
  readonly spans: readonly CanvasSpan[];
}

export function contextOf(rows: readonly Int32Array[], spans: readonly CanvasSpan[]): RowContext {
  const ids: Int32Array[] = [];
  const at: Int32Array[] = [];
  rows.forEach((r, b) => {
    const { start, length } = spans[b];
    const i = new Int32Array(r.length - Math.min(length, Math.max(0, r.length - start)));
    const p = new Int32Array(i.length);
    let k = 0;
    for (let t = 0; t < r.length; t++) {
      if (t >= start && t < start + length) continue;
      i[k] = r[t];
      p[k++] = t;
    }
    ids.push(i);
    at.push(p);
  });
  return { ids, at, spans };
}

/** Whether `rows` with `spans` still have the canvases and the code around them that `ctx` was made from (compared in place). */
export function holdsContext(ctx: RowContext, rows: readonly Int32Array[], spans: readonly CanvasSpan[]): boolean {
  if (ctx.ids.length !== rows.length) return false;
  return rows.every((r, b) => {
    if (ctx.spans[b].start !== spans[b].start || ctx.spans[b].length !== spans[b].length) return false;
    const ids = ctx.ids[b];
    const at = ctx.at[b];
    const inCanvas = Math.max(0, Math.min(spans[b].start + spans[b].length, r.length) - spans[b].start);
    if (ids.length !== r.length - inCanvas) return false;
    for (let k = 0; k < ids.length; k++) if (r[at[k]] !== ids[k]) return false;
    return true;
  });
}

/**
 * The keys or values of the code around each canvas, taken from a whole-row call's
 * ([B, heads, T, headDim], row-major) and packed to [B, heads, P, headDim], P the longest context;
 * shorter rows are padded with zeros, which the past mask leaves out.
 */
export function packPast(present: Float32Array, context: RowContext, heads: number, headDim: number, T: number): { data: Float32Array; P: number } {
  const B = context.ids.length;
  const P = Math.max(0, ...context.at.map((x) => x.length));
  const data = new Float32Array(B * heads * P * headDim);
  for (let b = 0; b < B; b++) {
    const at = context.at[b];
    for (let h = 0; h < heads; h++) {
      const src = (b * heads + h) * T * headDim;
      const dst = (b * heads + h) * P * headDim;
      for (let k = 0; k < at.length; k++) data.set(present.subarray(src + at[k] * headDim, src + (at[k] + 1) * headDim), dst + k * headDim);
    }
  }
  return { data, P };
}

/** The past mask of packed keys and values: 1 for each row's own context tokens, 0 for the padding. */
export function pastMask(context: RowContext): { data: BigInt64Array; P: number } {
  const P = Math.max(0, ...context.at.map((x) => x.length));
  const data = new BigInt64Array(context.at.length * P);
  context.at.forEach((at, b) => data.fill(1n, b * P, b * P + at.length));
  return { data, P };
}

/** A later call's inputs: the canvases alone, padded to the longest, at their positions in the rows. */
export interface CanvasBatch {
  /** [B, N] tokens (padding: `pad`), attention (1 real, 0 padding) and absolute positions. */
  readonly ids: BigInt64Array;
  readonly attention: BigInt64Array;
  readonly positions: BigInt64Array;
  readonly N: number;
  /** The masked positions, by their index in the canvases' batch (b * N + t: what the head is asked for). */
  readonly asked: number[];
  /** The same positions in the whole rows (b * T + p: where the sampler reads them), T the longest row. */
  readonly masked: number[];
  readonly T: number;
}

export function canvasBatch(rows: readonly Int32Array[], spans: readonly CanvasSpan[], mask: number, pad: number): CanvasBatch {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const N = Math.max(...spans.map((x) => x.length));
  const ids = new BigInt64Array(B * N).fill(BigInt(pad));
  const attention = new BigInt64Array(B * N);
  const positions = new BigInt64Array(B * N);
  const asked: number[] = [];
  const masked: number[] = [];
  rows.forEach((r, b) => {
    const { start, length } = spans[b];
    for (let t = 0; t < length && start + t < r.length; t++) {
      ids[b * N + t] = BigInt(r[start + t]);
      attention[b * N + t] = 1n;
      positions[b * N + t] = BigInt(start + t);
      if (r[start + t] === mask) {
        asked.push(b * N + t);
        masked.push(b * T + start + t);
      }
    }
  });
  return { ids, attention, positions, N, asked, masked, T };
}
