/**
 * The `confidence` section: is the confidence the review shows calibrated? Holes cut from the
 * packages reserved for evaluation (test/bench/data/holdout.jsonl: never in the training corpus)
 * the way models/training/eval_infill.py cuts them (single lines, a few lines, statement regions
 * widened to whole syntax nodes), each filled through the edit pipeline as `diffuse-edit infill`
 * fills it, with the CLI's default sampler but no syntax repair: the repair samples again at its
 * own temperature and costs about ten times the first fill's time on CPU, which would not fit the
 * section's few minutes. Tokens are judged on the sampler's fill (each committed token's
 * probability against the true text's tokens); lines on the text the review shows, by their least
 * certain token (a hunk's confidence).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LOW_CONFIDENCE } from '../../../src/core/confidence';
import type { AnchoringMode } from '../../../src/core/anchor';
import type { FillBackend, FillRequest, OffsetRange, SamplerOptions, Strategy, TokenConfidence } from '../../../src/core/types';
import { repairPlan } from '../../../src/engine/effort';
import { runEdit } from '../../../src/engine/edit';
import { grammarFor } from '../../../src/syntax';
import { calibration, judgeLines, judgeTokens, type Bin, type Calibration, type Judged } from './calibration';
import type { Doc } from './holdout';
import type { Engine } from './inproc';
import { exactMatch, seeded } from './stats';
import { fixed, pct, round, table } from './table';
import { canvasBudget, samplerOptions } from '../../../src/engine/defaults';

/** No syntax repair (see above): the fill as the sampler made it, reshaped as the pipeline reshapes it. */
export const REPAIR_EFFORT = 'off';

export const HOLE_KINDS = ['single', 'multi', 'nodes'] as const;
export type HoleKind = (typeof HOLE_KINDS)[number];

export interface CalibrationTask {
  readonly id: string;
  readonly kind: HoleKind;
  /** The file it was cut from (its path's first segment names its package). */
  readonly path: string;
  readonly lang: string;
  /** The document as the engine gets it: with the hole taken out for an insertion, whole for a rewrite. */
  readonly docText: string;
  readonly range: OffsetRange;
  readonly anchoring: AnchoringMode;
  /** Canvas tokens of an insertion (eval_infill's max_tokens). */
  readonly maxTokens?: number;
  /** The true text of the hole (for a rewrite: of the selected lines, before the engine widens them). */
  readonly truth: string;
}

/**
 * The held-out files of the packages reserved for evaluation (never the corpus split's val.jsonl,
 * whose packages were trained on), or those of `other` (a JSON-lines file of path, lang, text).
 */
export function loadReserved(root: string, other?: string): { docs: Doc[]; source: string } {
  const file = other ?? path.join(root, 'test', 'bench', 'data', 'holdout.jsonl');
  const docs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Doc)
    .filter((d) => grammarFor(d.lang) !== undefined && d.text.length > 0);
  return { docs, source: path.relative(root, file) };
}

/**
 * `n` tasks of `kind`, cut as eval_infill.py's make_tasks cuts them: lines i..j of a random file
 * (one line; 2 to 5 lines; 1 to 6 lines widened to syntax nodes), starting at the first line's
 * first non-blank character, at least 8 non-blank characters, no line over 120.
 */
export function cutTasks(docs: readonly Doc[], kind: HoleKind, n: number, seed: number): CalibrationTask[] {
  const rand = seeded(seed * 7919 + HOLE_KINDS.indexOf(kind) + 1);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const tasks: CalibrationTask[] = [];
  const used = new Set<string>();
  for (let attempt = 0; tasks.length < n && attempt < n * 200; attempt++) {
    const d = docs[Math.floor(rand() * docs.length)];
    const lines = d.text.split('\n');
    if (lines.length < 12) continue;
    const i = int(3, lines.length - 4);
    const j = kind === 'single' ? i : Math.min(lines.length - 2, i + (kind === 'multi' ? int(1, 4) : int(0, 5)));
    const body = lines.slice(i, j + 1);
    if (!body[0].trim() || body.reduce((s, l) => s + l.trim().length, 0) < 8 || body.some((l) => l.length > 120) || used.has(`${d.path}:${i}`)) continue;
    used.add(`${d.path}:${i}`);
    const indent = body[0].length - body[0].trimStart().length;
    const start = lines.slice(0, i).reduce((s, l) => s + l.length + 1, 0) + indent;
    const truth = body.join('\n').slice(indent);
    const insertion = kind !== 'nodes';
    tasks.push({
      id: `${kind}/${d.path}:${i + 1}`,
      kind,
      path: d.path,
      lang: d.lang,
      docText: insertion ? d.text.slice(0, start) + d.text.slice(start + truth.length) : d.text,
      range: { start, end: insertion ? start : start + truth.length },
      anchoring: insertion ? 'exact' : 'syntax',
      maxTokens: kind === 'single' ? 32 : kind === 'multi' ? 96 : undefined,
      truth,
    });
  }
  if (tasks.length < n) throw new Error(`Only ${tasks.length} of ${n} ${kind} holes could be cut from the held-out files`);
  return tasks;
}

