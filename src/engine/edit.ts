/**
 * One edit, end to end: anchor the range to syntax, split it into chunks that fit the canvas, fill
 * the chunks in batches, re-indent, validate the parse, and repair what broke: chunks that came back
 * blank and the lines under syntax errors are filled again, several sampled candidates each, the
 * best-parsing one kept, their variants (core/fillVariants) included when none parses
 * (bounded rounds, and a budget of canvas rows so a whole file finishes). When the local rounds stop
 * taking errors away, the chunks still broken are filled again from scratch, from rows the local
 * rounds may not spend: a small chunk whole, more candidates each; and when that is not enough for
 * a large region, the whole region in pieces of about a statement, each piece filled anew and
 * parsed between its neighbours before it is kept.
 * Used by the extension and the CLI alike; the backend may be local or remote.
 */
import type { FillBackend, FillRequest, OffsetRange, SamplerOptions, StepEvent, TokenConfidence } from '../core/types';
import { carryChars, toChars, toSpans } from '../core/confidence';
import type { AnchoringMode } from '../core/anchor';
import { lineEndAt, lineStartAt } from '../core/indent';
import { trimRange } from '../core/anchor';
import { anchorRange, chunkRange, pieceRanges, recoverFill, reindent, validateFill } from '../syntax';
import { allotCandidates, fillSpans, RowBudget } from './candidates';
import { RegionText } from './region';

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
 * Canvas tokens of one piece when the last resort re-fills a large region in pieces: about a
 * statement or two, the size whose fills the default model gets well-formed most of the time.
 */
export const FINE_TOKENS = 64;
/** Local rounds after a chunk was re-filled in pieces, for the pieces that still do not parse. */
export const FINE_ROUNDS = 2;
/**
 * Draws of each piece at most: the first with half the candidates, each later one, for the pieces
 * still broken against their neighbours' code, with all of them and PIECE_WARMING warmer.
 */
export const PIECE_TRIES = 3;
export const PIECE_WARMING = 0.2;
/** Canvas rows the last resort sets aside per piece: two for its first draw, the rest for redraws. */
export const PIECE_ROWS = 5;
/** Pieces one last resort may fill at most (a larger stretch of broken chunks is left to the rounds). */
export const MAX_PIECES = 64;
/** Sampling temperature of the repair rounds at least (a greedy re-fill repeats its mistake). */
export const REPAIR_TEMPERATURE = 0.4;

/** Canvas rows a repair may fill by default: a few rounds for a small edit, eight per chunk beyond (a large chunk's pieces). */
export function defaultRepairRows(chunks: number): number {
  return 48 + 8 * chunks;
}

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
  /** Syntax-guided re-masking rounds after the first fill (default 3); 0 = no syntax repair at all. */
  readonly repairRounds?: number;
  /** Sampled candidates per re-filled span, the best-parsing kept (default DEFAULT_CANDIDATES). */
  readonly candidates?: number;
  /** Canvas rows the repair may fill in all (default defaultRepairRows(chunks)). */
  readonly repairRows?: number;
  /** Wall-clock time after which no more repair is started, ms from the edit's start (no limit by default). */
  readonly repairBudgetMs?: number;
  /** Model calls the repair may spend, as a share of the first fill's (no limit by default; 1 = fast effort). */
  readonly repairCallsShare?: number;
  /** Sampler settings of the repair rounds over `sampler` (temperature at least REPAIR_TEMPERATURE). */
  readonly repairSampler?: Partial<SamplerOptions>;
  /** When the rounds leave errors, fill the broken chunks again from scratch (default true). */
  readonly finalRefill?: boolean;
  /** Repair stages left out (for the ablation that decides which earn their place). */
  readonly skipStages?: readonly RepairStage[];
  readonly onStep?: (e: StepEvent & { chunkRanges: readonly OffsetRange[] }) => void;
  /** What the edit is doing once the first fill is in (checking syntax, repairing), for progress. */
  readonly onPhase?: (phase: string) => void;
  readonly signal?: AbortSignal;
}

