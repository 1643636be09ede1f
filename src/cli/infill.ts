/**
 * `diffuse-edit infill`: HumanEval-infilling style tasks, one JSON object per line in and out.
 * In:  {"task_id", "prompt", "suffix", "language"?, "max_tokens"?, "original"?, "anchoring"?}
 * Out: {"task_id", "completion", "nfe", "ms", "syntax_ok", "repair_rounds"}; "analog_line" (1-based),
 * "analog_score" and "analog_adapted" (the names its neighbours differ in were changed to the
 * hole's) when a line of the file whose neighbours look like the hole's was chosen
 * (engine/analogFill; `--analogs off` leaves the model's fill alone). With "anchoring"
 * "syntax" or "lines" (the region widened as Diffuse Edit widens a selection) also "replaced": the
 * text of the widened region that "completion" replaces.
 * A task may carry the true middle as "reference" (never shown to the model): the answer then also
 * says whether the completion leaves no more syntax errors around the hole than the reference does
 * ("syntax_ok_reference"), the measure for benchmarks whose document with the hole is itself broken.
 */
import { repairPlan } from '../engine/effort';
import * as fs from 'node:fs';
import type { AnchoringMode } from '../core/anchor';
import type { OffsetRange, SamplerOptions } from '../core/types';
import { validateFills } from '../syntax';
import { runEdit, type EditResult } from '../engine/edit';
import { UsageError, type CliArgs } from './args';
import type { CliBackend } from './backend';

/** The JSON fields that name the line of the file a line-sized hole was filled with (1-based), when one was. */
export function analogJson(analog: EditResult['analog']): { analog_line?: number; analog_file?: string; analog_score?: number; analog_adapted?: boolean } {
  return analog ? { analog_line: analog.line + 1, ...(analog.file ? { analog_file: analog.file } : {}), analog_score: Number(analog.score.toFixed(3)), analog_adapted: analog.adapted === true } : {};
}

export interface InfillTask {
  task_id: string;
  prompt: string;
  suffix: string;
  language?: string;
  max_tokens?: number;
  original?: string;
  anchoring?: AnchoringMode;
  reference?: string;
}

export function parseTasks(text: string, source: string): InfillTask[] {
  return text.split('\n').flatMap((line, i) => {
    if (!line.trim()) return [];
    let t: Partial<InfillTask>;
    try {
      t = JSON.parse(line) as Partial<InfillTask>;
    } catch {
      throw new UsageError(`${source}:${i + 1}: not valid JSON`);
    }
    if (typeof t.task_id !== 'string' && typeof t.task_id !== 'number') throw new UsageError(`${source}:${i + 1}: missing "task_id"`);
    if (typeof t.prompt !== 'string' || typeof t.suffix !== 'string') throw new UsageError(`${source}:${i + 1}: "prompt" and "suffix" must be strings`);
    if (t.anchoring !== undefined && !['exact', 'lines', 'syntax'].includes(t.anchoring)) throw new UsageError(`${source}:${i + 1}: "anchoring" must be exact, lines or syntax`);
    if (t.reference !== undefined && (typeof t.reference !== 'string' || (t.anchoring ?? 'exact') !== 'exact')) throw new UsageError(`${source}:${i + 1}: "reference" must be a string, and needs exact anchoring`);
    return [{ ...t, task_id: String(t.task_id) } as InfillTask];
  });
}

/** `fill` in `range` leaves no more syntax errors around it than `reference` in the same place. */
async function asValidAs(docText: string, languageId: string, range: OffsetRange, fill: string, reference: string): Promise<boolean> {
  const [mine, theirs] = await validateFills(docText, languageId, range, [fill, reference]);
  return mine.errorsAfter <= theirs.errorsAfter;
}

export async function runInfill(args: CliArgs, b: CliBackend, sampler: SamplerOptions): Promise<number> {
  if (!args.input) throw new UsageError('infill needs --in tasks.jsonl');
  if (!fs.existsSync(args.input)) throw new UsageError(`File not found: ${args.input}`);
  const tasks = parseTasks(fs.readFileSync(args.input, 'utf8'), args.input);
  const out = args.output ? fs.openSync(args.output, 'w') : 1;
  let failed = 0;
  try {
    for (const [k, t] of tasks.entries()) {
      b.progress?.(k, tasks.length, t.task_id);
      const docText = t.prompt + (t.original ?? '') + t.suffix;
      const start = t.prompt.length;
      try {
        const r = await runEdit(b.backend, {
          docText,
          range: { start, end: start + (t.original?.length ?? 0) },
          languageId: t.language ?? 'plaintext',
          anchoring: t.anchoring ?? 'exact',
          sampler,
          fixedSteps: args.sampler.steps !== undefined,
          maxCanvasTokens: b.maxCanvasTokens,
          countTokens: b.countTokens,
          slack: b.slack,
          maxTokens: t.max_tokens ?? 64,
          scorer: args.analogs ? b.scorer : undefined,
          ...repairPlan(args.repairEffort),
          ...args.repair,
        });
        const widened = (t.anchoring ?? 'exact') !== 'exact' ? { replaced: docText.slice(r.range.start, r.range.end) } : {};
        const line = {
          task_id: t.task_id, completion: r.newText, nfe: r.nfe, ms: Math.round(r.ms), syntax_ok: r.syntaxChecked ? r.syntaxOk : null,
          repair_rounds: r.repairRounds, repair_nfe: r.repairNfe, repair_ledger: r.ledger, variant_fills: r.variantFills, recovered: r.recovered, ...widened,
          ...analogJson(r.analog),
          ...(t.reference !== undefined && r.syntaxChecked ? { syntax_ok_reference: await asValidAs(docText, t.language ?? 'plaintext', r.range, r.newText, t.reference) } : {}),
        };
        fs.writeSync(out, JSON.stringify(line) + '\n');
      } catch (e) {
        failed++;
        fs.writeSync(out, JSON.stringify({ task_id: t.task_id, completion: '', error: (e as Error).message }) + '\n');
      }
    }
  } finally {
    b.progress?.done();
    if (out !== 1) fs.closeSync(out);
  }
  process.stderr.write(`diffuse-edit: ${tasks.length - failed}/${tasks.length} tasks filled${args.output ? ` -> ${args.output}` : ''}\n`);
  return failed > 0 ? 1 : 0;
}