/** The sampler the editor and the CLI use without settings or flags (engine/defaults): the engine's defaults and the model's recommendations. */
export function cliDefaultSampler(e: Engine): SamplerOptions {
  const d = e.model.pkg.config.sampler;
  return samplerOptions({ steps: d.steps, strategy: d.strategy as Strategy, threshold: d.threshold, temperature: d.temperature }, {});
}

export interface ConfidenceResult {
  readonly tasks: number;
  /** The holes of each kind, and their tokens and lines on their own. */
  readonly byKind: Record<HoleKind, { readonly tasks: number; readonly tokens: Calibration; readonly lines: Calibration }>;
  readonly tokens: Calibration;
  /** The tokens that are not whitespace alone: the ones the review can point at (it trims whitespace from its spans). */
  readonly visibleTokens: Calibration;
  readonly lines: Calibration;
  /** Share of fills equal to the truth up to whitespace, and of those that parse (syntax checked, no more errors than before). */
  readonly exact: number;
  readonly syntaxOk: number;
  readonly seconds: number;
}

/** The pieces of `text` as the tokenizer cuts it (byte-level BPE: the pieces concatenate to the text). */
function tokenPieces(e: Engine, text: string): string[] {
  const { text: decoded, ends } = e.model.tokenizer.decodeWithEnds(e.model.tokenizer.encode(text));
  return ends.map((end, i) => decoded.slice(i ? ends[i - 1] : 0, end)).filter((t) => t.length > 0);
}

interface FirstFill {
  readonly request: FillRequest;
  readonly text: string;
  readonly spans: readonly TokenConfidence[];
}

/**
 * The engine's backend, also keeping the first fill's outputs: the calls made with the edit's own
 * sampler before any other (the repair rounds sample with their own, warmer settings).
 */
function recording(e: Engine, sampler: SamplerOptions): { backend: FillBackend; first: FirstFill[] } {
  const first: FirstFill[] = [];
  let repairing = false;
  const backend: FillBackend & { countTokens(t: string): number } = {
    ...e.backend,
    fill: async (requests, options, hooks) => {
      const out = await e.backend.fill(requests, options, hooks);
      repairing ||= options !== sampler;
      if (!repairing) out.texts.forEach((text, k) => first.push({ request: requests[k], text, spans: out.confidence?.[k] ?? [] }));
      return out;
    },
  };
  return { backend, first };
}

export async function runConfidenceBench(e: Engine, tasks: readonly CalibrationTask[], sampler: SamplerOptions, log: (s: string) => void): Promise<ConfidenceResult> {
  const t0 = performance.now();
  type Of = Judged & { readonly kind: HoleKind };
  const tokens: Of[] = [];
  const visible: Of[] = [];
  const lines: Of[] = [];
  let exact = 0;
  let syntaxOk = 0;
  for (const [k, t] of tasks.entries()) {
    const { backend, first } = recording(e, sampler);
    const r = await runEdit(backend, {
      docText: t.docText, range: t.range, languageId: t.lang, anchoring: t.anchoring, sampler,
      maxCanvasTokens: canvasBudget(e.model.pkg.config.maxContext), countTokens: e.count, slack: e.model.pkg.config.sampler.slack, maxTokens: t.maxTokens,
      ...repairPlan(REPAIR_EFFORT),
    });
    for (const f of first) {
      const truth = f.request.original ?? t.truth;
      const pieces = f.spans.map((s) => ({ text: f.text.slice(s.start, s.end), p: s.p }));
      const judged = judgeTokens(pieces, tokenPieces(e, truth)).map((j) => ({ ...j, kind: t.kind }));
      tokens.push(...judged);
      visible.push(...judged.filter((_, i) => pieces[i].text.trim() !== ''));
    }
    // A rewrite is judged against what it replaced: the selected lines widened to whole nodes.
    const truth = t.range.start === t.range.end ? t.truth : t.docText.slice(r.range.start, r.range.end);
    lines.push(...judgeLines(r.newText, r.confidence ?? [], truth).map((j) => ({ ...j, kind: t.kind })));
    exact += exactMatch(r.newText, truth) ? 1 : 0;
    syntaxOk += r.syntaxOk ? 1 : 0;
    log(`confidence: ${t.id}: ${Math.round(r.ms)} ms, ${r.nfe - r.repairNfe}+${r.repairNfe} calls, ${first.reduce((s, f) => s + f.spans.length, 0)} tokens`);
    if ((k + 1) % 20 === 0 || k + 1 === tasks.length) log(`confidence: ${k + 1}/${tasks.length} holes, ${tokens.length} tokens, ${lines.length} lines (${Math.round((performance.now() - t0) / 1000)} s)`);
  }
  const of = (xs: readonly Of[], kind: HoleKind) => calibration(xs.filter((x) => x.kind === kind), DEFAULT_LOW_CONFIDENCE);
  const byKind = Object.fromEntries(HOLE_KINDS.map((kind) => [kind, { tasks: tasks.filter((t) => t.kind === kind).length, tokens: of(tokens, kind), lines: of(lines, kind) }])) as ConfidenceResult['byKind'];
  return {
    tasks: tasks.length, byKind,
    tokens: calibration(tokens, DEFAULT_LOW_CONFIDENCE), visibleTokens: calibration(visible, DEFAULT_LOW_CONFIDENCE), lines: calibration(lines, DEFAULT_LOW_CONFIDENCE),
    exact: exact / tasks.length, syntaxOk: syntaxOk / tasks.length, seconds: (performance.now() - t0) / 1000,
  };
}