/**
 * The syntax repair's stages, in the order they run (see runEdit):
 *  - `blank-refill`: chunks that came back blank are filled again;
 *  - `local-rounds`: the lines under the errors are re-masked and filled again, widening each round;
 *  - `chunk-refill`: the small broken chunks are filled again from scratch, warmer each try;
 *  - `piece-refill`: a large broken region is filled again in pieces of about a statement;
 *  - `parser-recovery`: the parser's own recovery of what is still broken.
 */
export const REPAIR_STAGES = ['blank-refill', 'local-rounds', 'chunk-refill', 'piece-refill', 'parser-recovery'] as const;
export type RepairStage = (typeof REPAIR_STAGES)[number];

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

export interface EditResult {
  readonly range: OffsetRange;
  readonly newText: string;
  /** The model's confidence in the tokens of `newText` it wrote (core/confidence); absent when the backend gives none. */
  readonly confidence?: readonly TokenConfidence[];
  readonly syntaxOk: boolean;
  /** Syntax was checked (false for languages without a grammar). */
  readonly syntaxChecked: boolean;
  readonly syntaxOkBeforeRepair: boolean;
  readonly repairRounds: number;
  /** Model calls the repair made (after the first fill). */
  readonly repairNfe: number;
  /** Canvas rows the repair filled (each candidate of each span is one row). */
  readonly repairRows: number;
  /** Repaired spans whose kept text is a variant (core/fillVariants) of a sampled fill. */
  readonly variantFills: number;
  /** Some of the model's text was taken out by the parser's recovery (syntax/recoverFill): of a span's last draw, or of the region at the end. */
  readonly recovered: boolean;
  /** Per repair stage that ran, in stage order: what it spent and what it left. */
  readonly ledger: readonly StageLedger[];
  readonly chunks: number;
  readonly nfe: number;
  readonly ms: number;
  readonly notice?: string;
}

