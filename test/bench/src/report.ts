/** The benchmark's tables: one per section, printed as soon as the section finishes. */
import type { PeakResult } from './peak';
import type { RepairKindResult } from './repair';
import type { BatchPoint, CanvasPoint } from './scaling';
import type { SizeResult } from './speed';
import type { SweepRow } from './sweep';
import type { CliRun, LoadTimes } from './e2e';
import type { HumanEvalResult } from './humaneval';
import type { LineFillWay } from './lineFill';
import { tally, type ApplyBenchResult } from './applyBench';
import { fixed, ms, pct, table } from './table';

export function speedTable(sizes: readonly SizeResult[]): string {
  const rows = sizes.flatMap((s) => [s.default, s.baseline].map((d) => [
    `~${s.target} (${s.meanTokens.toFixed(0)} tok, ${s.holes} holes${s.chunks > 1 ? `, ${s.chunks.toFixed(1)} chunks` : ''})`,
    d === s.default ? `default (${d.sampler.strategy}${d.sampler.strategy === 'threshold' ? ` ${d.sampler.threshold}` : ''}, K<=${d.sampler.steps})` : 'ar (1 token/step)',
    ms(d.ms.median), `${ms(d.ms.q1)}-${ms(d.ms.q3)}`, `${ms(d.ms.min)}-${ms(d.ms.max)}`, fixed(d.nfe.median, 0), fixed(d.tokensPerS, 0),
    d === s.default ? `${fixed(s.speedup)}x` : '1.00x', pct(d.exact), fixed(d.editSim, 3), pct(d.syntaxOk),
  ]));
  const notes = sizes.filter((s) => s.note).map((s) => `  note ~${s.target}: ${s.note}`);
  return table('Diffusion vs one token per step (same model, same process; ms per fill over holes x repeats after a warm-up)',
    ['hole', 'decoder', 'ms med', 'IQR', 'min-max', 'NFE', 'tok/s', 'speedup', 'exact', 'edit sim', 'syntax ok'], rows) + (notes.length ? `\n${notes.join('\n')}` : '');
}

export function sweepTable(target: number, rows: readonly SweepRow[]): string {
  return table(`Steps and thresholds on ~${target}-token holes (one pass each)`,
    ['sampler', 'ms med', 'IQR', 'NFE', 'exact', 'edit sim', 'syntax ok'],
    rows.map((r) => [r.label, ms(r.msMedian), `${ms(r.msQ1)}-${ms(r.msQ3)}`, fixed(r.nfeMedian, 0), pct(r.exact), fixed(r.editSim, 3), pct(r.syntaxOk)]));
}

export function scalingTables(canvas: readonly CanvasPoint[], batch: readonly BatchPoint[], batchSampler: string): string {
  const lengths = [...new Set(canvas.map((p) => p.canvas))];
  const at = (L: number, d: 'default' | 'ar') => canvas.find((p) => p.canvas === L && p.decoder === d);
  const a = table('Time per fill vs canvas length (pure infill inside held-out files; median over sites)',
    ['canvas', 'seq', 'default ms', 'default NFE', 'ar ms', 'ar NFE', 'ar / default'],
    lengths.map((L) => {
      const d = at(L, 'default');
      const r = at(L, 'ar');
      return [L, d?.sequence ?? '-', ms(d?.msMedian ?? NaN), fixed(d?.nfeMedian ?? NaN, 0), ms(r?.msMedian ?? NaN), fixed(r?.nfeMedian ?? NaN, 0), d && r ? `${fixed(r.msMedian / d.msMedian)}x` : '-'];
    }));
  const b = table(`Time vs batch size (chunks of ~128 tokens filled together, ${batchSampler})`,
    ['chunks', 'ms per fill', 'ms per chunk', 'ms per model call', 'NFE'],
    batch.map((p) => [p.batch, ms(p.msPerFill), ms(p.msPerChunk), fixed(p.msPerForward, 1), p.nfe]));
  return `${a}\n${b}`;
}

export function peakTable(p: PeakResult): string {
  return table(`The machine's limit (matmul ${p.matmul.size}^3 peaks: fp32 ${fixed(p.matmul.gflopsBest, 1)} GFLOP/s best, ${fixed(p.matmul.gflopsMedian, 1)} median; `
    + `int8 ${fixed(p.matmulInt8.gopsBest, 1)} GOP/s best, ${fixed(p.matmulInt8.gopsMedian, 1)} median; shares of the ${p.reference} peak, the model's weights)`,
    ['forward', 'GFLOP', 'ms med', 'GFLOP/s', `share of ${p.reference} peak`],
    p.forwards.map((f) => [`batch ${f.batch} x ${f.seq} tokens`, fixed(f.gflop, 2), fixed(f.msMedian, 1), fixed(f.gflops, 1), pct(f.share)]));
}

