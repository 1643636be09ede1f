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
 * The fill's length is decided once, from the first model call (`decideLength`): the canvas is
 * longer than the fill and [PAD] only ever follows it (that is how the model was trained), so the
 * model's probability of [PAD] at each position is its belief that the fill has ended by there.
 * Left to right (`ar`), a committed [PAD] ends the fill instead.
 * Positions within two of each other never commit the same token in one step (`spreadRepeats`),
 * except in a block's last step, which commits everything left; and no position starts one copy
 * too many of a unit of one to three tokens repeated right before it (`loopToken`).
 * Each committed token's probability at its step is recorded (`CanvasRow.probs`): the confidence
 * the review shows.
 */
import type { SamplerOptions } from './types';
import { Rng } from './rng';
import { probabilityOf, scorePosition, softmaxInto, type Proposal, type TopTokens } from './scoring';
import { buildCopyIndex, type CopyIndex } from './copyPrior';

/** Greedy decoding ends a fill where the model believes it has ended with more than this probability. */
const PAD_DECISION = 0.5;

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
  /**
   * When given (as long as `ids`): each committed position gets the probability its token had when
   * it was committed, the confidence the review shows.
   */
  readonly probs?: Float32Array;
}

/**
 * Logits of one model call over the batch. Position `at` = batch index * seqLen + position in the
 * row; `logitsAt` gives its vocabulary's logits. `data` holds them row-major [batch, seqLen, vocab],
 * or, with `slots`, only those of the positions the runtime was asked for (the masked ones), the
 * position `at` in row `slots[at]` of `data` (-1: not computed).
 */
export interface Logits {
  readonly data: Float32Array;
  readonly seqLen: number;
  readonly vocab: number;
  readonly slots?: Int32Array;
  /**
   * Per position, row-major [batch, seqLen]: the `k` best tokens (best first) and the log of the
   * softmax denominator, [MASK] left out. The runtime computes them when it can (model/session.ts),
   * so the greedy sampler reads each position in O(k) instead of passing over the vocabulary.
   */
  readonly top?: TopTokens;
}