export async function runEdit(backend: FillBackend, o: EditOptions): Promise<EditResult> {
  const t0 = performance.now();
  const anchor = await anchorRange(o.docText, o.languageId, o.range, o.anchoring);
  const range = anchor.range;
  const count = o.countTokens ?? (backend.countTokens ? (t: string) => backend.countTokens!(t) : (t: string) => Math.ceil(t.length / 2));
  const slack = o.slack ?? 0.25;
  const budgetTokens = Math.floor((o.maxCanvasTokens - 4) / (1 + slack));
  const insertion = range.start === range.end;
  const chunks = insertion ? [range] : (await chunkRange(o.docText, o.languageId, range, { maxSize: budgetTokens, measure: count })).chunks;
  const requests: FillRequest[] = chunks.map((c) => ({
    prefix: o.docText.slice(0, c.start),
    suffix: o.docText.slice(c.end),
    original: insertion ? undefined : o.docText.slice(c.start, c.end),
    maxTokens: insertion ? (o.maxTokens ?? 64) : undefined,
    languageId: o.languageId,
  }));
  let nfe = 0;
  let variantFills = 0;
  const fills: string[] = [];
  // Per chunk: the model's confidence in each character of its fill (undefined: the backend gives none).
  const fillConfidence: Array<Float32Array | undefined> = [];
  const size = Math.max(1, o.batchSize ?? 8);
  for (let i = 0; i < requests.length; i += size) {
    const part = requests.slice(i, i + size);
    const out = await backend.fill(part, o.sampler, {
      signal: o.signal,
      onStep: o.onStep ? (e) => o.onStep?.({ ...e, chunkRanges: chunks.slice(i, i + size) }) : undefined,
    });
    nfe += out.nfe;
    fills.push(...out.texts);
    out.texts.forEach((t, j) => fillConfidence.push(out.confidence ? toChars(t.length, out.confidence[j]) : undefined));
  }
  const withConfidence = fillConfidence.some((c) => c !== undefined);
  // A pure insertion has no anchor line to take indentation from: the model's own is kept.
  const shapeChunk = (k: number, fill: string): string => insertion ? fill
    : reindent(fill, anchor.indent, { startsMidLine: chunks[k].start !== lineStartAt(o.docText, chunks[k].start) });
  const pieces = fills.map((f, k) => shapeChunk(k, f));
  const region = new RegionText(o.docText, range, pieces, pieces.map((p, k) => fillConfidence[k] && carryChars(fills[k], fillConfidence[k]!, p)));
  const n = Math.max(1, Math.floor(o.candidates ?? DEFAULT_CANDIDATES));
  const maxRounds = o.repairRounds ?? 3;
  const finalRefill = (o.finalRefill ?? true) && maxRounds > 0;
  const regionLarge = !insertion && count(o.docText.slice(range.start, range.end)) > FINE_TOKENS;
  // The last resort's pieces of a stretch of chunks (`first:last`), cut once, on the original document.
  const piecesOf = new Map<string, readonly OffsetRange[]>();
  const stretchPieces = async (first: number, last: number): Promise<readonly OffsetRange[]> => {
    const key = `${first}:${last}`;
    if (!piecesOf.has(key)) {
      const cut = (await pieceRanges(o.docText, o.languageId, [{ start: chunks[first].start, end: chunks[last].end }], FINE_TOKENS, count))[0];
      piecesOf.set(key, cut.map((c) => trimRange(o.docText, c)).filter((c) => c.end > c.start));
    }
    return piecesOf.get(key)!;
  };
  const originalBlank = !insertion && o.docText.slice(range.start, range.end).trim() === '';
  // An insertion that comes back empty answers nothing, like a rewrite that blanks its code.
  const blanksRegion = (span: OffsetRange, text: string): boolean => (insertion || !originalBlank) && region.textWith(span, text).trim() === '';
  const firstNfe = nfe;
  // The repair may spend at most `repairCallsShare` times the first fill's model calls (fast effort):
  // its batches then take no more steps than that allows.
  const repairCalls = o.repairCallsShare === undefined ? undefined : Math.max(0, Math.floor(firstNfe * o.repairCallsShare));
  const repairSteps = Math.max(1, Math.min(o.repairSampler?.steps ?? o.sampler.steps, repairCalls ?? Infinity));
  const repairSampler = (round: number, temperature = REPAIR_TEMPERATURE): SamplerOptions =>
    ({ ...o.sampler, ...o.repairSampler, steps: repairSteps, temperature: Math.max(o.repairSampler?.temperature ?? o.sampler.temperature, temperature), seed: o.sampler.seed + 1000 * round });
  const refillChunks = async (which: number[], round: number, wanted: number, temperature?: number, rows = budget.left, recover = false): Promise<void> => {
    const spans = which.map((k) => region.chunkSpan(k));
    const originals = which.map((k) => o.docText.slice(chunks[k].start, chunks[k].end));
    const res = await fillSpans(backend, {
      doc: region.doc, languageId: o.languageId, spans, counts: allotCandidates(which.map((k) => chunks[k].end - chunks[k].start), wanted, Math.min(rows, budget.left)),
      originals, toward: insertion ? undefined : originals, maxTokens: requests[0].maxTokens,
      sampler: repairSampler(round, temperature), batchRows: size, shape: (j, text) => shapeChunk(which[j], text),
      blanks: (j, text) => blanksChunk(which[j], text) || blanksRegion(spans[j], text), keepIfBetter: true, recover, signal: o.signal,
    });
    nfe += res.nfe;
    variantFills += res.variants;
    recovered ||= res.recovered > 0;
    budget.spend(res.rows, res.nfe);
    region.replaceChunks(which, res.texts, res.confidence);
  };
  const blanksChunk = (k: number, text: string): boolean =>
    text.trim() === '' && (insertion || o.docText.slice(chunks[k].start, chunks[k].end).trim() !== '');

  let rounds = 0;
  let recovered = false;
  // A chunk that came back blank deleted code nobody asked to delete (or, for an insertion, inserted
  // nothing): it is filled again first.
  const blank = chunks.map((_, k) => k).filter((k) => blanksChunk(k, region.chunkText(k)));
  o.onPhase?.('checking syntax');
  let check = await validateFill(o.docText, o.languageId, range, region.text);
  const okBefore = check.ok && blank.length === 0;
  // A large region's last resort fills it in pieces; the rows they need are added to the budget and
  // set aside from the start (counted on the whole region), so the rounds before it cannot spend
  // them. A region of more pieces than one last resort may fill (a whole file) gets none set aside.
  const regionPieces = !okBefore && regionLarge && finalRefill ? (await stretchPieces(0, chunks.length - 1)).length : 0;
  const pieceRows = regionPieces <= MAX_PIECES ? PIECE_ROWS * regionPieces : 0;
  const budget = new RowBudget(o.repairRows ?? defaultRepairRows(chunks.length) + pieceRows, o.repairBudgetMs === undefined ? undefined : t0 + o.repairBudgetMs,
    repairCalls === undefined ? undefined : { cap: repairCalls, perBatch: repairSteps, batchRows: size });
  // Each stage runs through `stage`, which skips it when asked to and writes its ledger.
  const skip = new Set(o.skipStages ?? []);
  const ledger = new Map<RepairStage, StageLedger>();
  const stage = async (name: RepairStage, run: () => Promise<void>): Promise<void> => {
    if (skip.has(name)) return;
    const before = { nfe, rows: budget.used, errors: check.errorsAfter, t: performance.now() };
    await run();
    const entry = ledger.get(name) ?? { stage: name, runs: 0, calls: 0, rows: 0, ms: 0, errorsBefore: before.errors, errorsAfter: before.errors };
    entry.runs++;
    entry.calls += nfe - before.nfe;
    entry.rows += budget.used - before.rows;
    entry.ms += performance.now() - before.t;
    entry.errorsAfter = check.errorsAfter;
    ledger.set(name, entry);
  };
  if (blank.length && budget.left > 0 && !o.signal?.aborted) {
    await stage('blank-refill', async () => {
      rounds++;
      await refillChunks(blank, rounds, n);
      check = await validateFill(o.docText, o.languageId, range, region.text);
    });
  }
  const finalCandidates = Math.max(n, FINAL_CANDIDATES);

  /**
   * Up to `limit` rounds that re-mask the lines under the errors (widening each round) and fill them
   * again, in the document as it now stands, several candidates each, keeping the one that parses
   * best; they stop when a round took no error away, or at `reserve` rows left.
   */
  const localRounds = async (limit: number, reserve: number): Promise<void> => {
    let errorsBefore = Infinity;
    for (let round = 0; round < limit && !check.ok && budget.left > reserve && !o.signal?.aborted; round++) {
      // A round that took no error away will not be helped by a wider one.
      if (check.errorsAfter >= errorsBefore) break;
      errorsBefore = check.errorsAfter;
      rounds++;
      o.onPhase?.(`repairing syntax (${check.errorsAfter} error${check.errorsAfter === 1 ? '' : 's'}, round ${rounds})`);
      const doc = region.doc;
      const end = range.start + region.text.length;
      const merged = mergeSpans(check.errorRanges.map((r) => widen(doc, r, round, range.start, end)));
      // A span that grew past one canvas is cut like the first fill was: at syntax boundaries.
      const spans: OffsetRange[] = [];
      for (const m of merged) {
        if (count(doc.slice(m.start, m.end)) <= budgetTokens) spans.push(m);
        else spans.push(...(await chunkRange(doc, o.languageId, m, { maxSize: budgetTokens, measure: count })).chunks);
      }
      const res = await fillSpans(backend, {
        doc, languageId: o.languageId, spans, counts: allotCandidates(spans.map((s) => s.end - s.start), n, budget.left - reserve),
        sampler: repairSampler(rounds), batchRows: size, blanks: (k, text) => blanksRegion(spans[k], text), keepIfBetter: true, signal: o.signal,
      });
      nfe += res.nfe;
      variantFills += res.variants;
      recovered ||= res.recovered > 0;
      budget.spend(res.rows, res.nfe);
      region.replaceAll(spans, res.texts, res.confidence);
      check = await validateFill(o.docText, o.languageId, range, region.text);
    }
  };

  /**
   * The last resort for a large region: the stretch of it from the first broken chunk to the last
   * is put back to the code it replaces, cut between statements into pieces of about FINE_TOKENS
   * (core/pieces.ts, cut once per stretch, on the original document), and every piece
   * is filled anew, in two waves: the even pieces first, each against its neighbours' code, then
   * the odd ones between the even pieces' new text, so every seam between two new pieces is parsed
   * before it is kept. Within a wave a piece that comes back broken is drawn again (PIECE_TRIES),
   * more candidates and warmer, while the others keep theirs; local rounds then mend what is still
   * broken. A small model that cannot write two hundred well-formed tokens in one go usually
   * writes fifty. Kept only if the region ends up with no more errors than before; nothing is done
   * when the budget cannot give every piece a candidate (or the stretch has over MAX_PIECES), so no
   * piece is left holding the code it was to replace.
   */
  const refillPieces = async (which: readonly number[], temperature: number): Promise<void> => {
    // The stretch from the first broken chunk to the last.
    const first = Math.min(...which);
    const last = Math.max(...which);
    const pieces = await stretchPieces(first, last);
    if (!pieces.length || pieces.length > MAX_PIECES || pieces.length > budget.left) return;
    const saved = region.save();
    const savedCheck = check;
    const stretch = chunks.map((_, k) => k).filter((k) => k >= first && k <= last);
    region.replaceChunks(stretch, stretch.map((k) => o.docText.slice(chunks[k].start, chunks[k].end)));
    // The stretch as gaps and pieces: piece i lies after gaps[0..i] and the pieces before it.
    const from = region.chunkSpan(first).start;
    const texts = pieces.map((c) => o.docText.slice(c.start, c.end));
    const gaps = pieces.map((c, i) => o.docText.slice(i ? pieces[i - 1].end : chunks[first].start, c.start));
    const spanOf = (i: number): OffsetRange => {
      let at = from;
      for (let j = 0; j < i; j++) at += gaps[j].length + texts[j].length;
      at += gaps[i].length;
      return { start: at, end: at + texts[i].length };
    };
    const undo = (): void => {
      region.restore(saved);
      check = savedCheck;
    };
    for (const parity of [0, 1]) {
      const wave = pieces.map((_, i) => i).filter((i) => i % 2 === parity);
      if (!wave.length) continue;
      const kept = new Map<number, { text: string; errors: number; confidence?: Float32Array }>();
      let pending = wave;
      const doc = region.doc;
      for (let attempt = 0; attempt < PIECE_TRIES && pending.length && budget.left > 0 && !o.signal?.aborted; attempt++) {
        rounds++;
        const part = pending.map(spanOf);
        const res = await fillSpans(backend, {
          doc, languageId: o.languageId, spans: part, toward: part.map((c) => doc.slice(c.start, c.end)),
          counts: allotCandidates(part.map((s) => s.end - s.start), attempt === 0 ? Math.max(1, Math.ceil(n / 2)) : n, budget.left),
          sampler: repairSampler(rounds, Math.min(1, temperature + PIECE_WARMING * attempt)), batchRows: size,
          blanks: (j, text) => text.trim() === '' || blanksRegion(part[j], text), keepIfBetter: false,
          recover: attempt === PIECE_TRIES - 1, signal: o.signal,
        });
        nfe += res.nfe;
        variantFills += res.variants;
        recovered ||= res.recovered > 0;
        budget.spend(res.rows, res.nfe);
        const settled = new Set<number>();
        pending.forEach((i, j) => {
          const text = res.texts[j];
          if (text === undefined) return;
          if (res.oks[j]) settled.add(i);
          if (res.oks[j] || res.errors[j]! < (kept.get(i)?.errors ?? Infinity)) kept.set(i, { text, errors: res.errors[j]!, confidence: res.confidence[j] });
        });
        pending = pending.filter((i) => !settled.has(i));
      }
      // Cancelled, or out of rows, before every piece had a fill: a piece without one still holds
      // the original code.
      if (wave.some((i) => !kept.has(i))) return undo();
      region.replaceAll(wave.map(spanOf), wave.map((i) => kept.get(i)!.text), wave.map((i) => kept.get(i)!.confidence));
      for (const i of wave) texts[i] = kept.get(i)!.text;
    }
    check = await validateFill(o.docText, o.languageId, range, region.text);
    await localRounds(FINE_ROUNDS, 0);
    if (check.errorsAfter > savedCheck.errorsAfter) undo();
  };

  /** The chunks that a syntax error of the current check touches. */
  const brokenChunks = (): number[] => chunks.map((_, k) => k).filter((k) => check.errorRanges.some((r) => overlaps(r, region.chunkSpan(k))));
  // Rows the local rounds leave for the last resort, so rounds that make no headway cannot starve it.
  await stage('local-rounds', () => localRounds(maxRounds, finalRefill ? Math.max(Math.floor(budget.rows / 2), Math.min(pieceRows, budget.rows - DEFAULT_CANDIDATES)) : 0));
  // Last resort within the budget: the chunks still broken are filled again from scratch, warmer
  // each time (FINAL_TEMPERATURES): the small ones whole, then, if the region is large and still
  // broken, all of it in syntax pieces.
  for (let tries = 0; tries < FINAL_TEMPERATURES.length && finalRefill && !check.ok && budget.left > 0 && !o.signal?.aborted; tries++) {
    const broken = brokenChunks();
    if (!broken.length) break;
    const small = broken.filter((k) => insertion || count(o.docText.slice(chunks[k].start, chunks[k].end)) <= FINE_TOKENS);
    // Before the pieces have had their turn, the whole re-fills of small chunks may not spend their rows.
    const spare = tries === 0 ? budget.left - pieceRows : budget.left;
    if (small.length && spare > 0) {
      await stage('chunk-refill', async () => {
        rounds++;
        o.onPhase?.(`filling ${small.length} broken chunk${small.length === 1 ? '' : 's'} again (try ${tries + 1})`);
        await refillChunks(small, rounds, finalCandidates, FINAL_TEMPERATURES[tries], spare, tries === FINAL_TEMPERATURES.length - 1);
        check = await validateFill(o.docText, o.languageId, range, region.text);
      });
    }
    if (regionLarge && !check.ok && budget.left > 0 && !o.signal?.aborted) {
      const still = brokenChunks();
      if (still.length) await stage('piece-refill', () => refillPieces(still, FINAL_TEMPERATURES[tries]));
    }
  }
  // Still broken: the parser's own recovery of the region as it stands (the text it could not fit
  // taken out, missing tokens written in), where that keeps half of the region's code.
  if (finalRefill && check.checked && !check.ok && !o.signal?.aborted) {
    await stage('parser-recovery', async () => {
      // The region's own code given back is no fill: the broken fill stays, reported as broken.
      o.onPhase?.('parser recovery');
      const mended = await recoverFill(o.docText, o.languageId, range, region.text, { replaced: o.docText.slice(range.start, range.end) });
      if (mended !== undefined && !blanksRegion(range, mended.text)) {
        region.replaceAll([{ start: range.start, end: range.start + region.text.length }], [mended.text], [carryChars(region.text, region.confidence, mended.text)]);
        check = mended.check;
        variantFills++;
        recovered = true;
      }
    });
  }
  return {
    range,
    newText: region.text,
    confidence: withConfidence ? toSpans(region.text, region.confidence) : undefined,
    syntaxOk: check.ok,
    syntaxChecked: check.checked,
    syntaxOkBeforeRepair: okBefore,
    repairRounds: rounds,
    repairRows: budget.used,
    repairNfe: nfe - firstNfe,
    variantFills,
    recovered,
    ledger: REPAIR_STAGES.map((name) => ledger.get(name)).filter((e): e is StageLedger => e !== undefined),
    chunks: chunks.length,
    nfe,
    ms: performance.now() - t0,
    notice: anchor.fellBackToLines ? `Syntax anchoring unavailable (${anchor.reason}); whole lines were used.` : undefined,
  };
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
