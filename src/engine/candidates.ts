/**
 * Best-of-N re-filling for the edit pipeline: each span of the document is filled several times in
 * one batched model call (sampled rows of one call draw from one random stream, so they differ),
 * every candidate is parsed in place, and the one with the fewest syntax errors around the span is
 * kept. When none of them parses, their bracket-balanced, cut-back and line-dropped variants
 * (core/fillVariants) compete too. A budget in canvas rows bounds the model work a repair may
 * spend, so a whole-file edit with many broken chunks still finishes.
 */
import type { FillBackend, FillRequest, OffsetRange, SamplerOptions } from '../core/types';
import { carryChars, toChars } from '../core/confidence';
import { codeSize, fillVariants } from '../core/fillVariants';
import { recoverFill, validateFills } from '../syntax';
import type { FillValidation } from '../syntax';

/** Least broken candidates of a span whose recovery (syntax/recoverFill) is tried, at most. */
export const RECOVERED_TRIES = 2;

export interface Candidate {
  readonly text: string;
  /** ERROR and MISSING nodes around the span with this text in place. */
  readonly errors: number;
  /** The candidate would leave a region that had code in it blank: never a real answer. */
  readonly blanks: boolean;
}

/**
 * Index of the candidate to keep: no blanking if any candidate avoids it, then the fewest errors,
 * then some text over none (an empty insertion parses, but answers nothing), then the earliest (rows
 * come in the order they were asked for, the least random first).
 */
export function pickCandidate(cands: readonly Candidate[]): number {
  let best = -1;
  const empty = (c: Candidate): number => Number(c.text.trim() === '');
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i];
    const b = best < 0 ? undefined : cands[best];
    if (!b || Number(c.blanks) < Number(b.blanks)
      || (c.blanks === b.blanks && (c.errors < b.errors || (c.errors === b.errors && empty(c) < empty(b))))) best = i;
  }
  return best;
}

/**
 * Canvas rows still available, spent by the repair. `rows` may be Infinity; `deadline` is a
 * `performance.now()` time after which nothing more is spent (undefined: no time limit).
 */
export class RowBudget {
  private spent = 0;
  private callsSpent = 0;

  /**
   * `calls`, when given, caps the model calls as well: each batch of up to `batchRows` rows costs
   * at most `perBatch` calls, so the rows left are those of the whole batches the calls left pay for.
   * `callMs`, when given with a deadline, is the pace of one model call: no batch is started that
   * would end past the deadline at that pace.
   */
  constructor(readonly rows: number, private readonly deadline?: number,
    private readonly calls?: { readonly cap: number; readonly perBatch: number; readonly batchRows: number },
    private readonly callMs?: number) {}

  get left(): number {
    if (!this.affords(this.calls?.perBatch ?? 1)) return 0;
    const rows = Math.max(0, this.rows - this.spent);
    if (!this.calls) return rows;
    const batches = Math.floor(Math.max(0, this.calls.cap - this.callsSpent) / Math.max(1, this.calls.perBatch));
    return Math.min(rows, batches * this.calls.batchRows);
  }

  /** Whether a batch of `calls` model calls started now would end by the deadline. */
  affords(calls: number): boolean {
    if (this.deadline === undefined) return true;
    return performance.now() + calls * (this.callMs ?? 0) < this.deadline;
  }

  spend(n: number, calls = 0): void {
    this.spent += n;
    this.callsSpent += calls;
  }

  /** Model calls spent so far. */
  get callsUsed(): number {
    return this.callsSpent;
  }

  get used(): number {
    return this.spent;
  }
}

/**
 * How many candidates each of `spans` gets: `wanted` each while the budget lasts, else fewer (at
 * least one) for every span the budget reaches, the smallest spans first because a narrow re-mask
 * is the likeliest to come back well-formed; 0 for the spans it does not reach.
 */
export function allotCandidates(spanSizes: readonly number[], wanted: number, budget: number): number[] {
  const out = spanSizes.map(() => 0);
  const order = spanSizes.map((_, i) => i).sort((a, b) => spanSizes[a] - spanSizes[b] || a - b);
  const reached = order.slice(0, Math.min(order.length, Math.max(0, Math.floor(budget))));
  const each = reached.length ? Math.max(1, Math.min(wanted, Math.floor(budget / reached.length))) : 0;
  let extra = reached.length ? Math.max(0, Math.floor(budget) - each * reached.length) : 0;
  for (const i of reached) {
    const more = each < wanted && extra > 0 ? Math.min(wanted - each, extra) : 0;
    extra -= more;
    out[i] = each + more;
  }
  return out;
}

