/**
 * The syntax repair of an edit's first fill, as a table of stages run in order by one driver
 * (`SyntaxRepair.run`), each writing what it spent and what it left to one ledger:
 *  - `blank-refill`: chunks that came back blank are filled again;
 *  - `local-rounds`: the lines under the errors are re-masked and filled again, several sampled
 *    candidates each, the best-parsing one kept, widening each round;
 *  - `chunk-refill`: the small chunks still broken are filled again from scratch, warmer each try;
 *  - `parser-recovery`: the parser's own recovery of what is still broken.
 * Off by default (engine/effort.ts): on held-out code no stage raised exact match or edit
 * similarity (models/training/ablations_repair.md); it is there for those who want fills that parse.
 */
import type { FillBackend, OffsetRange, SamplerOptions } from '../core/types';
import { carryChars } from '../core/confidence';
import { lineEndAt, lineStartAt } from '../core/indent';
import { chunkRange, recoverFill, validateFill } from '../syntax';
import type { FillValidation } from '../syntax/validate';
import { allotCandidates, fillSpans, RowBudget } from './candidates';
import type { RegionText } from './region';

/** Candidates per re-filled span: enough that one of them usually parses, one batch for two spans. */
export const DEFAULT_CANDIDATES = 4;
/**
 * Candidates of the last resort, a broken chunk filled again from scratch: a whole chunk parses less
 * often than a re-masked line, so it gets more draws.
 */
export const FINAL_CANDIDATES = 8;
/**
 * Sampling temperature of each whole-chunk re-fill of the last resort, in turn: draws that failed at
 * one temperature are mostly the same mistake again, a warmer one spreads them.
 */
export const FINAL_TEMPERATURES = [0.4, 0.7, 1.0];
/**
 * Canvas tokens of a chunk the last resort fills again whole: about a statement or two, the size
 * whose fills the default model gets well-formed most of the time. A larger broken chunk is left to
 * the rounds and the parser's recovery.
 */
export const WHOLE_REFILL_TOKENS = 64;
/** Sampling temperature of the repair rounds at least (a greedy re-fill repeats its mistake). */
export const REPAIR_TEMPERATURE = 0.4;

/** Canvas rows a repair may fill by default: a few rounds for a small edit, eight per chunk beyond. */
export function defaultRepairRows(chunks: number): number {
  return 48 + 8 * chunks;
}

/** The repair's stages, in the order they run. */
export const REPAIR_STAGES = ['blank-refill', 'local-rounds', 'chunk-refill', 'parser-recovery'] as const;
export type RepairStage = (typeof REPAIR_STAGES)[number];

/** One row of the repair's table: a stage, the tries it gets, and what one try does (false: nothing to work on). */
interface StageRow {
  readonly name: RepairStage;
  readonly tries: number;
  readonly run: (t: number) => Promise<boolean | void>;
}

/** What one repair stage spent and achieved over an edit. */
export interface StageLedger {
  readonly stage: RepairStage;
  /** Times the stage ran (a refill stage runs once per try). */
  runs: number;
  /** Model calls and canvas rows it spent, and its wall time. */
  calls: number;
  rows: number;
  ms: number;
  /** Syntax errors around the region before its first run and after its last. */
  errorsBefore: number;
  errorsAfter: number;
}

/** How hard the repair may work (engine/effort.ts gives them per effort). */
export interface RepairLimits {
  /** Local rounds after the first fill (default 3); 0 = no syntax repair at all. */
  readonly repairRounds?: number;
  /** Sampled candidates per re-filled span, the best-parsing kept (default DEFAULT_CANDIDATES). */
  readonly candidates?: number;
  /** Canvas rows the repair may fill in all (default defaultRepairRows(chunks)). */
  readonly repairRows?: number;
  /** Wall-clock time after which no more repair is started, ms from the edit's start (no limit by default). */
  readonly repairBudgetMs?: number;
  /** Model calls the repair may spend, as a share of the first fill's (no limit by default; 1 = fast effort). */
  readonly repairCallsShare?: number;
  /**
   * Time the repair may add after the first fill: `share` of the first fill's time, and at least
   * `minMs` (no limit by default). No batch is started that would end past it at the first fill's
   * pace per model call.
   */
  readonly repairTime?: { readonly share: number; readonly minMs: number };
  /** Sampler settings of the repair rounds over the fill's (temperature at least REPAIR_TEMPERATURE). */
  readonly repairSampler?: Partial<SamplerOptions>;
  /** When the rounds leave errors, fill the small broken chunks again from scratch (default true). */
  readonly finalRefill?: boolean;
  /** Stages left out (for the ablation that decides which earn their place). */
  readonly skipStages?: readonly RepairStage[];
}

