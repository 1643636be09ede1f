/**
 * What the model's context costs and buys: the time of one step as the row grows past the bundled
 * model's 256 tokens (the graph takes any length; the package's `max_context` is raised in a copy),
 * and the canvas budget's trade-off on rewrites of whole methods: a larger canvas takes fewer
 * chunks (fewer rows a step, faster) but leaves less of the row for the code around it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SamplerOptions } from '../../../src/core/types';
import { runEdit } from '../../../src/engine/edit';
import { loadModel } from '../../../src/model/fillEngine';
import { lineStarts, type Doc } from './holdout';
import type { Engine } from './inproc';
import { editSimilarity, spread } from './stats';
import { table } from './table';

export interface StepCost {
  readonly tokens: number;
  readonly msMedian: number;
  /**
   * A step of a fill with the context cache over a row of `tokens`: the 128-token canvas alone,
   * attending to the kept keys and values of the rest of the row (absent: the graph has no cache).
   */
  readonly cachedMsMedian?: number;
}

/** The canvas of the cached steps `stepCosts` times. */
export const CACHED_CANVAS = 128;

export interface BudgetRow {
  readonly budget: number;
  /** The code around the canvas run once per fill (true) or with the canvas at every step (false). */
  readonly contextCache: boolean;
  readonly edits: number;
  readonly editSim: number;
  readonly msMedian: number;
  readonly chunksPerEdit: number;
}

export interface ContextResult {
  readonly source: string;
  readonly stepCost: readonly StepCost[];
  readonly budgets: readonly BudgetRow[];
}

/** Held-out code for the rewrites: whole packages never trained on when the corpus has them, else the held-out files. */
export function rewriteSource(root: string, fallback: { docs: readonly Doc[]; source: string }): { docs: readonly Doc[]; source: string } {
  const file = path.join(root, 'models', 'training', 'data', 'corpus-heldout', 'heldout.jsonl');
  if (!fs.existsSync(file)) return fallback;
  const docs = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Doc);
  return { docs, source: `${path.relative(root, file)} (packages never trained on)` };
}

