/**
 * Per-position proposal and score for the sampler: the token to commit and how sure the model is.
 * Scores are comparable across positions: higher = commit earlier.
 */
import type { SamplerOptions } from './types';
import type { Rng } from './rng';
import { mixCopyPrior } from './copyPrior';

export interface Proposal {
  readonly pos: number;
  readonly token: number;
  /** Probability of the proposed token under the (temperature-scaled) distribution. */
  readonly prob: number;
  /** Ordering key of the strategy (confidence, negative entropy, or margin). */
  readonly score: number;
  /** When the proposal is the padding token: the best other token, in case padding is not allowed here. */
  readonly alt?: Proposal;
}

/**
 * The runtime's summary of each position's logits (model/session.ts, topk.onnx), row-major
 * [batch, seq]: the `k` best tokens, best first, and the log of the softmax denominator.
 */
export interface TopTokens {
  readonly k: number;
  readonly values: Float32Array;
  readonly indices: ArrayLike<number | bigint>;
  readonly lse: Float32Array;
}

/** Softmax of `logits / temperature` (temperature 0 = 1 for scoring) into `out`; returns nothing. */
export function softmaxInto(logits: Float32Array, temperature: number, out: Float64Array, banned = -1, alsoBanned = -1): void {
  const inv = temperature > 0 ? 1 / temperature : 1;
  const isBanned = (v: number): boolean => v === banned || v === alsoBanned;
  let max = -Infinity;
  for (let v = 0; v < logits.length; v++) if (!isBanned(v) && logits[v] > max) max = logits[v];
  let sum = 0;
  for (let v = 0; v < logits.length; v++) {
    const e = isBanned(v) ? 0 : Math.exp((logits[v] - max) * inv);
    out[v] = e;
    sum += e;
  }
  for (let v = 0; v < logits.length; v++) out[v] /= sum;
}

/** Probability of `token` under softmax(logits) at temperature 1, `banned` excluded. */
export function probabilityOf(logits: Float32Array, token: number, banned = -1): number {
  let max = -Infinity;
  for (let v = 0; v < logits.length; v++) if (v !== banned && logits[v] > max) max = logits[v];
  let sum = 0;
  for (let v = 0; v < logits.length; v++) if (v !== banned) sum += Math.exp(logits[v] - max);
  return Math.exp(logits[token] - max) / sum;
}

/**
 * Below the best logit by more than this, a token's share of the softmax sum is under e^-20 each
 * (all 8,192 of them together under 2e-5 of it): its exp is not worth computing.
 */
const NEGLIGIBLE_LOGIT_GAP = 20;

/**
 * The greedy proposal (temperature 0, confidence or threshold order, no copy prior) in two passes
 * over the logits and without a probability array: the best and second best token, then the
 * softmax sum relative to the best. It is what every masked position of every step costs, so it
 * is the sampler's own hot loop (the full path below wrote, divided and searched a float64 array
 * per position: four passes).
 */
function greedyProposal(logits: Float32Array, pos: number, maskId: number, loopId: number, padId: number): Proposal {
  let best = -1;
  let second = -1;
  let bestL = -Infinity;
  let secondL = -Infinity;
  for (let v = 0; v < logits.length; v++) {
    if (v === maskId || v === loopId) continue;
    const l = logits[v];
    if (l > bestL) {
      second = best;
      secondL = bestL;
      best = v;
      bestL = l;
    } else if (l > secondL) {
      second = v;
      secondL = l;
    }
  }
  let sum = 0;
  const floor = bestL - NEGLIGIBLE_LOGIT_GAP;
  for (let v = 0; v < logits.length; v++) {
    const l = logits[v];
    if (l > floor && v !== maskId && v !== loopId) sum += Math.exp(l - bestL);
  }
  const prob = 1 / sum;
  const main: Proposal = { pos, token: best, prob, score: prob };
  if (best !== padId || second < 0) return main;
  const altProb = Math.exp(secondL - bestL) / sum;
  // The best other token, at its probability under the same distribution (as the full path gives it).
  return { ...main, alt: { pos, token: second, prob: altProb, score: altProb } };
}

/**
 * The greedy proposal from the runtime's summary of the position (its best tokens and the log of
 * the softmax denominator): O(k). A banned repeat among the best is skipped and its mass taken out
 * of the denominator; undefined when the summary cannot say (the banned token held nearly all the
 * mass, or too few tokens are left), and the caller passes over the vocabulary instead.
 */
