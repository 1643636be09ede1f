/** Summary statistics and text-similarity measures for the benchmarks. */
import { editSimilarity as rawEditSimilarity, levenshtein } from '../../../src/core/similarity';

export { levenshtein };

export interface Spread {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), q1: quantile(s, 0.25), q3: quantile(s, 0.75), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN, n: s.length };
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

/** Whitespace differences (indentation, line breaks, spacing) do not count against a fill. */
export function normaliseWs(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function exactMatch(fill: string, reference: string): boolean {
  return normaliseWs(fill) === normaliseWs(reference);
}

/** 1 - normalised Levenshtein distance of the whitespace-normalised texts (1 = identical). */
export function editSimilarity(fill: string, reference: string): number {
  return rawEditSimilarity(normaliseWs(fill), normaliseWs(reference));
}

/** Deterministic pseudo-random numbers (mulberry32) so the same seed cuts the same holes. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