export interface SpanFillOptions {
  readonly doc: string;
  readonly languageId: string;
  readonly spans: readonly OffsetRange[];
  /** Per span: the text whose length sizes the canvas (default: the span's current text). */
  readonly originals?: readonly string[];
  /** Canvas tokens at least, for every span (an insertion has no text to size its canvas by). */
  readonly maxTokens?: number;
  /** Candidates per span (0 = leave the span as it is). */
  readonly counts: readonly number[];
  readonly sampler: SamplerOptions;
  /** Rows per model call. */
  readonly batchRows: number;
  /** Whether a candidate for span k, put in place, would blank a region that had code. */
  readonly blanks: (k: number, text: string) => boolean;
  /** Shapes a raw fill before it is judged (re-indentation); identity when absent. */
  readonly shape?: (k: number, text: string) => string;
  /** Leave a span as it is when no candidate parses at least as well as its current text. */
  readonly keepIfBetter?: boolean;
  /**
   * Per span, the code it replaces, when that is known: the variants are balanced toward its
   * brackets (a piece of a statement may have to leave open what the code after it closes).
   */
  readonly toward?: ReadonlyArray<string | undefined>;
  /** When no candidate parses, let their variants compete (default true). */
  readonly variants?: boolean;
  /**
   * When no candidate or variant parses, let the parser's recovery of the least broken sample
   * (syntax/recoverFill) compete too (default false): the repair's last draws ask for it, so the
   * model is drawn again before any of its text is taken out.
   */
  readonly recover?: boolean;
  /**
   * Asked before each batch with its most model calls (the sampler's steps): false leaves that
   * batch and the rest unfilled (a time budget spent). Every batch is filled when absent.
   */
  readonly mayStart?: (calls: number) => boolean;
  readonly signal?: AbortSignal;
}

export interface SpanFillResult {
  /** Per span: the chosen text, or undefined when the span got no candidate. */
  readonly texts: ReadonlyArray<string | undefined>;
  /** Per span: the model's confidence in each character of the chosen text (undefined: none). */
  readonly confidence: ReadonlyArray<Float32Array | undefined>;
  /** Per span: the chosen candidate's errors around the span (undefined: span left as it is). */
  readonly errors: ReadonlyArray<number | undefined>;
  /** Per span: the chosen text adds no syntax error around the span (undefined: span left as it is). */
  readonly oks: ReadonlyArray<boolean | undefined>;
  /** Spans whose chosen text is a variant of a sampled fill rather than the fill itself. */
  readonly variants: number;
  /** Of those, spans whose chosen text is the parser's recovery of a sampled fill (`recover`). */
  readonly recovered: number;
  readonly nfe: number;
  readonly rows: number;
}

interface Scored extends Candidate {
  readonly variant: boolean;
  readonly ok: boolean;
  readonly recovered?: boolean;
}

