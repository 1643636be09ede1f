/**
 * Whether the model's confidence means what it says: a token shown at 80% should be right about
 * 80% of the time. Pure measures over (confidence, right) pairs: which tokens and lines of a fill
 * are right (kept in a longest common subsequence with the truth), reliability bins, expected
 * calibration error and AUROC.
 */
import type { TokenConfidence } from '../../../src/core/types';

/** One judged prediction: the model's probability, and whether it was right. */
export interface Judged {
  readonly p: number;
  readonly right: boolean;
}

export interface Bin {
  /** Confidence range [lo, hi) (the last bin includes 1). */
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
  /** Mean confidence of the bin's predictions (NaN when empty). */
  readonly meanP: number;
  /** Share of them that were right (NaN when empty). */
  readonly shareRight: number;
}

/**
 * For each item of `a`, whether it is kept in a longest common subsequence of `a` and `b` (one such
 * alignment, fixed: each item of `a` is matched as early as an LCS allows, so it is the same every run).
 */
export function lcsKept<T>(a: readonly T[], b: readonly T[]): boolean[] {
  const n = a.length;
  const m = b.length;
  // len[i][j]: LCS length of a[i..] and b[j..], in one flat array.
  const len = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      len[at(i, j)] = a[i] === b[j] ? len[at(i + 1, j + 1)] + 1 : Math.max(len[at(i + 1, j)], len[at(i, j + 1)]);
    }
  }
  const kept = new Array<boolean>(n).fill(false);
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j] && len[at(i, j)] === len[at(i + 1, j + 1)] + 1) {
      kept[i] = true;
      i++;
      j++;
    } else if (len[at(i + 1, j)] >= len[at(i, j + 1)]) i++;
    else j++;
  }
  return kept;
}

/**
 * The tokens of a fill judged against the true text's tokens (same tokenizer): a token is right
 * when the LCS of the two token sequences keeps it. `fill` holds each token's text and confidence.
 */
export function judgeTokens(fill: ReadonlyArray<{ readonly text: string; readonly p: number }>, truth: readonly string[]): Judged[] {
  const kept = lcsKept(fill.map((t) => t.text), truth);
  return fill.map((t, i) => ({ p: t.p, right: kept[i] }));
}

/**
 * The lines of a fill judged against the true text's, as the review shows them: a line's
 * confidence is its least certain token's (spans of `fill`, core/confidence); it is right when its
 * trimmed text is kept by the LCS of the fill's and the truth's non-blank trimmed lines. Blank lines
 * and lines without a confidence (text the model did not write) are not judged.
 */
export function judgeLines(fill: string, spans: readonly TokenConfidence[], truth: string): Judged[] {
  const lines: Array<{ text: string; p: number }> = [];
  let start = 0;
  for (const raw of fill.split('\n')) {
    const end = start + raw.length;
    let p = NaN;
    for (const s of spans) if (s.start < end && s.end > start && (Number.isNaN(p) || s.p < p)) p = s.p;
    if (raw.trim()) lines.push({ text: raw.trim(), p });
    start = end + 1;
  }
  const truthLines = truth.split('\n').map((l) => l.trim()).filter(Boolean);
  const kept = lcsKept(lines.map((l) => l.text), truthLines);
  return lines.flatMap((l, i) => (Number.isNaN(l.p) ? [] : [{ p: l.p, right: kept[i] }]));
}

/** `n` equal-width confidence bins over [0, 1]; a probability of exactly 1 falls in the last. */
export function reliabilityBins(items: readonly Judged[], n = 10): Bin[] {
  const sums = Array.from({ length: n }, () => ({ count: 0, p: 0, right: 0 }));
  for (const it of items) {
    const b = sums[Math.min(n - 1, Math.max(0, Math.floor(it.p * n)))];
    b.count++;
    b.p += it.p;
    b.right += it.right ? 1 : 0;
  }
  return sums.map((s, k) => ({ lo: k / n, hi: (k + 1) / n, count: s.count, meanP: s.count ? s.p / s.count : NaN, shareRight: s.count ? s.right / s.count : NaN }));
}

/** Expected calibration error: the count-weighted mean gap between a bin's confidence and its share right. */
export function expectedCalibrationError(bins: readonly Bin[]): number {
  const total = bins.reduce((s, b) => s + b.count, 0);
  if (!total) return NaN;
  return bins.reduce((s, b) => s + (b.count ? (b.count / total) * Math.abs(b.meanP - b.shareRight) : 0), 0);
}

/**
 * Area under the ROC curve of confidence as a predictor of right: the chance that a random right
 * item has a higher confidence than a random wrong one (ties count half). 0.5 predicts nothing;
 * NaN when either class is empty.
 */
export function auroc(items: readonly Judged[]): number {
  const sorted = [...items].sort((x, y) => x.p - y.p);
  const pos = sorted.filter((x) => x.right).length;
  const neg = sorted.length - pos;
  if (!pos || !neg) return NaN;
  // Mann-Whitney U from average ranks (ties share their mean rank).
  let rankSumPos = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j].p === sorted[i].p) j++;
    const meanRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k].right) rankSumPos += meanRank;
    i = j;
  }
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Count and share right of the items at or above `at`, and of those below. */
export function splitAt(items: readonly Judged[], at: number): { above: { count: number; shareRight: number }; below: { count: number; shareRight: number } } {
  const part = (xs: readonly Judged[]) => ({ count: xs.length, shareRight: xs.length ? xs.filter((x) => x.right).length / xs.length : NaN });
  return { above: part(items.filter((x) => x.p >= at)), below: part(items.filter((x) => x.p < at)) };
}

/** Everything the benchmark reports of one set of judged items. */
export interface Calibration {
  readonly count: number;
  readonly shareRight: number;
  readonly meanP: number;
  readonly ece: number;
  readonly auroc: number;
  readonly split: ReturnType<typeof splitAt>;
  readonly bins: readonly Bin[];
}

export function calibration(items: readonly Judged[], splitPoint: number, nBins = 10): Calibration {
  const bins = reliabilityBins(items, nBins);
  const n = items.length;
  return {
    count: n,
    shareRight: n ? items.filter((x) => x.right).length / n : NaN,
    meanP: n ? items.reduce((s, x) => s + x.p, 0) / n : NaN,
    ece: expectedCalibrationError(bins),
    auroc: auroc(items),
    split: splitAt(items, splitPoint),
    bins,
  };
}