export function confidenceTable(r: ConfidenceResult): string {
  const { tokens: tk, lines: ln } = r;
  const cell = (b: Bin) => [String(b.count), fixed(b.meanP, 3), pct(b.shareRight)];
  const rows = tk.bins.map((b, i) => [`${b.lo.toFixed(1)}-${b.hi.toFixed(1)}`, ...cell(b), ...cell(ln.bins[i])]);
  const at = DEFAULT_LOW_CONFIDENCE;
  rows.push(
    ['all', String(tk.count), fixed(tk.meanP, 3), pct(tk.shareRight), String(ln.count), fixed(ln.meanP, 3), pct(ln.shareRight)],
    [`>= ${at}`, String(tk.split.above.count), '', pct(tk.split.above.shareRight), String(ln.split.above.count), '', pct(ln.split.above.shareRight)],
    [`< ${at}`, String(tk.split.below.count), '', pct(tk.split.below.shareRight), String(ln.split.below.count), '', pct(ln.split.below.shareRight)],
    ['ECE', '', fixed(tk.ece, 3), '', '', fixed(ln.ece, 3), ''],
    ['AUROC', '', fixed(tk.auroc, 3), '', '', fixed(ln.auroc, 3), ''],
  );
  return table(`Confidence calibration on ${r.tasks} held-out holes (${HOLE_KINDS.map((k) => `${r.byKind[k].tasks} ${k}`).join(', ')}; exact ${pct(r.exact)}, syntax ok ${pct(r.syntaxOk)}; ${Math.round(r.seconds)} s)`,
    ['confidence', 'tokens', 'mean p', 'right', 'lines', 'mean p', 'right'], rows) +
    `\n  tokens other than whitespace alone: ${brief(r.visibleTokens)}` +
    HOLE_KINDS.map((k) => `\n  ${k}: tokens ${brief(r.byKind[k].tokens)}; lines ${brief(r.byKind[k].lines)}`).join('');
}

const brief = (c: Calibration) => `${c.count}, ${pct(c.shareRight)} right, ECE ${fixed(c.ece, 3)}, AUROC ${fixed(c.auroc, 3)}`;

function calibrationJson(c: Calibration): Record<string, unknown> {
  const part = (x: { count: number; shareRight: number }) => ({ count: x.count, share_right: round(x.shareRight) });
  return {
    count: c.count, share_right: round(c.shareRight), mean_p: round(c.meanP), ece: round(c.ece, 4), auroc: round(c.auroc),
    [`above_${DEFAULT_LOW_CONFIDENCE}`]: part(c.split.above), [`below_${DEFAULT_LOW_CONFIDENCE}`]: part(c.split.below),
    bins: c.bins.map((b) => ({ lo: b.lo, hi: b.hi, count: b.count, mean_p: round(b.meanP), share_right: round(b.shareRight) })),
  };
}

export function confidenceJson(r: ConfidenceResult): Record<string, unknown> {
  return {
    tasks: r.tasks, confidence_ece: round(r.tokens.ece, 4), confidence_ece_lines: round(r.lines.ece, 4),
    confidence_auroc: round(r.tokens.auroc), confidence_auroc_lines: round(r.lines.auroc),
    tokens: calibrationJson(r.tokens), tokens_not_whitespace: calibrationJson(r.visibleTokens), lines: calibrationJson(r.lines), exact: round(r.exact), syntax_ok: round(r.syntaxOk), repair_effort: REPAIR_EFFORT, seconds: Math.round(r.seconds),
    by_kind: Object.fromEntries(HOLE_KINDS.map((k) => {
      const short = (c: Calibration) => ({ count: c.count, share_right: round(c.shareRight), ece: round(c.ece, 4), auroc: round(c.auroc) });
      return [k, { tasks: r.byKind[k].tasks, tokens: short(r.byKind[k].tokens), lines: short(r.byKind[k].lines) }];
    })),
  };
}
