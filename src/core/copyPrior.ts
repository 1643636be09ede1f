/**
 * A copy prior from the code around the hole (kNN-LM / copy mechanism in miniature): a small model
 * forgets what the file says, but the file is right there. When the tokens just left of a masked
 * position also occur in the context, the tokens that followed them there are likely again.
 * Longer matches weigh more. Mixed into the model's distribution with weight `lambda`.
 */
const MAX_N = 4;

export interface CopyIndex {
  /** Candidate next tokens for the tokens left of `pos` in `ids`, with weights summing to 1; undefined = no match. */
  candidates(ids: Int32Array, pos: number, mask: number): { dist: Map<number, number>; n: number } | undefined;
}

function key(ids: ArrayLike<number>, end: number, n: number): string {
  let k = '';
  for (let i = end - n; i < end; i++) k += ids[i] + ',';
  return k;
}

/** Indexes the n-grams (n = 1..4) of the context tokens: everything outside [start, start + length). */
export function buildCopyIndex(ids: Int32Array, start: number, length: number): CopyIndex {
  const table = new Map<string, Map<number, number>>();
  const add = (from: number, to: number) => {
    for (let p = from + 1; p < to; p++) {
      for (let n = 1; n <= MAX_N && p - n >= from; n++) {
        const k = n + ':' + key(ids, p, n);
        let m = table.get(k);
        if (!m) table.set(k, (m = new Map()));
        m.set(ids[p], (m.get(ids[p]) ?? 0) + 1);
      }
    }
  };
  add(0, start);
  add(start + length, ids.length);
  return {
    candidates(row, pos, mask) {
      for (let n = MAX_N; n >= 1; n--) {
        if (pos - n < 0) continue;
        let known = true;
        for (let i = pos - n; i < pos; i++) if (row[i] === mask) known = false;
        if (!known) continue;
        const m = table.get(n + ':' + key(row, pos, n));
        if (!m) continue;
        let total = 0;
        for (const c of m.values()) total += c;
        const dist = new Map<number, number>();
        for (const [t, c] of m) dist.set(t, c / total);
        return { dist, n };
      }
      return undefined;
    },
  };
}

/** Mixes the copy distribution into `probs` in place: longer matches get up to `lambda`. */
export function mixCopyPrior(probs: Float64Array, dist: Map<number, number>, n: number, lambda: number): void {
  const w = lambda * (n / MAX_N);
  if (w <= 0) return;
  for (let v = 0; v < probs.length; v++) probs[v] *= 1 - w;
  for (const [t, p] of dist) probs[t] += w * p;
}
