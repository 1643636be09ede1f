/**
 * Diffuse Repair: score every token of a block with itself hidden, re-mask the improbable ones (and
 * their neighbours), denoise just those spans, keep the result only if it parses at least as well,
 * and repeat until nothing changes. Clean code comes back unchanged: "nothing to repair".
 */
import type { FillBackend, OffsetRange, SamplerOptions } from '../core/types';
import { repairSpans, suspiciousTokens, type RepairSelectOptions } from '../core/repairSelect';
import { anchorRange, validateFill } from '../syntax';
import type { TokenScores } from './protocol';

export type ScoreFn = (text: string, prefix: string, suffix: string, passes: number, seed: number) => Promise<TokenScores>;

export interface RepairOptions {
  readonly docText: string;
  readonly range: OffsetRange;
  readonly languageId: string;
  readonly sampler: SamplerOptions;
  readonly select?: Partial<RepairSelectOptions>;
  readonly passes?: number;
  readonly maxRounds?: number;
  readonly signal?: AbortSignal;
  /** Called with the suspicious spans (document offsets) before they are filled. */
  readonly onSuspects?: (spans: readonly OffsetRange[]) => void;
}

export interface RepairResult {
  readonly range: OffsetRange;
  readonly newText: string;
  readonly changed: boolean;
  readonly suspects: number;
  readonly rounds: number;
  readonly nfe: number;
  readonly ms: number;
}

const REPAIR_BATCH = 8;

export const REPAIR_DEFAULTS: RepairSelectOptions = { threshold: 0.02, maxShare: 0.15, neighbourhood: 0, identifiers: true };

export async function runRepair(backend: FillBackend, score: ScoreFn, o: RepairOptions): Promise<RepairResult> {
  const t0 = performance.now();
  const select = { ...REPAIR_DEFAULTS, ...o.select };
  const range = o.range.start === o.range.end ? (await anchorRange(o.docText, o.languageId, o.range, 'syntax')).range : o.range;
  const prefix = o.docText.slice(0, range.start);
  const suffix = o.docText.slice(range.end);
  let block = o.docText.slice(range.start, range.end);
  let nfe = 0;
  let suspects = 0;
  let rounds = 0;
  for (; rounds < (o.maxRounds ?? 3); rounds++) {
    if (o.signal?.aborted) break;
    const s = await score(block, prefix, suffix, o.passes ?? 4, o.sampler.seed + rounds);
    nfe += s.nfe;
    const picked = suspiciousTokens(block, s.spans, s.probs, select);
    if (picked.length === 0) break;
    suspects += picked.length;
    const spans = repairSpans(s.spans, picked, select.neighbourhood);
    o.onSuspects?.(spans.map((x) => ({ start: range.start + x.start, end: range.start + x.end })));
    const requests = spans.map((x) => ({
      prefix: prefix + block.slice(0, x.start),
      suffix: block.slice(x.end) + suffix,
      original: block.slice(x.start, x.end),
      languageId: o.languageId,
    }));
    // Rows per model call are bounded: each row's logits take context x vocabulary floats.
    const texts: string[] = [];
    for (let i = 0; i < requests.length; i += REPAIR_BATCH) {
      const out = await backend.fill(requests.slice(i, i + REPAIR_BATCH), o.sampler, { signal: o.signal });
      nfe += out.nfe;
      texts.push(...out.texts);
    }
    let next = block;
    for (let k = spans.length - 1; k >= 0; k--) next = next.slice(0, spans[k].start) + texts[k] + next.slice(spans[k].end);
    if (next === block) break;
    // A repair must parse at least as well as what it replaces.
    const before = await validateFill(o.docText, o.languageId, range, block);
    const after = await validateFill(o.docText, o.languageId, range, next);
    if (after.checked && after.errorsAfter > before.errorsAfter) break;
    block = next;
  }
  const original = o.docText.slice(range.start, range.end);
  return { range, newText: block, changed: block !== original, suspects, rounds, nfe, ms: performance.now() - t0 };
}
