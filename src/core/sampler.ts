/**
 * The masked-diffusion sampler: fill every [MASK] of a batch of canvases over a few model calls.
 *
 * Each step runs the model once over the whole batch, proposes a token for every masked canvas
 * position, scores the proposals, and commits some of them:
 *  - `confidence` (LLaDA low-confidence remasking): a fixed schedule commits n/K tokens per step,
 *    the most probable first; the rest are re-masked.
 *  - `threshold` (Fast-dLLM): commit every proposal whose probability passes the threshold, and at
 *    least the schedule's share (the most confident first), so a block never takes more than K
 *    steps even when the model is unsure everywhere.
 *  - `entropy` / `margin` (Dream): like `confidence`, ordered by low entropy or by the gap between the
 *    two most probable tokens.
 *  - `ar`: one token per step, left to right: the autoregressive-speed baseline.
 * With `blockLength > 0` the canvas is denoised block by block (semi-autoregressive), each block
 * getting an equal share of the steps.
 * A committed [PAD] also commits [PAD] to every later masked position of its canvas: the model is
 * trained with padding only at the tail, so the fill ends there.
 */
import type { SamplerOptions } from './types';
import { Rng } from './rng';
import { scorePosition, type Proposal } from './scoring';
import { buildCopyIndex, type CopyIndex } from './copyPrior';

export interface SpecialIds {
  readonly mask: number;
  readonly pad: number;
  readonly eos: number;
}

/** One row of the batch: token ids with the canvas at [start, start + length). */
export interface CanvasRow {
  readonly ids: Int32Array;
  readonly start: number;
  readonly length: number;
  /** Canvas positions from the start that may not be padding: a rewrite does not vanish. */
  readonly minLength?: number;
}

/** Logits of one model call over the batch, row-major [batch, seqLen, vocab]. */
export interface Logits {
  readonly data: Float32Array;
  readonly seqLen: number;
  readonly vocab: number;
}

export type ForwardFn = (rows: readonly Int32Array[]) => Promise<Logits>;

export interface DenoiseHooks {
  /** Called after every step with the rows as they stand. */
  onStep?: (step: number, totalSteps: number, rows: readonly CanvasRow[]) => void;
  /** Checked before every model call; a true value stops the fill with a CancelledError. */
  isCancelled?: () => boolean;
}

export class CancelledError extends Error {
  constructor() {
    super('Fill cancelled');
    this.name = 'CancelledError';
  }
}

