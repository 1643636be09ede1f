/**
 * Per-token plausibility of existing code, for Diffuse Repair: the block's tokens are split into
 * `passes` random groups; each copy of the block has one group masked, and all copies run as one
 * batch, so every token is scored with itself hidden exactly once, in a single model call. A block
 * longer than the model's canvas is scored in windows of equal size, each with the rest of the
 * block as its context (one call per row length).
 */
import { layoutInfill, maxCanvas } from '../core/layout';
import { Rng } from '../core/rng';
import { softmaxInto } from '../core/scoring';
import { logitsAt, type Logits } from '../core/sampler';
import { encodeContext, layoutParams, type LoadedModel } from './fillEngine';
import type { RankScores, RankSite, ScoreArgs, TokenScores } from './protocol';

export async function scoreTokens(m: LoadedModel, msg: ScoreArgs, isCancelled: () => boolean): Promise<TokenScores> {
  const tok = m.tokenizer;
  const ids = tok.encode(msg.text);
  const spans = tokenSpans(msg.text, ids.map((id) => tok.byteLength(id)));
  const p = layoutParams(m);
  const { prefix, suffix } = encodeContext(m, msg.prefix, msg.suffix);
  const windows = Math.max(1, Math.ceil(ids.length / maxCanvas(p)));
  const size = Math.ceil(ids.length / windows);
  const rng = new Rng(msg.seed);
  const passes = Math.max(1, Math.min(msg.passes, ids.length));
  const group = ids.map(() => Math.floor(rng.next() * passes));
  // Per token: its row and its position in that row.
  const rowOf = new Int32Array(ids.length);
  const posOf = new Int32Array(ids.length);
  const rows: Int32Array[] = [];
  for (let a = 0; a < ids.length; a += size) {
    const b = Math.min(ids.length, a + size);
    const base = layoutInfill([...prefix, ...ids.slice(0, a)], [...ids.slice(b), ...suffix], b - a, p);
    base.ids.set(ids.slice(a, b), base.start);
    for (let g = 0; g < passes; g++) {
      const r = Int32Array.from(base.ids);
      for (let i = a; i < b; i++) {
        if (group[i] !== g) continue;
        r[base.start + i - a] = m.pkg.config.special.mask;
        rowOf[i] = rows.length;
        posOf[i] = base.start + i - a;
      }
      rows.push(r);
    }
  }
  const byLen = new Map<number, number[]>();
  rows.forEach((r, i) => byLen.set(r.length, [...(byLen.get(r.length) ?? []), i]));
  const logits: Array<{ out: Logits; index: number }> = new Array(rows.length);
  let nfe = 0;
  for (const part of byLen.values()) {
    if (isCancelled()) throw Object.assign(new Error('Scoring cancelled'), { name: 'CancelledError' });
    const out = await m.session.forward(part.map((r) => rows[r]));
    nfe++;
    part.forEach((r, k) => (logits[r] = { out, index: k }));
  }
  const probs = new Float64Array(m.pkg.config.vocabSize);
  const out = ids.map((id, i) => {
    const l = logits[rowOf[i]];
    softmaxInto(logitsAt(l.out, l.index * l.out.seqLen + posOf[i]), 0, probs, m.pkg.config.special.mask);
    return probs[id];
  });
  return { spans, probs: out, nfe };
}

/** UTF-16 spans of tokens given their UTF-8 byte lengths; a token inside a character gets that character. */
export function tokenSpans(text: string, byteLengths: readonly number[]): Array<[number, number]> {
  const utf16AtByte: number[] = [];
  let u = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const nb = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < nb; k++) utf16AtByte.push(u);
    u += ch.length;
  }
  utf16AtByte.push(u);
  const spans: Array<[number, number]> = [];
  let b = 0;
  for (const n of byteLengths) {
    const start = utf16AtByte[Math.min(b, utf16AtByte.length - 1)];
    b += n;
    spans.push([start, utf16AtByte[Math.min(b, utf16AtByte.length - 1)]]);
  }
  return spans;
}

/**
 * Log-probability of each candidate text at a site: the site is masked with as many positions as
 * the candidate has tokens, and the candidate scores the sum of its tokens' log-probabilities there
 * (candidates of one length share a row). Rows run in batches of `RANK_BATCH`.
 */
export async function rankCandidates(m: LoadedModel, sites: readonly RankSite[], isCancelled: () => boolean): Promise<RankScores> {
  const tok = m.tokenizer;
  const p = layoutParams(m);
  const rows: Array<{ ids: Int32Array; start: number }> = [];
  const encoded = sites.map((s) => {
    const { prefix, suffix } = encodeContext(m, s.prefix, s.suffix);
    const byLength = new Map<number, number>();
    const cands = s.candidates.map((c) => {
      const ids = tok.encode(c);
      if (ids.length === 0 || ids.length > p.maxContext / 4) return { ids, row: -1 };
      let row = byLength.get(ids.length);
      if (row === undefined) {
        const lay = layoutInfill(prefix, suffix, ids.length, p);
        row = rows.push({ ids: lay.ids, start: lay.start }) - 1;
        byLength.set(ids.length, row);
      }
      return { ids, row };
    });
    return cands;
  });
  // One model call takes rows of one length: group them (long documents give full-context rows).
  const logits: Array<{ out: Logits; index: number }> = new Array(rows.length);
  const byLen = new Map<number, number[]>();
  rows.forEach((r, i) => byLen.set(r.ids.length, [...(byLen.get(r.ids.length) ?? []), i]));
  let nfe = 0;
  for (const group of byLen.values()) {
    for (let i = 0; i < group.length; i += RANK_BATCH) {
      if (isCancelled()) throw Object.assign(new Error('Scoring cancelled'), { name: 'CancelledError' });
      const part = group.slice(i, i + RANK_BATCH);
      const out = await m.session.forward(part.map((r) => rows[r].ids));
      nfe++;
      part.forEach((r, k) => (logits[r] = { out, index: k }));
    }
  }
  const probs = new Float64Array(m.pkg.config.vocabSize);
  const scores = encoded.map((cands) =>
    cands.map(({ ids, row }) => {
      if (row < 0) return ids.length === 0 ? 0 : -Infinity;
      const l = logits[row];
      let sum = 0;
      ids.forEach((id, i) => {
        softmaxInto(logitsAt(l.out, l.index * l.out.seqLen + rows[row].start + i), 0, probs, m.pkg.config.special.mask);
        sum += Math.log(Math.max(probs[id], 1e-12));
      });
      return sum;
    }),
  );
  return { scores, nfe };
}

const RANK_BATCH = 8;