function summaryProposal(logits: Float32Array, pos: number, maskId: number, loopId: number, padId: number, summary: { top: TopTokens; at: number }): Proposal | undefined {
  const { top, at } = summary;
  let lse = top.lse[at];
  if (loopId >= 0) {
    const share = Math.exp(logits[loopId] - lse);
    if (share > 1 - 1e-6) return undefined;
    lse += Math.log1p(-share);
  }
  let best = -1;
  let second = -1;
  let bestL = 0;
  let secondL = 0;
  for (let j = 0; j < top.k && second < 0; j++) {
    const v = Number(top.indices[at * top.k + j]);
    if (v === maskId || v === loopId) continue;
    const l = top.values[at * top.k + j];
    if (best < 0) {
      best = v;
      bestL = l;
    } else {
      second = v;
      secondL = l;
    }
  }
  if (best < 0 || (best === padId && second < 0) || !Number.isFinite(bestL)) return undefined;
  const prob = Math.exp(bestL - lse);
  const main: Proposal = { pos, token: best, prob, score: prob };
  if (best !== padId) return main;
  const altProb = Math.exp(secondL - lse);
  return { ...main, alt: { pos, token: second, prob: altProb, score: altProb } };
}

let scratch = new Float64Array(0);

/**
 * Proposes a token for one masked position; the [MASK] token itself is never proposed, nor
 * `loopId` (a token that would repeat the text before it once too often; -1: none).
 */
export function scorePosition(
  logits: Float32Array,
  pos: number,
  opts: SamplerOptions,
  rng: Rng,
  maskId: number,
  prior?: { dist: Map<number, number>; n: number },
  padId = -1,
  loopId = -1,
  summary?: { top: TopTokens; at: number },
): Proposal {
  if (opts.temperature <= 0 && (opts.strategy === 'confidence' || opts.strategy === 'threshold' || opts.strategy === 'ar') && !(prior && opts.copyPrior)) {
    return (summary && summaryProposal(logits, pos, maskId, loopId, padId, summary)) ?? greedyProposal(logits, pos, maskId, loopId, padId);
  }
  if (scratch.length !== logits.length) scratch = new Float64Array(logits.length);
  const probs = scratch;
  softmaxInto(logits, opts.temperature, probs, maskId, loopId);
  if (prior && opts.copyPrior) mixCopyPrior(probs, prior.dist, prior.n, opts.copyPrior);
  const token = opts.temperature > 0 ? sampleTopP(probs, opts.topP, rng) : argmax(probs);
  const main = propose(probs, pos, token, opts);
  if (token !== padId) return main;
  const saved = probs[padId];
  probs[padId] = 0;
  const other = opts.temperature > 0 ? sampleTopP(probs, opts.topP, rng) : argmax(probs);
  probs[padId] = saved;
  return { ...main, alt: propose(probs, pos, other, opts) };
}

function propose(probs: Float64Array, pos: number, token: number, opts: SamplerOptions): Proposal {
  const prob = probs[token];
  let score = prob;
  if (opts.strategy === 'entropy') {
    let h = 0;
    for (let v = 0; v < probs.length; v++) if (probs[v] > 0) h -= probs[v] * Math.log(probs[v]);
    score = -h;
  } else if (opts.strategy === 'margin') {
    let second = 0;
    for (let v = 0; v < probs.length; v++) if (v !== token && probs[v] > second) second = probs[v];
    score = prob - second;
  }
  return { pos, token, prob, score };
}

function argmax(p: Float64Array): number {
  let best = 0;
  for (let v = 1; v < p.length; v++) if (p[v] > p[best]) best = v;
  return best;
}

/** Tokens at least this share of the most probable one's probability are the nucleus's first candidates. */
const NUCLEUS_FLOOR = 1e-3;

/**
 * Nucleus sampling: draw from the smallest set of tokens whose mass reaches topP. Only the tokens
 * within NUCLEUS_FLOOR of the most probable are sorted when they already hold that mass (they
 * nearly always do): sorting the whole vocabulary for every position of every warm step was most
 * of a repair's time.
 */
function sampleTopP(p: Float64Array, topP: number, rng: Rng): number {
  let maxP = 0;
  for (let v = 0; v < p.length; v++) if (p[v] > maxP) maxP = p[v];
  const pick = (floor: number): number[] => {
    const out: number[] = [];
    for (let v = 0; v < p.length; v++) if (p[v] >= floor && p[v] > 1e-9) out.push(v);
    return out;
  };
  let order = pick(maxP * NUCLEUS_FLOOR);
  let held = 0;
  for (const v of order) held += p[v];
  if (held < topP) order = pick(0);
  order.sort((a, b) => p[b] - p[a] || a - b);
  let mass = 0;
  let cut = order.length;
  for (let i = 0; i < order.length; i++) {
    mass += p[order[i]];
    if (mass >= topP) {
      cut = i + 1;
      break;
    }
  }
  let r = rng.next() * Math.min(mass, 1);
  for (let i = 0; i < cut; i++) {
    r -= p[order[i]];
    if (r <= 0) return order[i];
  }
  return order[cut - 1];
}