/** LLaDA's schedule: `masked` tokens spread over `steps` as evenly as possible, larger shares first. */
export function transferSchedule(masked: number, steps: number): number[] {
  const k = Math.max(1, Math.min(steps, masked));
  const base = Math.floor(masked / k);
  const extra = masked % k;
  return Array.from({ length: k }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Fills the masked canvas positions of `rows` in place; returns the number of model calls (NFE). */
export async function denoise(
  forward: ForwardFn,
  rows: readonly CanvasRow[],
  special: SpecialIds,
  opts: SamplerOptions,
  hooks: DenoiseHooks = {},
): Promise<number> {
  const rng = new Rng(opts.seed);
  const blocks = rows.map((r) => blockRanges(r, opts));
  const priors = opts.copyPrior ? rows.map((r) => buildCopyIndex(r.ids, r.start, r.length)) : undefined;
  const nBlocks = Math.max(...blocks.map((b) => b.length), 1);
  const stepsPerBlock = Math.max(1, Math.round(opts.steps / nBlocks));
  // Upper bound on calls: every step commits at least one token per unfinished row.
  const totalSteps = opts.strategy === 'ar' ? Math.max(...rows.map((r) => r.length)) : stepsPerBlock * nBlocks;
  let nfe = 0;
  for (let b = 0; b < nBlocks; b++) {
    const schedules = rows.map((r, i) => {
      const range = blocks[i][b];
      return range ? transferSchedule(countMasked(r, range, special.mask), stepsPerBlock) : [];
    });
    for (let s = 0; ; s++) {
      const active = rows.map((r, i) => (blocks[i][b] ? countMasked(r, blocks[i][b], special.mask) : 0));
      if (active.every((n) => n === 0)) break;
      if (hooks.isCancelled?.()) throw new CancelledError();
      const logits = await forward(rows.map((r) => r.ids));
      nfe++;
      rows.forEach((row, i) => {
        const range = blocks[i][b];
        if (!range || active[i] === 0) return;
        commitStep(row, range, logits, i, special, opts, rng, schedules[i][s] ?? active[i], priors?.[i]);
      });
      hooks.onStep?.(Math.min(nfe, totalSteps), totalSteps, rows);
    }
  }
  return nfe;
}

function blockRanges(row: CanvasRow, opts: SamplerOptions): Array<[number, number]> {
  const end = row.start + row.length;
  if (opts.blockLength <= 0 || opts.strategy === 'ar') return [[row.start, end]];
  const out: Array<[number, number]> = [];
  for (let a = row.start; a < end; a += opts.blockLength) out.push([a, Math.min(end, a + opts.blockLength)]);
  return out;
}

function countMasked(row: CanvasRow, [a, b]: [number, number], mask: number): number {
  let n = 0;
  for (let p = a; p < b; p++) if (row.ids[p] === mask) n++;
  return n;
}

function commitStep(
  row: CanvasRow,
  [a, b]: [number, number],
  logits: Logits,
  batchIndex: number,
  special: SpecialIds,
  opts: SamplerOptions,
  rng: Rng,
  scheduled: number,
  prior?: CopyIndex,
): void {
  const proposals: Proposal[] = [];
  for (let p = a; p < b; p++) {
    if (row.ids[p] !== special.mask) continue;
    const offset = (batchIndex * logits.seqLen + p) * logits.vocab;
    const proposal = scorePosition(logits.data.subarray(offset, offset + logits.vocab), p, opts, rng, special.mask, prior?.candidates(row.ids, p, special.mask), special.pad);
    proposals.push(proposal);
    if (opts.strategy === 'ar') break; // only the leftmost masked position is decided
  }
  if (proposals.length === 0) return;
  keepPaddingAtTail(row, proposals, special, opts.strategy === 'ar');
  let chosen: Proposal[];
  if (opts.strategy === 'ar') {
    chosen = proposals;
  } else if (opts.strategy === 'threshold') {
    const ranked = [...proposals].sort((x, y) => y.score - x.score || x.pos - y.pos);
    const confident = ranked.filter((q) => q.prob >= opts.threshold).length;
    chosen = ranked.slice(0, Math.max(confident, scheduled, 1));
  } else {
    chosen = [...proposals].sort((x, y) => y.score - x.score || x.pos - y.pos).slice(0, Math.max(1, scheduled));
  }
  for (const q of chosen) {
    row.ids[q.pos] = q.token;
    if (q.token === special.pad) padTail(row, q.pos, special);
  }
}

/**
 * Padding is only ever a suffix of the canvas (that is how the model was trained): a [PAD] proposal
 * stands only inside the run of positions, from the canvas end leftwards, that are padding already
 * or proposed as padding now; anywhere else the best other token is proposed instead, so one early,
 * confident [PAD] cannot cut the fill short. Left to right (`ar`), padding ends the fill wherever
 * it comes. Either way none stands in the row's first `minLength` positions.
 */
function keepPaddingAtTail(row: CanvasRow, proposals: Proposal[], special: SpecialIds, leftToRight: boolean): void {
  const byPos = new Map(proposals.map((q, i) => [q.pos, i]));
  let tailStart = leftToRight ? row.start : row.start + row.length;
  for (let p = tailStart - 1; !leftToRight && p >= row.start; p--) {
    const i = byPos.get(p);
    if (row.ids[p] === special.pad || (i !== undefined && proposals[i].token === special.pad)) tailStart = p;
    else break;
  }
  tailStart = Math.max(tailStart, row.start + Math.min(row.length, row.minLength ?? 0));
  proposals.forEach((q, i) => {
    if (q.token === special.pad && q.pos < tailStart && q.alt) proposals[i] = q.alt;
  });
}

function padTail(row: CanvasRow, from: number, special: SpecialIds): void {
  const end = row.start + row.length;
  for (let p = from + 1; p < end; p++) if (row.ids[p] === special.mask) row.ids[p] = special.pad;
}
