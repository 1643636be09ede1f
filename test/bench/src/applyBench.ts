/**
 * Diffuse Apply: a chat assistant's lazy edit snippet (the changed code with `// ... existing code
 * ...` markers for the rest) applied to the file it edits. The tasks are real edits between two
 * releases of npm packages (test/bench/data/apply-tasks.jsonl.gz, made by make-apply-tasks.mjs).
 * Our `applySnippet` against a plain line aligner (applyBaseline.ts), overall and per snippet
 * style; then the CLI end to end (`node dist/cli.js apply`) on a sample. No model is needed.
 *
 * Each outcome is one of: exact (the merged file is the new version, up to the final newline),
 * unplaced (a piece was reported as not placed: an honest refusal) or wrong (no refusal, but the
 * merged file differs from the new version).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { createTwoFilesPatch } from 'diff';
import { applySnippet } from '../../../src/core/apply';
import { applyBaseline } from './applyBaseline';
import { selectEvenly } from './humaneval';

export interface ApplyTask {
  readonly id: string;
  readonly package: string;
  readonly from: string;
  readonly to: string;
  readonly path: string;
  readonly language: 'typescript' | 'javascript';
  readonly style: string;
  readonly marker: string;
  readonly edge_markers: 'both' | 'none' | 'start' | 'end';
  readonly fenced: boolean;
  readonly old: string;
  readonly new: string;
  readonly snippet: string;
}

export type Outcome = 'exact' | 'unplaced' | 'wrong';

export interface TaskRun {
  readonly task: ApplyTask;
  readonly outcome: Outcome;
  readonly ms: number;
  readonly modelCalls: number;
  readonly text: string;
  /** Why pieces were not placed, or the exception the apply threw (counted as wrong). */
  readonly note?: string;
}

export interface Tally {
  readonly tasks: number;
  readonly exact: number;
  readonly unplaced: number;
  readonly wrong: number;
  readonly modelCalls: number;
  readonly msMedian: number;
  readonly msP90: number;
}

export interface CliSample {
  readonly runs: number;
  readonly applied: number;
  readonly unplaced: number;
  /** Runs that exited otherwise (2: usage or input error), or printed no JSON. */
  readonly failed: number;
  /** Runs whose exit code disagreed with the in-process apply (applied vs unplaced). */
  readonly disagreed: number;
  readonly wallMsMedian: number;
  readonly wallMsP90: number;
  readonly applyMsMedian: number;
  readonly firstError?: string;
}

export interface ApplyBenchResult {
  readonly tasks: number;
  readonly packages: number;
  readonly styles: readonly string[];
  readonly ours: readonly TaskRun[];
  readonly baseline: readonly TaskRun[];
  readonly largest: { readonly id: string; readonly lines: number; readonly msOurs: number; readonly msBaseline: number };
  readonly cli: CliSample | { readonly skipped: string };
}

export function loadApplyTasks(root: string): ApplyTask[] {
  const file = path.join(root, 'test', 'bench', 'data', 'apply-tasks.jsonl.gz');
  if (!fs.existsSync(file)) throw new Error(`${path.relative(root, file)} is missing: run \`node test/bench/make-apply-tasks.mjs\``);
  return zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as ApplyTask);
}

/** Equal up to the final newline. */
export function sameFile(a: string, b: string): boolean {
  const nl = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);
  return nl(a) === nl(b);
}

export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((x, y) => x - y);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo);
}

export function tally(runs: readonly TaskRun[]): Tally {
  const n = runs.length;
  const share = (o: Outcome) => (n ? runs.filter((r) => r.outcome === o).length / n : NaN);
  const ms = runs.map((r) => r.ms);
  return { tasks: n, exact: share('exact'), unplaced: share('unplaced'), wrong: share('wrong'), modelCalls: runs.reduce((s, r) => s + r.modelCalls, 0), msMedian: quantile(ms, 0.5), msP90: quantile(ms, 0.9) };
}

type Applier = (task: ApplyTask) => { text: string; unplaced: readonly { snippetLines: readonly [number, number]; reason: string }[]; modelCalls: number };

const ours: Applier = (t) => applySnippet(t.old, t.snippet, { languageId: t.language });
const baseline: Applier = (t) => ({ ...applyBaseline(t.old, t.snippet), modelCalls: 0 });

