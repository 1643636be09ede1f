/**
 * One edit, end to end: anchor the range to syntax, split it into chunks that fit the canvas, fill
 * the chunks in batches, re-indent, validate the parse, and re-mask what broke (bounded rounds).
 * Used by the extension and the CLI alike; the backend may be local or remote.
 */
import type { FillBackend, FillRequest, OffsetRange, SamplerOptions, StepEvent } from '../core/types';
import type { AnchoringMode } from '../core/anchor';
import { lineEndAt, lineStartAt } from '../core/indent';
import { anchorRange, chunkRange, reindent, validateFill } from '../syntax';

export interface EditOptions {
  readonly docText: string;
  readonly range: OffsetRange;
  readonly languageId: string;
  readonly anchoring: AnchoringMode;
  readonly sampler: SamplerOptions;
  /** Tokens the canvas of one chunk may take (the model's context minus room for context). */
  readonly maxCanvasTokens: number;
  /** Token count of a text (the model's tokenizer); characters / 3 when absent. */
  readonly countTokens?: (text: string) => number;
  readonly slack?: number;
  /** Canvas tokens for a pure infill (an empty range). */
  readonly maxTokens?: number;
  /** Rows per model call when a large edit has many chunks. */
  readonly batchSize?: number;
  /** Syntax-guided re-masking rounds after the first fill. */
  readonly repairRounds?: number;
  readonly onStep?: (e: StepEvent & { chunkRanges: readonly OffsetRange[] }) => void;
  readonly signal?: AbortSignal;
}

export interface EditResult {
  readonly range: OffsetRange;
  readonly newText: string;
  readonly syntaxOk: boolean;
  /** Syntax was checked (false for languages without a grammar). */
  readonly syntaxChecked: boolean;
  readonly syntaxOkBeforeRepair: boolean;
  readonly repairRounds: number;
  readonly chunks: number;
  readonly nfe: number;
  readonly ms: number;
  readonly notice?: string;
}

export async function runEdit(backend: FillBackend, o: EditOptions): Promise<EditResult> {
  const t0 = performance.now();
  const anchor = await anchorRange(o.docText, o.languageId, o.range, o.anchoring);
  const range = anchor.range;
  const backendCount = (backend as Partial<{ countTokens(t: string): number }>).countTokens;
  const count = o.countTokens ?? (backendCount ? (t: string) => backendCount.call(backend, t) : (t: string) => Math.ceil(t.length / 2));
  const slack = o.slack ?? 0.25;
  const budget = Math.floor((o.maxCanvasTokens - 4) / (1 + slack));
  const insertion = range.start === range.end;
  const chunks = insertion ? [range] : (await chunkRange(o.docText, o.languageId, range, { maxSize: budget, measure: count })).chunks;
  const requests: FillRequest[] = chunks.map((c) => ({
    prefix: o.docText.slice(0, c.start),
    suffix: o.docText.slice(c.end),
    original: insertion ? undefined : o.docText.slice(c.start, c.end),
    maxTokens: insertion ? (o.maxTokens ?? 64) : undefined,
    languageId: o.languageId,
  }));
  let nfe = 0;
  const fills: string[] = [];
  const size = Math.max(1, o.batchSize ?? 8);
  for (let i = 0; i < requests.length; i += size) {
    const part = requests.slice(i, i + size);
    const out = await backend.fill(part, o.sampler, {
      signal: o.signal,
      onStep: o.onStep ? (e) => o.onStep?.({ ...e, chunkRanges: chunks.slice(i, i + size) }) : undefined,
    });
    nfe += out.nfe;
    fills.push(...out.texts);
  }
  // A pure insertion has no anchor line to take indentation from: the model's own is kept.
  let newText = insertion ? fills.join('') : chunks
    .map((c, k) => {
      const atLineStart = c.start === lineStartAt(o.docText, c.start);
      return reindent(fills[k], anchor.indent, { startsMidLine: !atLineStart });
    })
    .join('');
  let check = await validateFill(o.docText, o.languageId, range, newText);
  const okBefore = check.ok;
  let rounds = 0;
  const maxRounds = o.repairRounds ?? 3;
  while (!check.ok && rounds < maxRounds) {
    if (o.signal?.aborted) break;
    rounds++;
    // Re-mask the lines under the errors (widening each round) and fill them again, in the
    // document as it now stands, with a little temperature so the model does not repeat itself.
    const doc = o.docText.slice(0, range.start) + newText + o.docText.slice(range.end);
    const merged = mergeSpans(check.errorRanges.map((r) => widen(doc, r, rounds - 1, range.start, range.start + newText.length)));
    // A span that grew past one canvas is cut like the first fill was: at syntax boundaries.
    const spans: OffsetRange[] = [];
    for (const m of merged) {
      if (count(doc.slice(m.start, m.end)) <= budget) spans.push(m);
      else spans.push(...(await chunkRange(doc, o.languageId, m, { maxSize: budget, measure: count })).chunks);
    }
    const reqs = spans.map((s) => ({ prefix: doc.slice(0, s.start), suffix: doc.slice(s.end), original: doc.slice(s.start, s.end), languageId: o.languageId }));
    const texts: string[] = [];
    for (let i = 0; i < reqs.length; i += size) {
      const out = await backend.fill(reqs.slice(i, i + size), { ...o.sampler, temperature: Math.max(o.sampler.temperature, 0.4), seed: o.sampler.seed + rounds }, { signal: o.signal });
      nfe += out.nfe;
      texts.push(...out.texts);
    }
    let rebuilt = doc;
    for (let k = spans.length - 1; k >= 0; k--) rebuilt = rebuilt.slice(0, spans[k].start) + texts[k] + rebuilt.slice(spans[k].end);
    newText = rebuilt.slice(range.start, rebuilt.length - (o.docText.length - range.end));
    check = await validateFill(o.docText, o.languageId, range, newText);
  }
  return {
    range,
    newText,
    syntaxOk: check.ok,
    syntaxChecked: check.checked,
    syntaxOkBeforeRepair: okBefore,
    repairRounds: rounds,
    chunks: chunks.length,
    nfe,
    ms: performance.now() - t0,
    notice: anchor.fellBackToLines ? `Syntax anchoring unavailable (${anchor.reason}); whole lines were used.` : undefined,
  };
}

/** The lines around an error span, `extra` more lines each side, clipped to [lo, hi]. */
function widen(doc: string, r: OffsetRange, extra: number, lo: number, hi: number): OffsetRange {
  let a = lineStartAt(doc, Math.max(lo, r.start));
  let b = lineEndAt(doc, Math.min(hi, Math.max(r.end, r.start)));
  for (let i = 0; i < extra; i++) {
    if (a > lo) a = lineStartAt(doc, a - 1);
    if (b < hi) b = lineEndAt(doc, b + 1);
  }
  // Keep the first line's indentation in the prefix, as for a syntax anchor.
  while (a < b && (doc[a] === ' ' || doc[a] === '\t')) a++;
  return { start: Math.max(lo, a), end: Math.min(hi, Math.max(b, a)) };
}

function mergeSpans(spans: OffsetRange[]): OffsetRange[] {
  const sorted = [...spans].sort((x, y) => x.start - y.start);
  const out: OffsetRange[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start <= last.end + 1) out[out.length - 1] = { start: last.start, end: Math.max(last.end, s.end) };
    else out.push({ ...s });
  }
  return out;
}
