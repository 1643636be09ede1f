/**
 * One edit, end to end: anchor the range to syntax, split it into chunks that fit the canvas, fill
 * the chunks in batches, re-indent, and hand the result to the syntax repair (engine/syntaxRepair,
 * off by default), which validates the parse and mends what broke within its budget.
 * Used by the extension and the CLI alike; the backend may be local or remote.
 */
import type { FillBackend, FillRequest, OffsetRange, SamplerOptions, StepEvent, TokenConfidence } from '../core/types';
import { carryChars, toChars, toSpans } from '../core/confidence';
import type { AnchoringMode } from '../core/anchor';
import { endLikeOriginal, lineStartAt } from '../core/indent';
import { anchorRange, chunkRange, reindent } from '../syntax';
import { editSteps } from './defaults';
import { RegionText } from './region';
import { repairSyntax, type RepairLimits, type StageLedger } from './syntaxRepair';
import { chooseLineFill } from './analogFill';
import { lineHole } from '../core/analogs';
import type { OtherFiles } from '../core/lineIndex';
import type { RepairScorer } from './repair';

export interface EditOptions extends RepairLimits {
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
  /**
   * The user fixed the number of steps (`diffuse.steps`, `--steps`): every chunk takes them. Else a
   * large edit takes fewer per chunk, within EDIT_ROW_STEPS (engine/defaults).
   */
  readonly fixedSteps?: boolean;
  readonly onStep?: (e: StepEvent & { chunkRanges: readonly OffsetRange[] }) => void;
  /** What the edit is doing once the first fill is in (checking syntax, repairing), for progress. */
  readonly onPhase?: (phase: string) => void;
  readonly signal?: AbortSignal;
  /**
   * The model's scores of given text (the local model has them): a line-sized insertion is then
   * filled by choosing between the model's fill and the file's analogous lines (engine/analogFill).
   */
  readonly scorer?: RepairScorer;
  /**
   * The insertion fills one blank line (Quick Rewrite on a blank line, `edit --lines N` on one):
   * the fill is cut to its first line, and only single lines of the file are weighed against it.
   */
  readonly oneLine?: boolean;
  /**
   * The workspace's other files of the document's language (core/analogs LineIndex.view): a
   * line-sized insertion also weighs their lines whose neighbours are the hole's.
   */
  readonly elsewhere?: OtherFiles;
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
  /**
   * A line-sized insertion filled with a line whose neighbours look like the hole's: that line's
   * number (0-based) in the document, or in `file` when it came from another file (as the line
   * index names it), how well its neighbours matched (0 to 2), and whether the words its
   * neighbours differ in from the hole's were carried over.
   */
  readonly analog?: { readonly line: number; readonly score: number; readonly adapted?: boolean; readonly file?: string };
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
  const fills: string[] = [];
  // Per chunk: the model's confidence in each character of its fill (undefined: the backend gives none).
  const fillConfidence: Array<Float32Array | undefined> = [];
  const size = Math.max(1, o.batchSize ?? 8);
  const sampler = o.fixedSteps ? o.sampler : { ...o.sampler, steps: editSteps(o.sampler.steps, requests.length) };
  for (let i = 0; i < requests.length; i += size) {
    const part = requests.slice(i, i + size);
    const out = await backend.fill(part, sampler, {
      signal: o.signal,
      onStep: o.onStep ? (e) => o.onStep?.({ ...e, chunkRanges: chunks.slice(i, i + size) }) : undefined,
    });
    nfe += out.nfe;
    fills.push(...out.texts);
    out.texts.forEach((t, j) => fillConfidence.push(out.confidence ? toChars(t.length, out.confidence[j]) : undefined));
  }
  let analog: EditResult['analog'];
  if (insertion && o.oneLine) fills[0] = firstLine(fills[0]);
  if (insertion && o.scorer && lineHole(requests[0].prefix, requests[0].suffix)) {
    o.onPhase?.('choosing between the fill and similar lines');
    const choice = await chooseLineFill(o.scorer, requests[0].prefix, requests[0].suffix, fills[0], o.sampler.seed, o.oneLine ? 1 : undefined, o.elsewhere);
    nfe += choice.nfe;
    if (choice.text !== fills[0]) {
      fills[0] = choice.text;
      fillConfidence[0] = choice.confidence ? toChars(choice.text.length, choice.confidence) : undefined;
    }
    const a = choice.analog;
    if (a) {
      const at = a.from ? { line: a.from.line, file: a.from.file } : { line: lineOf(o.docText, range.start) + a.delta };
      analog = { ...at, score: a.score, ...(choice.adapted ? { adapted: true } : {}) };
    }
  }
  const withConfidence = fillConfidence.some((c) => c !== undefined);
  // A pure insertion has no anchor line to take indentation from: the model's own is kept.
  const shapeChunk = (k: number, fill: string): string => insertion ? fill
    : endLikeOriginal(reindent(fill, anchor.indent, { startsMidLine: chunks[k].start !== lineStartAt(o.docText, chunks[k].start) }), o.docText.slice(chunks[k].start, chunks[k].end));
  const pieces = fills.map((f, k) => shapeChunk(k, f));
  const region = new RegionText(o.docText, range, pieces, pieces.map((p, k) => fillConfidence[k] && carryChars(fills[k], fillConfidence[k]!, p)));
  const repair = await repairSyntax(backend, {
    // The repair's draws take no more steps than the first fill's (a large edit's are fewer).
    ...o, sampler, range, chunks, region, insertion, maxTokens: requests[0].maxTokens, count, budgetTokens, batchRows: size,
    firstNfe: nfe, firstMs: performance.now() - t0, startedAt: t0, shapeChunk,
  });
  return {
    range,
    newText: region.text,
    confidence: withConfidence ? toSpans(region.text, region.confidence) : undefined,
    syntaxOk: repair.check.ok,
    syntaxChecked: repair.check.checked,
    syntaxOkBeforeRepair: repair.okBefore,
    repairRounds: repair.rounds,
    repairRows: repair.rows,
    repairNfe: repair.nfe,
    variantFills: repair.variantFills,
    recovered: repair.recovered,
    ledger: repair.ledger,
    chunks: chunks.length,
    // Named only while the text is the line taken (the syntax repair may have redrawn it).
    analog: analog && region.text === fills[0] ? analog : undefined,
    nfe: nfe + repair.nfe,
    ms: performance.now() - t0,
    notice: anchor.fellBackToLines ? `Syntax anchoring unavailable (${anchor.reason}); whole lines were used.` : undefined,
  };
}

/** The first line of a fill that has text (its indentation dropped when it is not the first). */
function firstLine(fill: string): string {
  const lines = fill.split(/\r?\n/);
  const k = lines.findIndex((l) => l.trim());
  return k <= 0 ? lines[0] : lines[k].trimStart();
}

/** The 0-based line number of `offset` in `text`. */
function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