function runOne(apply: Applier, task: ApplyTask): TaskRun {
  const t0 = performance.now();
  try {
    const r = apply(task);
    const ms = performance.now() - t0;
    if (r.unplaced.length) {
      const note = r.unplaced.map((u) => `lines ${u.snippetLines[0]}-${u.snippetLines[1]}: ${u.reason}`).join('; ');
      return { task, outcome: 'unplaced', ms, modelCalls: r.modelCalls, text: r.text, note };
    }
    return { task, outcome: sameFile(r.text, task.new) ? 'exact' : 'wrong', ms, modelCalls: r.modelCalls, text: r.text };
  } catch (e) {
    return { task, outcome: 'wrong', ms: performance.now() - t0, modelCalls: 0, text: '', note: `threw: ${(e as Error).message}` };
  }
}

function runAll(apply: Applier, tasks: readonly ApplyTask[]): TaskRun[] {
  // One untimed pass over a few tasks first, so that the timed pass measures compiled code.
  for (const t of tasks.slice(0, 10)) runOne(apply, t);
  return tasks.map((t) => runOne(apply, t));
}

/** Whether dist/cli.js has the apply command (it lists it in --help), or why not. */
function cliMissing(root: string): string | undefined {
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) return 'dist/cli.js is missing (run `npm run build`)';
  const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  return /^\s+apply\b/m.test(`${help.stdout}${help.stderr}`) ? undefined : 'dist/cli.js has no apply command (rebuild with `npm run build`)';
}

