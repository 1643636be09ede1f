/**
 * Which tokens Diffuse Repair re-masks: those the model finds improbable in their context, capped
 * to a share of the block, widened by a small neighbourhood and merged into spans. Optionally a
 * whole identifier is as suspicious as its worst token.
 */
import type { OffsetRange } from './types';

export interface RepairSelectOptions {
  /** Tokens with probability below this are suspicious. */
  readonly threshold: number;
  /** At most this share of the block's tokens is re-masked (the least probable first). */
  readonly maxShare: number;
  /** Tokens either side of a suspicious token that are re-masked with it. */
  readonly neighbourhood: number;
  /** Treat an identifier as one unit (its worst token decides). */
  readonly identifiers: boolean;
}

export interface Suspect {
  readonly span: OffsetRange;
  readonly prob: number;
}

const WORD = /[A-Za-z0-9_$]/;

/** Suspicious token indices, least probable first, after identifier aggregation and the cap. */
export function suspiciousTokens(text: string, spans: ReadonlyArray<readonly [number, number]>, probs: readonly number[], o: RepairSelectOptions): number[] {
  const p = [...probs];
  if (o.identifiers) {
    // Tokens that together spell one identifier share the lowest probability among them.
    let i = 0;
    while (i < spans.length) {
      let j = i;
      while (j + 1 < spans.length && joinsWord(text, spans[j], spans[j + 1])) j++;
      if (j > i) {
        const worst = Math.min(...p.slice(i, j + 1));
        for (let k = i; k <= j; k++) p[k] = worst;
      }
      i = j + 1;
    }
  }
  const cap = Math.max(1, Math.floor(spans.length * o.maxShare));
  return p
    .map((prob, i) => ({ prob, i }))
    .filter((x) => x.prob < o.threshold && text.slice(spans[x.i][0], spans[x.i][1]).trim() !== '')
    .sort((a, b) => a.prob - b.prob || a.i - b.i)
    .slice(0, cap)
    .map((x) => x.i);
}

function joinsWord(text: string, a: readonly [number, number], b: readonly [number, number]): boolean {
  return a[1] === b[0] && a[1] > a[0] && WORD.test(text[a[1] - 1] ?? '') && WORD.test(text[b[0]] ?? '');
}

/** Spans (in the block's offsets) to re-mask: each suspicious token with its neighbours, merged. */
export function repairSpans(spans: ReadonlyArray<readonly [number, number]>, picked: readonly number[], neighbourhood: number): OffsetRange[] {
  const marked = new Uint8Array(spans.length);
  for (const i of picked) {
    for (let k = Math.max(0, i - neighbourhood); k <= Math.min(spans.length - 1, i + neighbourhood); k++) marked[k] = 1;
  }
  const out: OffsetRange[] = [];
  for (let i = 0; i < spans.length; i++) {
    if (!marked[i]) continue;
    let j = i;
    while (j + 1 < spans.length && marked[j + 1]) j++;
    out.push({ start: spans[i][0], end: spans[j][1] });
    i = j;
  }
  return out;
}
