/**
 * How sure the model was of a proposal, carried from the tokens it committed to the text the user
 * reviews. Pure: no `vscode`, no node builtins.
 *
 * Two forms: spans (`TokenConfidence`: a token's place in a text and its probability) are what is
 * stored and shown; per-character arrays (NaN where the model wrote nothing: kept code, a fixer's
 * bracket, indentation) are the working form while the pipeline reshapes text, because a character
 * diff carries each surviving character's value across any rewrite without knowing what it was.
 */
import { diffChars } from 'diff';
import type { TokenConfidence } from './types';

/**
 * Below this probability a token, or a hunk whose least certain token it is, counts as low
 * confidence (the setting `diffuse.review.lowConfidence` and the CLI's `--low-confidence` default):
 * the point where the model thought it likelier wrong than right.
 */
export const DEFAULT_LOW_CONFIDENCE = 0.5;

/** Text the diff would spend more than this many edits on carries no confidence (it was rewritten). */
const MAX_CARRY_EDITS = 4000;

/** Per character of a text of `length`: the probability of the token it belongs to, NaN where none. */
export function toChars(length: number, spans: readonly TokenConfidence[] | undefined): Float32Array {
  const out = new Float32Array(length).fill(NaN);
  for (const s of spans ?? []) out.fill(s.p, Math.max(0, s.start), Math.min(length, s.end));
  return out;
}

/**
 * Spans of `text` by confidence: each run of characters with one value, without the whitespace at
 * its edges (a token's leading space is not what the reader looks at); whitespace-only runs drop.
 */
export function toSpans(text: string, chars: Float32Array): TokenConfidence[] {
  const out: TokenConfidence[] = [];
  let i = 0;
  while (i < chars.length) {
    const p = chars[i];
    let j = i + 1;
    while (j < chars.length && (chars[j] === p || (Number.isNaN(p) && Number.isNaN(chars[j])))) j++;
    if (!Number.isNaN(p)) {
      let a = i;
      let b = j;
      while (a < b && /\s/.test(text[a])) a++;
      while (b > a && /\s/.test(text[b - 1])) b--;
      // Six decimals: the single-precision storage's noise stays out of what users and JSON read.
      if (b > a) out.push({ start: a, end: b, p: Math.round(p * 1e6) / 1e6 });
    }
    i = j;
  }
  return out;
}

/**
 * `chars` (a confidence per character of `from`) moved onto `to`: a character the two texts share
 * (by a character diff) keeps its value, any other gets NaN. Texts too different to align get NaN
 * throughout: nothing of the model's certainty can be said of text it no longer recognises.
 */
export function carryChars(from: string, chars: Float32Array, to: string): Float32Array {
  if (from === to) return chars.slice();
  const out = new Float32Array(to.length).fill(NaN);
  const parts = diffChars(from, to, { maxEditLength: MAX_CARRY_EDITS });
  if (!parts) return out;
  let a = 0;
  let b = 0;
  for (const part of parts) {
    const n = part.value.length;
    if (part.added) b += n;
    else if (part.removed) a += n;
    else {
      out.set(chars.subarray(a, a + n), b);
      a += n;
      b += n;
    }
  }
  return out;
}

/** Spans of `from` carried onto `to` (see carryChars). */
export function carrySpans(from: string, spans: readonly TokenConfidence[] | undefined, to: string): TokenConfidence[] | undefined {
  if (!spans) return undefined;
  return toSpans(to, carryChars(from, toChars(from.length, spans), to));
}

/** The spans inside [start, end), moved to offsets from `start` (partly inside: cut to the range). */
export function spansWithin(spans: readonly TokenConfidence[], start: number, end: number): TokenConfidence[] {
  const out: TokenConfidence[] = [];
  for (const s of spans) {
    const a = Math.max(s.start, start);
    const b = Math.min(s.end, end);
    if (b > a) out.push({ start: a - start, end: b - start, p: s.p });
  }
  return out;
}

/** The least certain span (the earliest of equals), or undefined for none. */
export function leastCertain(spans: readonly TokenConfidence[]): TokenConfidence | undefined {
  let low: TokenConfidence | undefined;
  for (const s of spans) if (!low || s.p < low.p) low = s;
  return low;
}

/**
 * A repair's margin (nats by which the model prefers the change over the original) as a
 * probability: the model's odds between the two, so it reads on the same scale as a token's.
 */
export function marginConfidence(nats: number): number {
  return 1 / (1 + Math.exp(-nats));
}

/** A probability as the review shows it: a whole percent, never 100% or 0% for what is not certain. */
export function percent(p: number): string {
  const v = Math.round(p * 100);
  return `${p < 1 && v === 100 ? 99 : p > 0 && v === 0 ? 1 : v}%`;
}