/** The edit as its first fill left it: what the repair works on. */
export interface RepairInput extends RepairLimits {
  readonly docText: string;
  readonly languageId: string;
  /** The region the edit replaces, in `docText`. */
  readonly range: OffsetRange;
  /** Its chunks, in `docText`, and the region's text with each chunk's fill (mutated by the repair). */
  readonly chunks: readonly OffsetRange[];
  readonly region: RegionText;
  /** The edit is a pure insertion (an empty range). */
  readonly insertion: boolean;
  /** Canvas tokens of an insertion's fill. */
  readonly maxTokens?: number;
  readonly sampler: SamplerOptions;
  readonly count: (text: string) => number;
  /** Canvas tokens one span may take; a longer one is cut at syntax boundaries. */
  readonly budgetTokens: number;
  /** Rows per model call. */
  readonly batchRows: number;
  /** Model calls of the first fill, and ms from the edit's start to the fill's end (anchoring and chunking included). */
  readonly firstNfe: number;
  readonly firstMs: number;
  /** `performance.now()` when the edit started (the time budget counts from there). */
  readonly startedAt: number;
  /** A chunk's fill as the edit keeps it (re-indented). */
  readonly shapeChunk: (k: number, fill: string) => string;
  readonly onPhase?: (phase: string) => void;
  readonly signal?: AbortSignal;
}

export interface RepairOutcome {
  readonly check: FillValidation;
  /** The first fill parsed and no chunk came back blank. */
  readonly okBefore: boolean;
  readonly rounds: number;
  /** Model calls and canvas rows the repair spent. */
  readonly nfe: number;
  readonly rows: number;
  readonly variantFills: number;
  readonly recovered: boolean;
  readonly ledger: readonly StageLedger[];
}

/** Runs the repair over an edit's first fill; `input.region` holds the result afterwards. */
export async function repairSyntax(backend: FillBackend, input: RepairInput): Promise<RepairOutcome> {
  return new SyntaxRepair(backend, input).run();
}

class SyntaxRepair {
  private check!: FillValidation;
  private budget!: RowBudget;
  private nfe = 0;
  private rounds = 0;
  private variantFills = 0;
  private recovered = false;
  private readonly ledger = new Map<RepairStage, StageLedger>();
  private readonly region: RegionText;
  private readonly candidates: number;
  private readonly originalBlank: boolean;
  private readonly repairSteps: number;
  private readonly repairCalls: number | undefined;
  /** The first fill's time per model call, and the time the repair may add after it (undefined: no limit). */
  private readonly callMs: number;
  private readonly addMs: number | undefined;

  constructor(private readonly backend: FillBackend, private readonly o: RepairInput) {
    this.region = o.region;
    this.candidates = Math.max(1, Math.floor(o.candidates ?? DEFAULT_CANDIDATES));
    this.originalBlank = !o.insertion && o.docText.slice(o.range.start, o.range.end).trim() === '';
    // The repair may spend at most `repairCallsShare` times the first fill's model calls, and add
    // `repairTime` (fast effort): its batches then take no more steps than that allows.
    this.repairCalls = o.repairCallsShare === undefined ? undefined : Math.max(0, Math.floor(o.firstNfe * o.repairCallsShare));
    this.callMs = o.firstMs / Math.max(1, o.firstNfe);
    this.addMs = o.repairTime === undefined ? undefined : Math.max(o.repairTime.minMs, o.firstMs * o.repairTime.share);
    const timeCalls = this.addMs === undefined ? Infinity : Math.floor(this.addMs / Math.max(1e-3, this.callMs));
    this.repairSteps = Math.max(1, Math.min(o.repairSampler?.steps ?? o.sampler.steps, this.repairCalls ?? Infinity, timeCalls));
  }