/** The logits over the vocabulary at position `at` (batch index * seqLen + position). */
export function logitsAt(logits: Logits, at: number): Float32Array {
  const row = logits.slots ? logits.slots[at] : at;
  if (row === undefined || row < 0) throw new Error(`no logits at position ${at}: the model computed only the masked positions`);
  return logits.data.subarray(row * logits.vocab, (row + 1) * logits.vocab);
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
  const leftToRight = opts.strategy === 'ar';
  // Where padding may start in each row; decided by the first model call unless left to right.
  const padFrom: Array<number | undefined> = rows.map((r) => (leftToRight ? r.start + Math.min(r.length, r.minLength ?? 0) : undefined));
  let nfe = 0;
  for (let b = 0; b < nBlocks; b++) {
    const scheduleOf = (r: CanvasRow, i: number): number[] => {
      const range = blocks[i][b];
      return range ? transferSchedule(countMasked(r, range, special.mask), stepsPerBlock) : [];
    };
    const schedules = rows.map(scheduleOf);
    for (let s = 0; ; s++) {
      if (rows.every((r, i) => !blocks[i][b] || countMasked(r, blocks[i][b], special.mask) === 0)) break;
      if (hooks.isCancelled?.()) throw new CancelledError();
      const logits = await forward(rows.map((r) => r.ids));
      nfe++;
      rows.forEach((row, i) => {
        if (padFrom[i] !== undefined) return;
        padFrom[i] = decideLength(row, logits, i, special, opts, rng);
        schedules[i] = scheduleOf(row, i); // the padding is placed: spread the rest over the steps
      });
      rows.forEach((row, i) => {
        const range = blocks[i][b];
        const active = range ? countMasked(row, range, special.mask) : 0;
        if (!range || active === 0) return;
        // The block's last scheduled step commits what is left, so a block never takes more than K calls.
        const scheduled = s >= schedules[i].length - 1 ? active : schedules[i][s];
        commitStep(row, range, logits, i, special, opts, rng, scheduled, padFrom[i] ?? row.start, priors?.[i]);
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
  padFrom: number,
  prior?: CopyIndex,
): void {
  const proposals: Proposal[] = [];
  for (let p = a; p < b; p++) {
    if (row.ids[p] !== special.mask) continue;
    const at = batchIndex * logits.seqLen + p;
    const proposal = scorePosition(logitsAt(logits, at), p, opts, rng, special.mask, prior?.candidates(row.ids, p, special.mask), special.pad,
      loopToken(row.ids, row.start, p, special), logits.top && { top: logits.top, at });
    proposals.push(proposal);
    if (opts.strategy === 'ar') break; // only the leftmost masked position is decided
  }
  if (proposals.length === 0) return;
  // No padding inside the fill; left to right, greedy padding ends the fill only where it is likelier than not.
  const weakEnd = (q: Proposal): boolean => opts.strategy === 'ar' && opts.temperature <= 0 && q.prob <= PAD_DECISION;
  proposals.forEach((q, i) => {
    if (q.token === special.pad && (q.pos < padFrom || weakEnd(q)) && q.alt) proposals[i] = q.alt;
  });
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
  // Held back only while later steps remain to commit it.
  if (chosen.length > 1 && scheduled < proposals.length) chosen = spreadRepeats(chosen, special.pad);
  for (const q of chosen) {
    row.ids[q.pos] = q.token;
    if (row.probs) row.probs[q.pos] = recordedProb(q, logits, batchIndex, opts, special.mask);
    if (q.token === special.pad) padTail(row, q.pos + 1, special);
  }
}

/**
 * The probability recorded for a committed proposal: the model's own (temperature 1), not the
 * sharpened or flattened one a warm or cool draw sampled from, so confidence means the same at every
 * temperature. Computed only for committed tokens, once each.
 */
function recordedProb(q: Proposal, logits: Logits, batchIndex: number, opts: SamplerOptions, mask: number): number {
  if (opts.temperature <= 0 || opts.temperature === 1) return q.prob;
  return probabilityOf(logitsAt(logits, batchIndex * logits.seqLen + q.pos), q.token, mask);
}

/**
 * Copies of a k-token unit the fill may already hold right before a position, by k (1, 2, 3), for
 * that position not to start one more: `)))` and `0, 0, 0` stand, a fourth `name.` does not.
 */
export const LOOP_COPIES: readonly number[] = [4, 3, 3];

/**
 * The token that would start one copy too many of the unit repeated right before `pos` in the
 * fill (committed tokens from `start` on only; padding never counts), or -1. Such loops (`name.name.name.name`,
 * `cmd/cmd/cmd/cmd`) are the commonest failure of a small parallel decoder and never parse
 * as code anyone wrote; the position gets the model's best other token instead.
 */
export function loopToken(ids: Int32Array, start: number, pos: number, special: SpecialIds): number {
  for (let k = 1; k <= LOOP_COPIES.length; k++) {
    const copies = LOOP_COPIES[k - 1];
    if (pos - start < k * copies) continue;
    let loops = true;
    for (let j = 1; j <= k * (copies - 1) && loops; j++) {
      const a = ids[pos - j];
      loops = a !== special.mask && a !== special.pad && a === ids[pos - j - k];
    }
    if (loops) return ids[pos - k];
  }
  return -1;
}

/** Positions either side within which one step commits a token once (`.name.name` repeats at 2). */
export const REPEAT_SPAN = 2;

function nearSame(taken: ReadonlyMap<number, number>, q: Proposal): boolean {
  for (let d = 1; d <= REPEAT_SPAN; d++) if (taken.get(q.pos - d) === q.token || taken.get(q.pos + d) === q.token) return true;
  return false;
}

/**
 * `chosen` (the most deserving first) without a proposal that repeats the token chosen before it in
 * the same step within REPEAT_SPAN positions: each masked position is predicted as if its neighbours
 * were unknown, so neighbours all read "a `path` goes about here" and `pathpath` or `.name.name`
 * comes out, the most common garbage of parallel decoding. The one held back stays masked and is
 * predicted again next step, with the other in view; a repeat that belongs there (`))`, `, 0, 0`)
 * comes back then. The first proposal is always kept, and padding may repeat.
 */
export function spreadRepeats(chosen: readonly Proposal[], pad: number): Proposal[] {
  const taken = new Map<number, number>();
  const out: Proposal[] = [];
  for (const q of chosen) {
    if (q.token !== pad && nearSame(taken, q)) continue;
    taken.set(q.pos, q.token);
    out.push(q);
  }
  return out;
}

/**
 * Decides how long the fill of `row` is, from the logits of its first model call: [PAD] at position p
 * means "the fill has ended by p", a yes/no question, so it is answered by the probability of [PAD]
 * there, not by comparing [PAD] with single code tokens. Greedy decoding takes the median length
 * (the fill runs to the last position where P([PAD]) <= 1/2); sampling draws the length from the same
 * beliefs (one uniform draw against every position). Positions from the returned one to the canvas
 * end become [PAD] now, no [PAD] is accepted before it, and none inside the row's first `minLength`.
 *
 * Committing [PAD]s one at a time instead, as ordinary tokens, empties the canvas: wherever the model
 * is unsure of the length, [PAD] is the single most probable token at nearly every position (the mass
 * of "not ended" is spread over the vocabulary), each committed [PAD] makes the one before it more
 * likely, and the fill collapses from the right.
 *
 * Only the canvas's trailing run of masked positions is open: a masked position before the last
 * committed token (a re-masked token of a finished fill) is never padding.
 */
function decideLength(row: CanvasRow, logits: Logits, batchIndex: number, special: SpecialIds, opts: SamplerOptions, rng: Rng): number {
  const end = row.start + row.length;
  let tail = end;
  while (tail > row.start && (row.ids[tail - 1] === special.mask || row.ids[tail - 1] === special.pad)) tail--;
  const u = opts.temperature > 0 ? rng.next() : PAD_DECISION;
  const probs = new Float64Array(logits.vocab); // among all tokens but [MASK], which is never proposed
  let last = tail; // just after the last position the model believes is still the fill
  for (let p = tail; p < end; p++) {
    if (row.ids[p] !== special.mask) continue;
    const at = batchIndex * logits.seqLen + p;
    const here = logitsAt(logits, at);
    let pad: number;
    if (logits.top) {
      pad = Math.exp(here[special.pad] - logits.top.lse[at]);
    } else {
      softmaxInto(here, 1, probs, special.mask);
      pad = probs[special.pad];
    }
    if (pad <= u) last = p + 1;
  }
  const from = Math.min(end, Math.max(last, row.start + Math.min(row.length, row.minLength ?? 0)));
  padTail(row, from, special);
  return from;
}

/** Every masked position of the canvas from `from` on becomes [PAD]. */
function padTail(row: CanvasRow, from: number, special: SpecialIds): void {
  const end = row.start + row.length;
  for (let p = from; p < end; p++) if (row.ids[p] === special.mask) row.ids[p] = special.pad;
}
