/**
 * Filling a blank line, as Quick Rewrite does with the cursor on one and `edit FILE --lines N`
 * does on one: single lines of the packages reserved for evaluation (never trained on) are
 * emptied to their indentation and filled through `runEdit` with the editor's canvas
 * (LINE_FILL_TOKENS): with the analogous lines of the file and of the other files of its package
 * (its workspace) weighed by the model (the default, engine/analogFill), with the file's alone, and
 * with the model's fill alone. Exact match and edit similarity are
 * against the line that was there; time is the engine's, in this process, with the editor's
 * defaults (syntax repair off).
 */
import { canvasBudget, LINE_FILL_TOKENS } from '../../../src/engine/defaults';
import { DEFAULT_REPAIR_EFFORT, repairPlan } from '../../../src/engine/effort';
import { runEdit } from '../../../src/engine/edit';
import { LineIndex, lineLanguageOf, lineLanguageOfPath } from '../../../src/core/lineIndex';
import type { SamplerOptions } from '../../../src/core/types';
import type { Doc } from './holdout';
import { packageOf } from './repair';
import type { CalibrationTask } from './confidence';
import type { Engine } from './inproc';
import { editSimilarity, exactMatch, spread } from './stats';

export interface LineFillWay {
  readonly way: 'analogs' | 'analogs of the file alone' | 'model alone';
  readonly tasks: number;
  readonly exact: number;
  readonly editSimilarity: number;
  /** Share of the lines filled with an analogous line (analogs only). */
  readonly analogShare: number;
  /** Share of the lines filled with a line of another file of the package. */
  readonly elsewhereShare: number;
  readonly msMedian: number;
  readonly msP90: number;
  readonly nfeMedian: number;
}

/** The language group of a file's lines: by its extension, else by its language. */
function languageOf(d: { readonly path: string; readonly lang: string }): string | undefined {
  return lineLanguageOfPath(d.path) ?? lineLanguageOf(d.lang);
}

/** Per package, the lines of its files: the workspace a task's file is in. */
export function packageLines(docs: readonly Doc[]): (path: string) => LineIndex {
  const byPkg = new Map<string, LineIndex>();
  for (const d of docs) {
    const pkg = packageOf(d.path);
    const index = byPkg.get(pkg) ?? new LineIndex();
    index.set(d.path, d.text, languageOf(d));
    byPkg.set(pkg, index);
  }
  return (path) => byPkg.get(packageOf(path)) ?? new LineIndex();
}

export async function runLineFillBench(e: Engine, tasks: readonly CalibrationTask[], docs: readonly Doc[], sampler: SamplerOptions, log: (s: string) => void): Promise<LineFillWay[]> {
  const out: LineFillWay[] = [];
  const workspace = packageLines(docs);
  for (const way of ['analogs', 'analogs of the file alone', 'model alone'] as const) {
    let exact = 0;
    let sim = 0;
    let analogs = 0;
    let elsewhere = 0;
    const times: number[] = [];
    const nfes: number[] = [];
    for (const t of tasks) {
      const r = await runEdit(e.backend, {
        docText: t.docText, range: t.range, languageId: t.lang, anchoring: 'exact', sampler,
        maxCanvasTokens: canvasBudget(e.model.pkg.config.maxContext, LINE_FILL_TOKENS), countTokens: e.count, slack: e.model.pkg.config.sampler.slack,
        maxTokens: LINE_FILL_TOKENS, oneLine: true, ...repairPlan(DEFAULT_REPAIR_EFFORT),
        scorer: way === 'model alone' ? undefined : e.scorer,
        elsewhere: way === 'analogs' ? workspace(t.path).view(languageOf(t), t.path) : undefined,
      });
      exact += exactMatch(r.newText, t.truth) ? 1 : 0;
      sim += editSimilarity(r.newText, t.truth);
      analogs += r.analog ? 1 : 0;
      elsewhere += r.analog?.file !== undefined ? 1 : 0;
      times.push(r.ms);
      nfes.push(r.nfe);
    }
    const ms = [...times].sort((a, b) => a - b);
    const row: LineFillWay = {
      way, tasks: tasks.length, exact: exact / tasks.length, editSimilarity: sim / tasks.length, analogShare: analogs / tasks.length, elsewhereShare: elsewhere / tasks.length,
      msMedian: spread(ms).median, msP90: ms[Math.min(ms.length - 1, Math.floor(ms.length * 0.9))], nfeMedian: spread(nfes).median,
    };
    log(`line: ${way}: exact ${(row.exact * 100).toFixed(1)}%, edit similarity ${row.editSimilarity.toFixed(3)}, ${row.msMedian.toFixed(0)} ms median`);
    out.push(row);
  }
  return out;
}