  async run(): Promise<RepairOutcome> {
    const o = this.o;
    const maxRounds = o.repairRounds ?? 3;
    const finalRefill = (o.finalRefill ?? true) && maxRounds > 0;
    // A chunk that came back blank deleted code nobody asked to delete (or, for an insertion,
    // inserted nothing): it is filled again first.
    const blank = o.chunks.map((_, k) => k).filter((k) => this.blanksChunk(k, this.region.chunkText(k)));
    o.onPhase?.('checking syntax');
    this.check = await this.validate();
    const okBefore = this.check.ok && blank.length === 0;
    // The time limits: from the edit's start (repairBudgetMs), and the time the repair may add
    // after the first fill (repairTime), at the first fill's pace per model call.
    const deadline = Math.min(o.repairBudgetMs === undefined ? Infinity : o.startedAt + o.repairBudgetMs,
      this.addMs === undefined ? Infinity : o.startedAt + o.firstMs + this.addMs);
    this.budget = new RowBudget(o.repairRows ?? defaultRepairRows(o.chunks.length), Number.isFinite(deadline) ? deadline : undefined,
      this.repairCalls === undefined ? undefined : { cap: this.repairCalls, perBatch: this.repairSteps, batchRows: o.batchRows },
      this.addMs === undefined ? undefined : this.callMs);

    // The table: each stage in order, its tries, and what one try does. A try that finds nothing
    // to work on ends its stage; a stage is skipped once the region parses, the budget is spent,
    // or the edit was cancelled (`stage`).
    const table: readonly StageRow[] = [
      { name: 'blank-refill', tries: blank.length ? 1 : 0, run: async () => {
        this.rounds++;
        await this.refillChunks(blank, this.candidates);
      } },
      // The local rounds leave half of what is left (rows, calls, time) to the last resort, so
      // rounds that make no headway cannot starve it.
      { name: 'local-rounds', tries: 1, run: () => this.localRounds(maxRounds, finalRefill ? Math.floor(this.budget.left / 2) : 0) },
      // The last resort: the small chunks still broken are filled again from scratch, warmer each
      // try (FINAL_TEMPERATURES).
      { name: 'chunk-refill', tries: finalRefill ? FINAL_TEMPERATURES.length : 0, run: (t) => this.chunkRefill(t) },
      { name: 'parser-recovery', tries: finalRefill && this.check.checked ? 1 : 0, run: () => this.parserRecovery() },
    ];
    for (const row of table) {
      for (let t = 0; t < row.tries; t++) if (!(await this.stage(row.name, () => row.run(t)))) break;
    }
    return {
      check: this.check,
      okBefore,
      rounds: this.rounds,
      nfe: this.nfe,
      rows: this.budget.used,
      variantFills: this.variantFills,
      recovered: this.recovered,
      ledger: REPAIR_STAGES.map((name) => this.ledger.get(name)).filter((e): e is StageLedger => e !== undefined),
    };
  }

  /**
   * Runs one try of a stage, unless it was asked to be skipped or there is nothing left to do (the
   * region parses, the budget is spent, or the edit was cancelled), and writes its ledger. False
   * when it did not run or found nothing to work on: the stage's later tries are skipped.
   */
  private async stage(name: RepairStage, run: () => Promise<boolean | void>): Promise<boolean> {
    const idle = name === 'parser-recovery' ? this.check.ok : this.budget.left <= 0 || (this.check.ok && name !== 'blank-refill');
    if (this.o.skipStages?.includes(name) || idle || this.o.signal?.aborted) return false;
    const before = { nfe: this.nfe, rows: this.budget.used, errors: this.check.errorsAfter, t: performance.now() };
    if ((await run()) === false) return false;
    const entry = this.ledger.get(name) ?? { stage: name, runs: 0, calls: 0, rows: 0, ms: 0, errorsBefore: before.errors, errorsAfter: before.errors };
    entry.runs++;
    entry.calls += this.nfe - before.nfe;
    entry.rows += this.budget.used - before.rows;
    entry.ms += performance.now() - before.t;
    entry.errorsAfter = this.check.errorsAfter;
    this.ledger.set(name, entry);
    return true;
  }

  /** Try `t` of the last resort: the small chunks still broken filled again from scratch; false when there are none. */
  private async chunkRefill(t: number): Promise<boolean> {
    const o = this.o;
    const small = this.brokenChunks().filter((k) => o.insertion || o.count(o.docText.slice(o.chunks[k].start, o.chunks[k].end)) <= WHOLE_REFILL_TOKENS);
    if (!small.length) return false;
    this.rounds++;
    o.onPhase?.(`filling ${small.length} broken chunk${small.length === 1 ? '' : 's'} again (try ${t + 1})`);
    await this.refillChunks(small, Math.max(this.candidates, FINAL_CANDIDATES), FINAL_TEMPERATURES[t], t === FINAL_TEMPERATURES.length - 1);
    return true;
  }

  private validate(): Promise<FillValidation> {
    return validateFill(this.o.docText, this.o.languageId, this.o.range, this.region.text);
  }

  private sampler(temperature = REPAIR_TEMPERATURE): SamplerOptions {
    const o = this.o;
    return { ...o.sampler, ...o.repairSampler, steps: this.repairSteps,
      temperature: Math.max(o.repairSampler?.temperature ?? o.sampler.temperature, temperature), seed: o.sampler.seed + 1000 * this.rounds };
  }

  /** An insertion that comes back empty answers nothing, like a rewrite that blanks its code. */
  private blanksRegion(span: OffsetRange, text: string): boolean {
    return (this.o.insertion || !this.originalBlank) && this.region.textWith(span, text).trim() === '';
  }

  private blanksChunk(k: number, text: string): boolean {
    const c = this.o.chunks[k];
    return text.trim() === '' && (this.o.insertion || this.o.docText.slice(c.start, c.end).trim() !== '');
  }