/** Fills every span `counts[k]` times, in batches of `batchRows`, and keeps each span's best. */
export async function fillSpans(backend: FillBackend, o: SpanFillOptions): Promise<SpanFillResult> {
  const reqs: FillRequest[] = [];
  const owner: number[] = [];
  o.spans.forEach((s, k) => {
    const req: FillRequest = { prefix: o.doc.slice(0, s.start), suffix: o.doc.slice(s.end), original: o.originals?.[k] ?? o.doc.slice(s.start, s.end), maxTokens: o.maxTokens, languageId: o.languageId };
    for (let c = 0; c < o.counts[k]; c++) {
      reqs.push(req);
      owner.push(k);
    }
  });
  const raw: string[] = [];
  const rawConfidence: Array<Float32Array | undefined> = [];
  let nfe = 0;
  const size = Math.max(1, o.batchRows);
  for (let i = 0; i < reqs.length; i += size) {
    if (o.signal?.aborted || (o.mayStart && !o.mayStart(o.sampler.steps))) break;
    const out = await backend.fill(reqs.slice(i, i + size), { ...o.sampler, seed: o.sampler.seed + i }, { signal: o.signal });
    nfe += out.nfe;
    raw.push(...out.texts);
    out.texts.forEach((t, j) => rawConfidence.push(out.confidence ? toChars(t.length, out.confidence[j]) : undefined));
  }
  // Each span's candidates are checked against one parse of the document.
  const textsOf: string[][] = o.spans.map(() => []);
  // Per span, each candidate's confidence by its text: a shaped sample or a variant carries its
  // source's across the reshaping.
  const confidenceOf = o.spans.map(() => new Map<string, Float32Array | undefined>());
  const carryFrom = (k: number, from: string, chars: Float32Array | undefined, to: string): void => {
    if (!confidenceOf[k].has(to)) confidenceOf[k].set(to, chars && carryChars(from, chars, to));
  };
  raw.forEach((t, r) => {
    const text = o.shape ? o.shape(owner[r], t) : t;
    textsOf[owner[r]].push(text);
    carryFrom(owner[r], t, rawConfidence[r], text);
  });
  // With keepIfBetter the text in place now competes too (a round must not trade a span for a worse
  // one), checked in the same batch.
  const picked = await Promise.all(textsOf.map(async (texts, k) => {
    if (!texts.length) return undefined;
    const span = o.spans[k];
    const now = o.doc.slice(span.start, span.end);
    const checks = await validateFills(o.doc, o.languageId, span, o.keepIfBetter ? [...texts, now] : texts);
    const scored = (text: string, check: FillValidation, variant: boolean): Scored => ({ text, errors: check.errorsAfter, blanks: o.blanks(k, text), variant, ok: check.ok });
    let cands = texts.map((text, i) => scored(text, checks[i], false));
    // No sample parses cleanly around the span (the document in `doc` may itself be broken there,
    // so counts, not `ok`): their variants (balanced, cut back, broken lines dropped) compete with
    // them (a sample that ties with a variant is kept, being earlier). The variants with the fewest
    // errors, if still broken (a dropped line left an orphan), are mended once more, still keeping
    // half of the sampled fill's code.
    if ((o.variants ?? true) && checks.slice(0, texts.length).every((c) => c.errorsAfter > 0)) {
      let from = texts.map((t, i) => ({ text: t, check: checks[i], size: codeSize(t) }));
      for (let pass = 0; pass < 2 && from.length; pass++) {
        const seen = new Set(cands.map((c) => c.text));
        const made = new Map<string, number>();
        for (const f of from) {
          for (const v of fillVariants(f.text, o.languageId, errorsInFill(f.check, span), f.size, o.toward?.[k])) {
            if (!seen.has(v) && !made.has(v)) made.set(v, f.size);
            carryFrom(k, f.text, confidenceOf[k].get(f.text), v);
          }
        }
        if (!made.size) break;
        const variants = [...made.keys()];
        const vchecks = await validateFills(o.doc, o.languageId, span, variants);
        cands = [...cands, ...variants.map((text, i) => scored(text, vchecks[i], true))];
        const fewest = Math.min(...vchecks.map((c) => c.errorsAfter));
        if (fewest === 0) break;
        from = variants.map((text, i) => ({ text, check: vchecks[i], size: made.get(text)! })).filter((f) => f.check.errorsAfter === fewest).slice(0, 4);
      }
    }
    // Still none parses: the parser's own recovery of the least broken sample (its ERROR nodes'
    // text out, missing tokens in) competes too, where it keeps half of the sample's code.
    if (o.recover && (o.variants ?? true) && cands.every((c) => !c.ok)) {
      const fewest = Math.min(...cands.filter((c) => !c.variant).map((c) => c.errors));
      const seen = new Set(cands.map((c) => c.text));
      for (const c of cands.filter((x) => !x.variant && x.errors === fewest && !x.blanks).slice(0, RECOVERED_TRIES)) {
        const mended = await recoverFill(o.doc, o.languageId, span, c.text, { replaced: o.originals?.[k] ?? o.toward?.[k] });
        if (mended === undefined || seen.has(mended.text)) continue;
        carryFrom(k, c.text, confidenceOf[k].get(c.text), mended.text);
        cands.push({ ...scored(mended.text, mended.check, true), recovered: true });
        break;
      }
    }
    const best = cands[pickCandidate(cands)];
    if (!o.keepIfBetter) return best;
    const current = scored(now, checks[texts.length], false);
    return pickCandidate([best, current]) === 0 ? best : undefined;
  }));
  const texts = picked.map((c) => c?.text);
  const errors = picked.map((c) => c?.errors);
  const confidence = texts.map((t, k) => (t === undefined ? undefined : confidenceOf[k].get(t)));
  return { texts, confidence, errors, oks: picked.map((c) => c && c.ok && !c.blanks), variants: picked.filter((c) => c?.variant).length,
    recovered: picked.filter((c) => c?.recovered).length, nfe, rows: raw.length };
}

/** Where a check's syntax errors sit, as offsets into the fill (the check's ranges are in document offsets). */
function errorsInFill(check: FillValidation, span: OffsetRange): OffsetRange[] {
  return check.errorRanges.map((r) => ({ start: Math.max(0, r.start - span.start), end: Math.max(0, r.end - span.start) }));
}