/** `node dist/cli.js apply FILE --snippet SNIPPET --json`, a fresh process per task, as a user runs it. */
function runCliSample(root: string, tasks: readonly ApplyTask[], inProcess: ReadonlyMap<string, Outcome>): CliSample {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-apply-bench-'));
  const wall: number[] = [];
  const inner: number[] = [];
  let applied = 0;
  let unplaced = 0;
  let failed = 0;
  let disagreed = 0;
  let firstError: string | undefined;
  try {
    tasks.forEach((t, i) => {
      const file = path.join(dir, `${i}-${path.basename(t.path)}`);
      const snippet = path.join(dir, `${i}.snippet`);
      fs.writeFileSync(file, t.old);
      fs.writeFileSync(snippet, t.snippet);
      const t0 = performance.now();
      const p = spawnSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'apply', file, '--snippet', snippet, '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      wall.push(performance.now() - t0);
      const json = p.stdout.trim().split('\n').pop() ?? '';
      if ((p.status !== 0 && p.status !== 1) || !json.startsWith('{')) {
        failed++;
        firstError ??= `${t.id}: exit ${p.status}: ${p.stderr.trim().split('\n').pop() ?? ''}`;
        return;
      }
      const r = JSON.parse(json) as { ms?: number; unplaced?: unknown[] };
      if (typeof r.ms === 'number') inner.push(r.ms);
      if (p.status === 0) applied++;
      else unplaced++;
      if ((p.status === 1) !== (inProcess.get(t.id) === 'unplaced')) disagreed++;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { runs: tasks.length, applied, unplaced, failed, disagreed, wallMsMedian: quantile(wall, 0.5), wallMsP90: quantile(wall, 0.9), applyMsMedian: quantile(inner, 0.5), firstError };
}

const lineCount = (s: string) => s.split('\n').length - (s.endsWith('\n') ? 1 : 0);

export function runApplyBench(opts: { root: string; cliSample?: number; log: (s: string) => void }): ApplyBenchResult {
  const tasks = loadApplyTasks(opts.root);
  const styles = [...new Set(tasks.map((t) => t.style))];
  opts.log(`apply: ${tasks.length} tasks from ${new Set(tasks.map((t) => t.package)).size} packages`);
  const oursRuns = runAll(ours, tasks);
  const baseRuns = runAll(baseline, tasks);
  opts.log('apply: in process done');
  const big = tasks.reduce((a, t) => (lineCount(t.old) > lineCount(a.old) ? t : a), tasks[0]);
  const timeOf = (runs: readonly TaskRun[]) => runs.find((r) => r.task === big)?.ms ?? NaN;
  const largest = { id: big.id, lines: lineCount(big.old), msOurs: timeOf(oursRuns), msBaseline: timeOf(baseRuns) };
  const missing = cliMissing(opts.root);
  let cli: ApplyBenchResult['cli'] = { skipped: missing ?? '' };
  if (!missing) {
    const outcomes = new Map(oursRuns.map((r) => [r.task.id, r.outcome] as const));
    cli = runCliSample(opts.root, selectEvenly(tasks, opts.cliSample ?? 20), outcomes);
    opts.log('apply: CLI sample done');
  }
  return { tasks: tasks.length, packages: new Set(tasks.map((t) => t.package)).size, styles, ours: oursRuns, baseline: baseRuns, largest, cli };
}

/** The first `n` wrong tasks of `runs`: their ids, a short unified diff (merged vs expected), and the first `n` refusals. */
export function applyFailures(runs: readonly TaskRun[], n: number, maxLines = 40): string {
  const wrong = runs.filter((r) => r.outcome === 'wrong').slice(0, n);
  const out = [`\nFirst ${wrong.length} wrong of ${runs.filter((r) => r.outcome === 'wrong').length} (diff: merged -> expected):`];
  for (const r of wrong) {
    out.push(`--- ${r.task.id}${r.note ? ` (${r.note})` : ''}`);
    if (!r.text) continue;
    const patch = createTwoFilesPatch('merged', 'expected', r.text, r.task.new, undefined, undefined, { context: 2 }).split('\n').slice(4);
    out.push(...patch.slice(0, maxLines), ...(patch.length > maxLines ? [`  ... ${patch.length - maxLines} more diff lines`] : []));
  }
  const refused = runs.filter((r) => r.outcome === 'unplaced').slice(0, n);
  if (refused.length) out.push(`First ${refused.length} unplaced of ${runs.filter((r) => r.outcome === 'unplaced').length}:`, ...refused.map((r) => `  ${r.task.id}: ${r.note}`));
  return out.join('\n');
}

const r3 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);

function tallyJson(t: Tally): Record<string, unknown> {
  return { tasks: t.tasks, exact: r3(t.exact), unplaced: r3(t.unplaced), wrong: r3(t.wrong), model_calls: t.modelCalls, ms_median: r3(t.msMedian), ms_p90: r3(t.msP90) };
}

/** out.apply in results.json: per style, per edge-marker case and fenced or not, ours and the baseline. */
export function applyJson(r: ApplyBenchResult): Record<string, unknown> {
  const split = <K extends string>(key: (t: ApplyTask) => K) => {
    const keys = [...new Set(r.ours.map((x) => key(x.task)))];
    return Object.fromEntries(keys.map((k) => [k, {
      ours: tallyJson(tally(r.ours.filter((x) => key(x.task) === k))),
      baseline: tallyJson(tally(r.baseline.filter((x) => key(x.task) === k))),
    }]));
  };
  const cli = 'skipped' in r.cli ? r.cli : { ...r.cli, wallMsMedian: r3(r.cli.wallMsMedian), wallMsP90: r3(r.cli.wallMsP90), applyMsMedian: r3(r.cli.applyMsMedian) };
  return {
    data: 'test/bench/data/apply-tasks.jsonl.gz',
    tasks: r.tasks,
    packages: r.packages,
    overall: { ours: tallyJson(tally(r.ours)), baseline: tallyJson(tally(r.baseline)) },
    by_style: split((t) => t.style),
    by_edge_markers: split((t) => t.edge_markers),
    by_fence: split((t) => (t.fenced ? 'fenced' : 'plain')),
    largest: { ...r.largest, msOurs: r3(r.largest.msOurs), msBaseline: r3(r.largest.msBaseline) },
    cli,
    // Which packages the wrong merges come from (`--apply-failures N` prints them with a diff).
    wrong_by_package: r.ours.filter((x) => x.outcome === 'wrong').reduce<Record<string, number>>((m, x) => ({ ...m, [x.task.package]: (m[x.task.package] ?? 0) + 1 }), {}),
    date: new Date().toISOString().slice(0, 10),
  };
}

export function applySummary(r: ApplyBenchResult): Record<string, unknown> {
  const o = tally(r.ours);
  return {
    apply_tasks: r.tasks,
    apply_exact: r3(o.exact),
    apply_wrong: r3(o.wrong),
    apply_unplaced: r3(o.unplaced),
    apply_ms_median: r3(o.msMedian),
    apply_ms_p90: r3(o.msP90),
    apply_baseline_exact: r3(tally(r.baseline).exact),
    apply_cli_ms_median: 'skipped' in r.cli ? null : r3(r.cli.wallMsMedian),
  };
}