  /** The chunks that a syntax error of the current check touches. */
  private brokenChunks(): number[] {
    return this.o.chunks.map((_, k) => k).filter((k) => this.check.errorRanges.some((r) => overlaps(r, this.region.chunkSpan(k))));
  }

  private account(res: { nfe: number; rows: number; variants: number; recovered: number }): void {
    this.nfe += res.nfe;
    this.variantFills += res.variants;
    this.recovered ||= res.recovered > 0;
    this.budget.spend(res.rows, res.nfe);
  }

  /** Chunks `which` filled again from scratch, `wanted` candidates each, then the region checked. */
  private async refillChunks(which: readonly number[], wanted: number, temperature?: number, recover = false): Promise<void> {
    const o = this.o;
    const spans = which.map((k) => this.region.chunkSpan(k));
    const originals = which.map((k) => o.docText.slice(o.chunks[k].start, o.chunks[k].end));
    const res = await fillSpans(this.backend, {
      doc: this.region.doc, languageId: o.languageId, spans, counts: allotCandidates(which.map((k) => o.chunks[k].end - o.chunks[k].start), wanted, this.budget.left),
      originals, toward: o.insertion ? undefined : originals, maxTokens: o.maxTokens,
      sampler: this.sampler(temperature), batchRows: o.batchRows, shape: (j, text) => o.shapeChunk(which[j], text), mayStart: (calls) => this.budget.affords(calls),
      blanks: (j, text) => this.blanksChunk(which[j], text) || this.blanksRegion(spans[j], text), keepIfBetter: true, recover, signal: o.signal,
    });
    this.account(res);
    this.region.replaceChunks(which, res.texts, res.confidence);
    this.check = await this.validate();
  }

  /**
   * Up to `limit` rounds that re-mask the lines under the errors (widening each round) and fill them
   * again, in the document as it now stands, several candidates each, keeping the one that parses
   * best; they stop when a round took no error away, or at `reserve` rows left.
   */
  private async localRounds(limit: number, reserve: number): Promise<void> {
    const o = this.o;
    let errorsBefore = Infinity;
    for (let round = 0; round < limit && !this.check.ok && this.budget.left > reserve && !o.signal?.aborted; round++) {
      // A round that took no error away will not be helped by a wider one.
      if (this.check.errorsAfter >= errorsBefore) break;
      errorsBefore = this.check.errorsAfter;
      this.rounds++;
      o.onPhase?.(`repairing syntax (${this.check.errorsAfter} error${this.check.errorsAfter === 1 ? '' : 's'}, round ${this.rounds})`);
      const doc = this.region.doc;
      const end = o.range.start + this.region.text.length;
      const merged = mergeSpans(this.check.errorRanges.map((r) => widen(doc, r, round, o.range.start, end)));
      // A span that grew past one canvas is cut like the first fill was: at syntax boundaries.
      const spans: OffsetRange[] = [];
      for (const m of merged) {
        if (o.count(doc.slice(m.start, m.end)) <= o.budgetTokens) spans.push(m);
        else spans.push(...(await chunkRange(doc, o.languageId, m, { maxSize: o.budgetTokens, measure: o.count })).chunks);
      }
      const res = await fillSpans(this.backend, {
        doc, languageId: o.languageId, spans, counts: allotCandidates(spans.map((s) => s.end - s.start), this.candidates, this.budget.left - reserve),
        sampler: this.sampler(), batchRows: o.batchRows, blanks: (k, text) => this.blanksRegion(spans[k], text), keepIfBetter: true,
        mayStart: (calls) => this.budget.affords(calls), signal: o.signal,
      });
      this.account(res);
      this.region.replaceAll(spans, res.texts, res.confidence);
      this.check = await this.validate();
    }
  }

  /**
   * The parser's own recovery of the region as it stands (the text it could not fit taken out,
   * missing tokens written in), where that keeps half of the region's code. The region's own code
   * given back is no fill: the broken fill then stays, reported as broken.
   */
  private async parserRecovery(): Promise<void> {
    const o = this.o;
    o.onPhase?.('parser recovery');
    const region = this.region;
    const mended = await recoverFill(o.docText, o.languageId, o.range, region.text, { replaced: o.docText.slice(o.range.start, o.range.end) });
    if (mended === undefined || this.blanksRegion(o.range, mended.text)) return;
    region.replaceAll([{ start: o.range.start, end: o.range.start + region.text.length }], [mended.text], [carryChars(region.text, region.confidence, mended.text)]);
    this.check = mended.check;
    this.variantFills++;
    this.recovered = true;
  }
}

function overlaps(a: OffsetRange, b: OffsetRange): boolean {
  return a.start < b.end && b.start < a.end || (a.start === a.end && a.start >= b.start && a.start <= b.end);
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