export function e2eTable(runs: readonly CliRun[], load: LoadTimes): string {
  return table(`End to end: \`node dist/cli.js edit\` (fresh process each; node + bundle start ${ms(load.cliStartMs)} ms, worker start + model load ${ms(load.workerLoadMs)} ms)`,
    ['edit', 'lines', 'wall ms', 'edit ms', 'start+load ms', 'chunks', 'NFE', 'syntax ok', 'args'],
    runs.map((r) => [r.label, r.lines || '-', ms(r.wallMs), ms(r.editMs), ms(r.startupAndLoadMs), r.chunks || '-', r.nfe || '-', r.syntaxOk === null ? '-' : r.syntaxOk ? 'yes' : 'no', r.args]))
    + runs.filter((r) => r.error).map((r) => `\n  FAILED ${r.label}: ${r.error}`).join('');
}

export function repairTable(rows: readonly RepairKindResult[]): string {
  return table('Repair: one seeded slip per 8-16-line block of packages never trained on (runRepair, default sampler)',
    ['corruption', 'blocks', 'restored exactly', 'restored (ws)', 'changed', 'ms med', 'NFE'],
    rows.map((r) => [r.kind, r.blocks, r.kind === 'clean' ? `${pct(r.repaired)} untouched` : pct(r.repaired), pct(r.repairedWs), r.kind === 'clean' ? `${pct(r.changed)} false change` : pct(r.changed), ms(r.msMedian), fixed(r.nfeMedian, 0)]));
}

export function lineFillTable(rows: readonly LineFillWay[], cli?: CliRun): string {
  const t = table('Filling a blank line: single lines of packages never trained on, emptied to their indentation (runEdit, 32-token canvas, default sampler)',
    ['way', 'lines', 'exact', 'edit similarity', 'an analogous line', 'of another file', 'ms med', 'ms p90', 'NFE med'],
    rows.map((r) => [r.way, r.tasks, pct(r.exact), fixed(r.editSimilarity, 3), r.way === 'model alone' ? '-' : pct(r.analogShare), r.way === 'analogs' ? pct(r.elsewhereShare) : '-', ms(r.msMedian), ms(r.msP90), fixed(r.nfeMedian, 0)]));
  if (!cli) return t;
  return `${t}\n  CLI end to end (\`node dist/cli.js edit FILE --lines N\` on a blank line of a 1,000-line file, fresh process): wall ${ms(cli.wallMs)} ms, edit ${ms(cli.editMs)} ms${cli.error ? ` (failed: ${cli.error})` : ''}`;
}

export function humanEvalTable(r: HumanEvalResult): string {
  const fails = Object.entries(r.failures).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return table(`HumanEval-infilling ${r.subset} (${r.tasks} of ${r.of} tasks, max_tokens ${r.maxTokens}, ${r.sampler})`,
    ['pass@1', 'passed', 'ms/task med', 'ms/task mean', 'NFE med', 'syntax ok', 'CLI wall s', 'not passed'],
    [[pct(r.passAt1), `${r.passed}/${r.tasks}`, ms(r.msPerTaskMedian), ms(r.msPerTaskMean), fixed(r.nfeMedian, 0), pct(r.syntaxOk), fixed(r.cliWallMs / 1000, 1), fails]]);
}

export function applyTable(r: ApplyBenchResult): string {
  const row = (who: string, what: string, runs: ApplyBenchResult['ours']) => {
    const t = tally(runs);
    return [who, what, t.tasks, pct(t.exact), pct(t.unplaced), pct(t.wrong), who === 'baseline' ? '-' : t.modelCalls, fixed(t.msMedian, 2), fixed(t.msP90, 2)];
  };
  const rows = (['ours', 'baseline'] as const).flatMap((who) => {
    const runs = who === 'ours' ? r.ours : r.baseline;
    return [row(who, 'all', runs), ...r.styles.map((s) => row(who, s, runs.filter((x) => x.task.style === s)))];
  });
  const cli = 'skipped' in r.cli
    ? `  CLI end to end: skipped (${r.cli.skipped})`
    : `  CLI end to end (\`node dist/cli.js apply FILE --snippet S --json\`, fresh process each, ${r.cli.runs} tasks): wall ${ms(r.cli.wallMsMedian)} ms median, ${ms(r.cli.wallMsP90)} ms p90 (apply ${fixed(r.cli.applyMsMedian, 1)} ms inside); `
      + `${r.cli.applied} applied, ${r.cli.unplaced} unplaced, ${r.cli.failed} failed, ${r.cli.disagreed} disagreeing with the in-process run${r.cli.firstError ? `\n  first CLI failure: ${r.cli.firstError}` : ''}`;
  return table(`Diffuse Apply: edit snippets applied to real package edits (${r.tasks} tasks, ${r.packages} packages; exact = the new version, unplaced = refused, wrong = silently different)`,
    ['apply', 'style', 'tasks', 'exact', 'unplaced', 'wrong', 'model calls', 'ms med', 'ms p90'], rows)
    + `\n  largest file: ${r.largest.lines} lines (${r.largest.id}): ours ${fixed(r.largest.msOurs, 2)} ms, baseline ${fixed(r.largest.msBaseline, 2)} ms\n${cli}`;
}
