/**
 * Per-token plausibility of existing code, for Diffuse Repair: the block's tokens are split into
 * `passes` random groups; each copy of the block has one group masked, and all copies run as one
 * batch, so every token is scored with itself hidden exactly once, in a single model call.
 */
import { layoutInfill } from '../core/layout';
import { Rng } from '../core/rng';
import { softmaxInto } from '../core/scoring';
import { layoutParams, type LoadedModel } from './fillEngine';
import type { ScoreMessage, TokenScores } from './protocol';

export async function scoreTokens(m: LoadedModel, msg: Pick<ScoreMessage, 'text' | 'prefix' | 'suffix' | 'passes' | 'seed'>, isCancelled: () => boolean): Promise<TokenScores> {
  const tok = m.tokenizer;
  const ids = tok.encode(msg.text);
  const spans = tokenSpans(msg.text, ids.map((id) => tok.byteLength(id)));
  const p = layoutParams(m);
  const base = layoutInfill(tok.encode(msg.prefix), tok.encode(msg.suffix), ids.length, p);
  base.ids.set(ids, base.start);
  const rng = new Rng(msg.seed);
  const passes = Math.max(1, Math.min(msg.passes, ids.length));
  const group = ids.map(() => Math.floor(rng.next() * passes));
  const rows = Array.from({ length: passes }, (_, g) => {
    const r = Int32Array.from(base.ids);
    group.forEach((gi, i) => {
      if (gi === g) r[base.start + i] = m.pkg.config.special.mask;
    });
    return r;
  });
  if (isCancelled()) throw Object.assign(new Error('Scoring cancelled'), { name: 'CancelledError' });
  const logits = await m.session.forward(rows);
  const probs = new Float64Array(logits.vocab);
  const out = ids.map((id, i) => {
    const o = (group[i] * logits.seqLen + base.start + i) * logits.vocab;
    softmaxInto(logits.data.subarray(o, o + logits.vocab), 0, probs, m.pkg.config.special.mask);
    return probs[id];
  });
  return { spans, probs: out, nfe: 1 };
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