/** Methods and functions of 8-14 lines (a header line ending in `{`, the closer at its indentation), two a file at most. */
export function methodsOf(docs: readonly Doc[], n: number): Array<{ text: string; start: number; end: number }> {
  const out: Array<{ text: string; start: number; end: number }> = [];
  const HEADER = /^(\s*)(?:(?:export|async|public|private|protected|static)\s+)*(?:function\s+\w+|\w+)\s*\([^)]*\)\s*(?::[^{=]*)?\{\s*$/;
  for (const d of docs.filter((x) => x.lang === 'typescript')) {
    const lines = d.text.split('\n');
    const starts = lineStarts(d.text);
    let taken = 0;
    for (let i = 0; i < lines.length && taken < 2; i++) {
      const m = HEADER.exec(lines[i]);
      if (!m || /^\s*(if|for|while|switch|catch)\b/.test(lines[i])) continue;
      let j = i + 1;
      while (j < lines.length && lines[j] !== `${m[1]}}`) j++;
      if (j >= lines.length || j - i + 1 < 8 || j - i + 1 > 14) continue;
      out.push({ text: d.text, start: starts[i], end: starts[j] + lines[j].length });
      taken++;
      i = j;
    }
  }
  // Spread over the files, not the first ones only.
  const every = Math.max(1, Math.floor(out.length / n));
  return out.filter((_, k) => k % every === 0).slice(0, n);
}

/**
 * Median ms of one forward pass over one row of each length, a canvas of up to CACHED_CANVAS masked
 * tokens in its middle, with `max_context` raised in a copy of the package: the whole row, and with
 * a context cache the canvas alone against the cached rest of the row.
 */
export async function stepCosts(modelDir: string, threads: number, lengths: readonly number[], repeats: number): Promise<StepCost[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-context-'));
  try {
    for (const f of fs.readdirSync(modelDir)) fs.symlinkSync(path.join(path.resolve(modelDir), f), path.join(dir, f));
    const config = JSON.parse(fs.readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as { max_context: number; architecture?: { max_context?: number } };
    const longest = Math.max(...lengths);
    config.max_context = longest;
    if (config.architecture) config.architecture.max_context = longest;
    fs.rmSync(path.join(dir, 'config.json'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const model = await loadModel(dir, 'cpu', threads);
    try {
      const out: StepCost[] = [];
      const timed = async (call: () => Promise<unknown>): Promise<number> => {
        for (let k = 0; k < 2; k++) await call();
        const times: number[] = [];
        for (let k = 0; k < repeats; k++) {
          const t0 = performance.now();
          await call();
          times.push(performance.now() - t0);
        }
        return spread(times).median;
      };
      for (const n of lengths) {
        // A canvas of up to CACHED_CANVAS masked tokens in the middle of the row, code tokens around it.
        const length = Math.min(n, CACHED_CANVAS);
        const start = Math.floor((n - length) / 2);
        const row = Int32Array.from({ length: n }, (_, t) => (t >= start && t < start + length ? model.pkg.config.special.mask : 4 + ((t * 37) % 8000)));
        const msMedian = await timed(() => model.session.forward([row]));
        if (!model.pkg.config.cache || n <= length) {
          out.push({ tokens: n, msMedian });
          continue;
        }
        // The fill's later steps: the first call keeps the keys and values of the code around the canvas.
        const step = model.session.fillForward([{ start, length }]);
        await step([row]);
        out.push({ tokens: n, msMedian, cachedMsMedian: await timed(() => step([row])) });
      }
      return out;
    } finally {
      await model.session.release();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Each method rewritten (its text masked and filled, no syntax repair) at each canvas budget, with or without the context cache. */
export async function budgetRows(e: Engine, methods: ReadonlyArray<{ text: string; start: number; end: number }>,
  configs: ReadonlyArray<{ budget: number; contextCache: boolean }>, sampler: SamplerOptions, log: (s: string) => void): Promise<BudgetRow[]> {
  const rows: BudgetRow[] = [];
  for (const { budget, contextCache } of configs) {
    let sim = 0;
    let chunks = 0;
    const times: number[] = [];
    for (const m of methods) {
      const r = await runEdit(e.backend, {
        docText: m.text, range: { start: m.start, end: m.end }, languageId: 'typescript', anchoring: 'syntax', sampler: { ...sampler, contextCache },
        maxCanvasTokens: budget, countTokens: e.count, repairRounds: 0, finalRefill: false,
      });
      sim += editSimilarity(r.newText, m.text.slice(r.range.start, r.range.end));
      chunks += r.chunks;
      times.push(r.ms);
    }
    rows.push({ budget, contextCache, edits: methods.length, editSim: sim / methods.length, msMedian: spread(times).median, chunksPerEdit: chunks / methods.length });
    log(`context: canvas budget ${budget}${contextCache ? '' : ', whole rows every step,'} done`);
  }
  return rows;
}

export function contextTables(r: ContextResult, defaultBudget: number): string {
  const base = r.stepCost.find((s) => s.tokens === 256)?.msMedian;
  const a = table(`One step (forward pass) by row length, batch 1, a ${CACHED_CANVAS}-token canvas masked (the bundled model is trained on rows of 256): the whole row, and the canvas alone against the cached rest of the row`,
    ['tokens', 'whole row ms', base ? 'x 256' : '', `cached, ${CACHED_CANVAS}-token canvas ms`, base ? 'x 256' : ''],
    r.stepCost.map((s) => [s.tokens, s.msMedian.toFixed(1), base ? (s.msMedian / base).toFixed(2) : '',
      s.cachedMsMedian?.toFixed(1) ?? '', base && s.cachedMsMedian ? (s.cachedMsMedian / base).toFixed(2) : '']));
  const b = table(`Canvas budget on rewrites of 8-14-line methods (${r.source}; no syntax repair; default ${defaultBudget})`,
    ['budget', 'code around the canvas', 'edits', 'edit similarity', 'ms median', 'chunks / edit'],
    r.budgets.map((x) => [x.budget, x.contextCache ? 'once per fill' : 'every step', x.edits, x.editSim.toFixed(3), Math.round(x.msMedian), x.chunksPerEdit.toFixed(2)]));
  return `${a}\n${b}`;
}
