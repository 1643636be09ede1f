/**
 * `npm run bench`: diffusion against one-token-at-a-time on held-out code (speed and quality side
 * by side) and against a KV-cached autoregressive decoder of the same shape, the step/threshold
 * trade-off, scaling, the machine's limit, the calibration of the confidence the review shows, the
 * CLI end to end, repair, a HumanEval-infilling slice, and Diffuse Apply (edit snippets applied to
 * real package edits, no model). Prints a table per section, then one JSON line; writes
 * test/bench/results.json, media/perf-canvas.svg and media/confidence-calibration.svg (and their
 * PNGs, which the README shows). No timing is asserted anywhere.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SamplerOptions, Strategy } from '../../../src/core/types';
import { configureSyntax } from '../../../src/syntax';
import { applyFailures, applyJson, applySummary, runApplyBench } from './applyBench';
import { cliDefaultSampler, confidenceJson, confidenceTable, cutTasks, HOLE_KINDS, loadReserved, runConfidenceBench, type ConfidenceResult } from './confidence';
import { MODEL_FREE, OWN_RECORD, parseBenchArgs, type BenchArgs } from './args';
import { arJson, arSummary, arTable, runArBench, withUncached } from './arSection';
import { heldOutTypeScript, loadTimes, quickRewriteFigure, runCli, type CliRun } from './e2e';
import { cutHoles, loadHeldOut } from './holdout';
import { runHumanEval, type HumanEvalResult } from './humaneval';
import { openEngine, type Engine } from './inproc';
import { describeMachine, type Machine } from './machine';
import { measurePeak, type Architecture } from './peak';
import { cutRepairBlocks, packageNames, runRepairBench } from './repair';
import { runLineFillBench } from './lineFill';
import * as report from './report';
import { canvasScaling, batchScaling } from './scaling';
import { runSize, type SizeResult } from './speed';
import { budgetRows, contextTables, methodsOf, rewriteSource, stepCosts } from './context';
import { canvasBudget } from '../../../src/engine/defaults';
import { reliabilityChart } from './reliabilityChart';
import { rowFromRun, runSweep, sweepConfigs } from './sweep';
import { lineChart } from './svg';
import { round } from './table';

const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const print = (s: string) => process.stdout.write(`${s}\n`);

function defaultSampler(e: Engine): SamplerOptions {
  const c = e.model.pkg.config.sampler;
  return { steps: c.steps ?? 32, strategy: (c.strategy as Strategy) ?? 'threshold', threshold: c.threshold ?? 0.9, temperature: 0, topP: 0.95, seed: 0, blockLength: 0 };
}

function resultsPath(root: string): string {
  return path.join(root, 'test', 'bench', 'results.json');
}

function readResults(root: string): Record<string, unknown> {
  try {
    return JSON.parse(fs.readFileSync(resultsPath(root), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function sizeSummary(s: SizeResult): Record<string, unknown> {
  const d = (r: SizeResult['default']) => ({
    strategy: r.sampler.strategy, steps: r.sampler.steps, threshold: r.sampler.threshold,
    ms_median: round(r.ms.median, 1), ms_q1: round(r.ms.q1, 1), ms_q3: round(r.ms.q3, 1), ms_min: round(r.ms.min, 1), ms_max: round(r.ms.max, 1),
    nfe_median: r.nfe.median, tokens_per_s: round(r.tokensPerS, 1), exact: round(r.exact), edit_sim: round(r.editSim), syntax_ok: round(r.syntaxOk), fills: r.fills, chunks: round(r.chunks, 2),
  });
  return { target_tokens: s.target, holes: s.holes, mean_tokens: round(s.meanTokens, 1), note: s.note, speedup: round(s.speedup), default: d(s.default), baseline: d(s.baseline) };
}

/** Whether the run has a section that needs the model (the apply section alone does not). */
function needsModel(a: BenchArgs): boolean {
  return a.command === 'humaneval' || [...a.only].some((s) => !MODEL_FREE.has(s));
}

async function bench(a: BenchArgs): Promise<void> {
  const t0 = performance.now();
  const machine = describeMachine(a.root, a.threads);
  const out: Record<string, unknown> = { ...readResults(a.root) };
  // What a run of OWN_RECORD sections alone must leave as the last full run wrote it.
  const lastRun = { model: out.model, held_out: out.held_out, mode: out.mode };
  const summary: Record<string, unknown> = {};
  const modelStep = needsModel(a) ? await modelSections(a, machine, out, summary) : undefined;
  if (a.only.has('apply')) {
    const r = runApplyBench({ root: a.root, log });
    print(report.applyTable(r));
    if (a.applyFailures > 0) print(applyFailures(r.ours, a.applyFailures));
    out.apply = { ...applyJson(r), machine: { cpu: machine.cpu, cores: machine.cores, load: Math.round(os.loadavg()[0] * 100) / 100 } };
    Object.assign(summary, applySummary(r));
  }
  machine.loadEnd = Math.round(os.loadavg()[0] * 100) / 100;
  const totalS = (performance.now() - t0) / 1000;
  // A run of some sections leaves the others as they were: which model step measured each is kept.
  const modelRun = [...a.only].filter((s) => !MODEL_FREE.has(s));
  const measuredBy = { ...(out.section_model_step as Record<string, unknown> | undefined), ...Object.fromEntries(modelRun.map((s) => [s, modelStep])) };
  // The top-level machine, time and date describe the last run of the model sections (out.apply
  // and the OWN_RECORD sections have their own).
  const topLevel = modelRun.some((s) => !OWN_RECORD.has(s));
  Object.assign(out, summary, modelRun.length ? { section_model_step: measuredBy } : {},
    topLevel ? { machine, bench_seconds: Math.round(totalS), date: new Date().toISOString().slice(0, 10) } : {});
  if (modelRun.length && !topLevel) for (const [k, v] of Object.entries(lastRun)) if (v !== undefined) out[k] = v;
  if (a.write) fs.writeFileSync(resultsPath(a.root), JSON.stringify(out, null, 2) + '\n');
  print(`\nmachine: ${machine.cpu}, ${machine.cores} cores, ${a.threads} threads, load ${machine.loadStart} -> ${machine.loadEnd}; ${Math.round(totalS)} s in all`);
  print(JSON.stringify({ ...summary, machine: { cpu: machine.cpu, cores: machine.cores, threads: a.threads }, model_step: modelStep, mode: out.mode, seconds: Math.round(totalS) }));
}

/** The sections that run the model; returns the model's training step. */
async function modelSections(a: BenchArgs, machine: Machine, out: Record<string, unknown>, summary: Record<string, unknown>): Promise<number | undefined> {
  const engine = await openEngine(a.modelDir, a.threads);
  const cfgRaw = JSON.parse(fs.readFileSync(path.join(a.modelDir, 'config.json'), 'utf8')) as { architecture: Architecture; training?: { step?: number; tokens?: number }; onnx?: { quantization?: string } };
  const def = defaultSampler(engine);
  const { docs, source } = loadHeldOut(a.root);
  log(`model ${engine.model.pkg.config.name} (step ${cfgRaw.training?.step ?? '?'}), loaded in ${Math.round(engine.loadMs)} ms; held-out ${docs.length} files from ${source}`);
  const plan = a.quick
    ? { n32: 4, rep32: 1, n128: 3, rep128: 1, n512: 1, sites: 1, peakRepeats: 5, repairPerKind: 4, humaneval: 8, confidencePerKind: 8, arRepeats: 1, lines: 8 }
    : { n32: 8, rep32: 2, n128: 5, rep128: 2, n512: 1, sites: 1, peakRepeats: 10, repairPerKind: 40, humaneval: 16, confidencePerKind: 60, arRepeats: 3, lines: 100 };
  const holes32 = cutHoles(docs, engine.count, 32, plan.n32, a.seed);
  const holes128 = cutHoles(docs, engine.count, 128, 8, a.seed);
  const holes512 = cutHoles(docs, engine.count, 512, plan.n512, a.seed);
  out.model = { dir: path.relative(a.root, a.modelDir) || a.modelDir, name: engine.model.pkg.config.name, training_step: cfgRaw.training?.step, training_tokens: cfgRaw.training?.tokens, parameters: (cfgRaw.architecture as unknown as { parameters?: number }).parameters };
  out.held_out = { source, files: docs.length, seed: a.seed };
  out.mode = a.quick ? 'quick' : 'full';

  let speed128: SizeResult | undefined;
  if (a.only.has('speed')) {
    const sizes: SizeResult[] = [];
    for (const [target, holes, reps] of [[32, holes32, plan.rep32], [128, holes128.slice(0, plan.n128), plan.rep128], [512, holes512, 1]] as const) {
      sizes.push(await runSize(engine, holes, target, def, reps, log));
    }
    speed128 = sizes.find((s) => s.target === 128);
    print(report.speedTable(sizes));
    out.speed = Object.fromEntries(sizes.map((s) => [String(s.target), sizeSummary(s)]));
    for (const s of sizes) {
      Object.assign(summary, {
        [`speedup_${s.target}`]: round(s.speedup), [`exact_default_${s.target}`]: round(s.default.exact), [`exact_baseline_${s.target}`]: round(s.baseline.exact),
        [`ms_default_${s.target}`]: round(s.default.ms.median, 1), [`ms_baseline_${s.target}`]: round(s.baseline.ms.median, 1),
        [`edit_sim_default_${s.target}`]: round(s.default.editSim), [`edit_sim_baseline_${s.target}`]: round(s.baseline.editSim),
      });
    }
  }
  if (a.only.has('ar')) {
    // The speed section's holes; its uncached baseline goes beside the cached anchor when it ran too.
    const loadStart = Math.round(os.loadavg()[0] * 100) / 100;
    const plans = [[32, holes32], [128, holes128.slice(0, plan.n128)], [512, holes512]] as const;
    const r = await runArBench(engine, a.root, a.modelDir, a.threads, plans.map(([target, holes]) => ({ target, holes, repeats: plan.arRepeats })), def, log);
    const sizes = r.sizes.map((s) => withUncached(s, a.only.has('speed') ? (out.speed as Parameters<typeof withUncached>[1]) : undefined));
    print(arTable(sizes, def));
    out.ar = {
      sizes: arJson(sizes), anchor: r.anchor, decode_vs_recompute_max_abs_logit_diff: round(r.check.maxDiff, 5), zeroed_cache_max_abs_logit_diff: round(r.check.zeroCacheDiff, 3),
      sampler: def, sampler_topk_in_onnxruntime: r.samplerTopk, model_step: cfgRaw.training?.step, mode: out.mode, date: new Date().toISOString().slice(0, 10),
      machine: { cpu: machine.cpu, cores: machine.cores, threads: a.threads, onnxruntime: machine.onnxruntime, load_start: loadStart, load_end: Math.round(os.loadavg()[0] * 100) / 100 },
    };
    Object.assign(summary, arSummary(sizes));
  }
  if (a.only.has('sweep')) {
    // Same holes as the speed section, whose default and baseline runs are reused as rows.
    const holes = holes128.slice(0, plan.n128);
    const same = (x: SamplerOptions) => x.strategy === def.strategy && (x.strategy === 'threshold' ? x.threshold === def.threshold : x.steps === def.steps);
    const measured = await runSweep(engine, holes, [...sweepConfigs(def, speed128 ? same : undefined), ...(speed128 ? [] : [{ label: 'ar (1 token/step)', sampler: { ...def, strategy: 'ar' as const } }])], log);
    const rows = speed128
      ? [...measured, rowFromRun(`${def.strategy} ${def.strategy === 'threshold' ? def.threshold : `K=${def.steps}`} (default)`, speed128.default), rowFromRun('ar (1 token/step)', speed128.baseline)]
      : measured;
    const order = ['confidence', 'threshold', 'entropy', 'margin', 'ar'];
    rows.sort((x, y) => order.indexOf(x.strategy) - order.indexOf(y.strategy) || (x.threshold ?? x.steps) - (y.threshold ?? y.steps));
    print(report.sweepTable(128, rows));
    out.sweep = { target_tokens: 128, holes: holes.length, rows: rows.map((r) => ({ ...r, msMedian: round(r.msMedian, 1), msQ1: round(r.msQ1, 1), msQ3: round(r.msQ3, 1), exact: round(r.exact), editSim: round(r.editSim), syntaxOk: round(r.syntaxOk) })) };
  }
  if (a.only.has('scaling')) {
    const lengths = [16, 32, 64, 128, 224].filter((L) => L <= engine.maxCanvasTokens);
    const canvas = await canvasScaling(engine, holes128.slice(0, plan.sites), lengths, def, log);
    const batchSampler: SamplerOptions = { ...def, strategy: 'confidence', steps: 16 };
    const batch = await batchScaling(engine, holes128, [1, 2, 4, 8], batchSampler, log);
    print(report.scalingTables(canvas, batch, 'confidence K=16'));
    out.scaling = { canvas, batch, batch_sampler: 'confidence K=16' };
    if (a.write) writePlot(a.root, canvas, machine.cpu, machine.cores, a.threads, engine.model.pkg.config.name);
  }
  if (a.only.has('context')) {
    const stepCost = await stepCosts(a.modelDir, a.threads, [128, 256, 512, 768, 1024], 3 * plan.peakRepeats);
    log('context: step cost by row length done');
    const rewrites = rewriteSource(a.root, { docs, source });
    const methods = methodsOf(rewrites.docs, a.limit ?? (a.quick ? 8 : 80));
    const defaultBudget = canvasBudget(engine.model.pkg.config.maxContext);
    if (methods.length === 0) log(`context: ${rewrites.source} has no TypeScript method of 8-14 lines to rewrite`);
    const budgets = methods.length === 0 ? [] : await budgetRows(engine, methods,
      [{ budget: defaultBudget, contextCache: true }, { budget: defaultBudget, contextCache: false }, { budget: 160, contextCache: true }, { budget: 192, contextCache: true }],
      cliDefaultSampler(engine), log);
    const r = { source: rewrites.source, stepCost, budgets };
    print(contextTables(r, defaultBudget));
    out.context = { ...r, stepCost: stepCost.map((x) => ({ tokens: x.tokens, msMedian: round(x.msMedian, 1), ...(x.cachedMsMedian ? { cachedMsMedian: round(x.cachedMsMedian, 1) } : {}) })),
      budgets: budgets.map((x) => ({ ...x, editSim: round(x.editSim, 4), msMedian: Math.round(x.msMedian), chunksPerEdit: round(x.chunksPerEdit, 2) })) };
    const at = (n: number) => stepCost.find((x) => x.tokens === n)?.msMedian;
    if (at(256) && at(1024)) summary.step_cost_1024_vs_256 = round(at(1024)! / at(256)!, 2);
    const cached1024 = stepCost.find((x) => x.tokens === 1024)?.cachedMsMedian;
    if (at(256) && cached1024) summary.cached_step_cost_1024_vs_256 = round(cached1024 / at(256)!, 2);
  }
  if (a.only.has('peak')) {
    const p = await measurePeak(engine, cfgRaw.architecture, a.threads, plan.peakRepeats, cfgRaw.onnx?.quantization);
    print(report.peakTable(p));
    out.peak = p;
    summary.peak_share = round(p.peakShare, 4);
  }
  if (a.only.has('confidence')) {
    const reserved = loadReserved(a.root);
    const tasks = HOLE_KINDS.flatMap((kind) => cutTasks(reserved.docs, kind, a.limit ?? plan.confidencePerKind, a.seed));
    const loadStart = Math.round(os.loadavg()[0] * 100) / 100;
    log(`confidence: ${tasks.length} holes from ${reserved.source} (${reserved.docs.length} files of packages reserved for evaluation)`);
    const sampler = cliDefaultSampler(engine);
    const r = await runConfidenceBench(engine, tasks, sampler, log);
    print(confidenceTable(r));
    out.confidence = {
      ...confidenceJson(r), model_step: cfgRaw.training?.step, held_out: { source: reserved.source, files: reserved.docs.length, seed: a.seed },
      sampler, date: new Date().toISOString().slice(0, 10),
      machine: { cpu: machine.cpu, cores: machine.cores, threads: a.threads, load_start: loadStart, load_end: Math.round(os.loadavg()[0] * 100) / 100 },
    };
    Object.assign(summary, { confidence_ece: round(r.tokens.ece, 4), confidence_ece_lines: round(r.lines.ece, 4), confidence_auroc_lines: round(r.lines.auroc) });
    if (a.write) writeCalibrationPlot(a.root, r, engine.model.pkg.config.name, cfgRaw.training?.step);
  }
  await engine.backend.dispose();
  if (a.only.has('e2e')) {
    const load = await loadTimes(a.root, a.modelDir);
    const file = heldOutTypeScript(docs, 1000);
    const runs: CliRun[] = [runCli(a.root, a.modelDir, '50-line edit', file, ['--lines', '201-250'])];
    log('e2e: 50-line edit done');
    // The same edit with the syntax repair at `fast` (off by default): its budget, in calls and time.
    runs.push(runCli(a.root, a.modelDir, '50-line edit, fast repair', file, ['--lines', '201-250', '--repair-effort', 'fast']));
    log('e2e: 50-line edit with fast repair done');
    // A fixed step count bounds the whole-file run: the threshold sampler may take one step per
    // token of each ~170-token chunk when the model is unsure, which would not fit the time budget.
    runs.push(runCli(a.root, a.modelDir, 'whole 1,000-line file', file, ['--strategy', 'confidence', '--steps', '8']));
    log('e2e: whole file done');
    print(report.e2eTable(runs, load));
    // Quick Rewrite in the real workbench, a figure from its UI test (never an assert there).
    const quickRewrite = quickRewriteFigure(a.root);
    log(quickRewrite.skipped ? `e2e: Quick Rewrite skipped: ${quickRewrite.skipped}`
      : `e2e: Quick Rewrite in the workbench: review ${quickRewrite.quick_rewrite_ms} ms after the key press (first of the window), ${quickRewrite.quick_rewrite_warm_ms ?? '?'} ms with the model loaded`);
    out.e2e = { load, runs, quick_rewrite: quickRewrite };
    Object.assign(summary, { cli_ms_50_lines: round(runs[0].wallMs, 0), cli_ms_1000_lines: round(runs[2].wallMs, 0),
      nfe_first_fill_50: runs[0].nfe - runs[0].repairNfe, nfe_total_50: runs[0].nfe,
      cli_ms_50_lines_fast: round(runs[1].wallMs, 0), nfe_first_fill_50_fast: runs[1].nfe - runs[1].repairNfe, nfe_total_50_fast: runs[1].nfe, model_load_ms: round(load.workerLoadMs, 0), cli_start_ms: round(load.cliStartMs, 0),
      quick_rewrite_ms: quickRewrite.quick_rewrite_ms, quick_rewrite_warm_ms: quickRewrite.quick_rewrite_warm_ms });
    const failed = runs.filter((r) => r.error).map((r) => `${r.label}: ${r.error}`);
    if (failed.length) summary.cli_failures = failed;
    else delete out.cli_failures;
  }
  if (a.only.has('repair')) {
    const reopened = await openEngine(a.modelDir, a.threads);
    // Blocks from packages the model never trained on; each block's workspace is its package.
    const reserved = loadReserved(a.root, a.docs);
    const perKind = a.limit ?? plan.repairPerKind;
    const blocks = cutRepairBlocks(reserved.docs, Math.max(60, 5 * perKind), a.seed + 1, perKind);
    log(`repair: ${blocks.length} blocks of 8-16 lines from ${reserved.source} (${new Set(blocks.map((b) => b.pkg)).size} packages${a.docs ? '' : ' reserved for evaluation'})`);
    const rows = await runRepairBench(reopened, blocks, perKind, def, a.seed, log, { names: packageNames(reserved.docs), margin: a.repairMargin, kinds: a.repairKinds });
    await reopened.backend.dispose();
    print(report.repairTable(rows));
    out.repair = { block_lines: '8-16', held_out: { source: reserved.source, packages: [...new Set(blocks.map((b) => b.pkg))].sort() }, kinds: rows.map((r) => ({ ...r, repaired: round(r.repaired), repairedWs: round(r.repairedWs), changed: round(r.changed), msMedian: round(r.msMedian, 1) })) };
    const clean = rows.find((r) => r.kind === 'clean');
    const bad = rows.filter((r) => r.kind !== 'clean');
    summary.repair_rate = round(bad.reduce((s, r) => s + r.repaired * r.blocks, 0) / Math.max(1, bad.reduce((s, r) => s + r.blocks, 0)));
    summary.repair_false_change = round(clean?.changed ?? NaN);
  }
  if (a.only.has('line')) {
    const reopened = await openEngine(a.modelDir, a.threads);
    const reserved = loadReserved(a.root, a.docs);
    const tasks = cutTasks(reserved.docs, 'single', a.limit ?? plan.lines, a.seed);
    log(`line: ${tasks.length} single lines of ${reserved.source}${a.docs ? '' : ' (packages reserved for evaluation)'}, emptied and filled`);
    const rows = await runLineFillBench(reopened, tasks, reserved.docs, cliDefaultSampler(reopened), log);
    await reopened.backend.dispose();
    // The same through the CLI, a fresh process: a blank line of a 1,000-line held-out file.
    const file = heldOutTypeScript(docs, 1000).split('\n');
    const n = file.findIndex((l, i) => i >= 200 && l.trim().length >= 8);
    file[n] = file[n].slice(0, file[n].length - file[n].trimStart().length);
    const cli = fs.existsSync(path.join(a.root, 'dist', 'cli.js')) ? runCli(a.root, a.modelDir, 'blank line', file.join('\n'), ['--lines', String(n + 1)]) : undefined;
    print(report.lineFillTable(rows, cli));
    out.line = { held_out: reserved.source, ways: rows.map((r) => ({ ...r, exact: round(r.exact), editSimilarity: round(r.editSimilarity, 4), analogShare: round(r.analogShare), elsewhereShare: round(r.elsewhereShare), msMedian: round(r.msMedian, 1), msP90: round(r.msP90, 1) })), cli };
    const [withAnalogs, fileOnly, alone] = rows;
    Object.assign(summary, { line_exact: round(withAnalogs.exact), line_edit_similarity: round(withAnalogs.editSimilarity, 4), line_ms_median: round(withAnalogs.msMedian, 0),
      line_exact_file_analogs: round(fileOnly.exact), line_edit_similarity_file_analogs: round(fileOnly.editSimilarity, 4),
      line_exact_model_alone: round(alone.exact), line_edit_similarity_model_alone: round(alone.editSimilarity, 4), line_cli_ms: cli ? round(cli.wallMs, 0) : undefined });
  }
  if (a.only.has('humaneval')) {
    const r = await runHumanEval({ root: a.root, modelDir: a.modelDir, subset: 'single-line', limit: plan.humaneval, log });
    print(report.humanEvalTable(r));
    out.humaneval = { ...(out.humaneval as object | undefined), [r.subset]: humanEvalJson(r) };
    summary.humaneval_single_line_pass1 = round(r.passAt1);
  }
  return cfgRaw.training?.step;
}

function humanEvalJson(r: HumanEvalResult): Record<string, unknown> {
  return { ...r, passAt1: round(r.passAt1), msPerTaskMedian: round(r.msPerTaskMedian, 1), msPerTaskMean: round(r.msPerTaskMean, 1), syntaxOk: round(r.syntaxOk), cliWallMs: Math.round(r.cliWallMs), date: new Date().toISOString().slice(0, 10) };
}

function writePlot(root: string, canvas: ReadonlyArray<{ canvas: number; decoder: string; msMedian: number }>, cpu: string, cores: number, threads: number, model: string): void {
  const series = (d: string, name: string, color: string) => ({ name, color, points: canvas.filter((p) => p.decoder === d).map((p) => [p.canvas, p.msMedian] as const) });
  const svg = lineChart({
    title: 'Time per fill vs canvas length',
    subtitle: `${model}, onnxruntime CPU, ${threads} threads on ${cpu} (${cores} cores)`,
    xLabel: 'canvas length (tokens)',
    yLabel: 'ms per fill (median)',
    series: [series('default', 'diffusion (default sampler)', '#0969da'), series('ar', 'one token per step (ar)', '#cf222e')],
  });
  writeChart(root, 'perf-canvas', svg);
}

function writeCalibrationPlot(root: string, r: ConfidenceResult, model: string, step: number | undefined): void {
  const note = (c: ConfidenceResult['tokens']) => `ECE ${c.ece.toFixed(3)}, AUROC ${c.auroc.toFixed(2)}, ${c.count} in all, ${(c.shareRight * 100).toFixed(0)}% right`;
  const svg = reliabilityChart({
    title: 'Is the review\'s confidence calibrated?',
    subtitle: `${model} (step ${step ?? '?'}), default sampler, no repair; ${r.tasks} held-out holes from packages it never trained on`,
    panels: [
      { name: 'Tokens (p when committed)', color: '#0969da', bins: r.tokens.bins, note: note(r.tokens) },
      { name: 'Lines (least certain token)', color: '#8250df', bins: r.lines.bins, note: note(r.lines) },
    ],
  });
  writeChart(root, 'confidence-calibration', svg);
}

/** media/NAME.svg and its PNG (the README shows the PNG: the Marketplace refuses SVG images). */
function writeChart(root: string, name: string, svg: string): void {
  fs.mkdirSync(path.join(root, 'media'), { recursive: true });
  const svgFile = path.join(root, 'media', `${name}.svg`);
  fs.writeFileSync(svgFile, svg);
  const png = spawnSync(process.execPath, [path.join(root, 'scripts', 'svg-to-png.mjs'), svgFile], { cwd: root, encoding: 'utf8' });
  if (png.status !== 0) log(`media/${name}.png not updated: ${(png.stderr || png.stdout).trim()}`);
}

async function humaneval(a: BenchArgs): Promise<void> {
  const r = await runHumanEval({ root: a.root, modelDir: a.modelDir, subset: a.subset, limit: a.limit, data: a.data, maxTokens: a.maxTokens, cliArgs: a.cliArgs, oracle: a.oracle, log });
  print(report.humanEvalTable(r));
  if (a.write && !a.oracle) {
    const out = readResults(a.root);
    out.humaneval = { ...(out.humaneval as object | undefined), [r.subset]: humanEvalJson(r) };
    fs.writeFileSync(resultsPath(a.root), JSON.stringify(out, null, 2) + '\n');
  }
  print(JSON.stringify({ subset: r.subset, pass_at_1: round(r.passAt1), passed: r.passed, tasks: r.tasks, ms_per_task_median: round(r.msPerTaskMedian, 1) }));
}

async function main(): Promise<void> {
  // The bundle lives in node_modules/.cache/diffuse-edit-bench/ (see bench.mjs).
  const root = path.resolve(__dirname, '..', '..', '..');
  const a = parseBenchArgs(process.argv.slice(2), root);
  configureSyntax({ queriesDir: path.join(root, 'src', 'syntax', 'queries') });
  if (needsModel(a) && !fs.existsSync(path.join(a.modelDir, 'model.onnx'))) throw new Error(`No model at ${a.modelDir} (model.onnx missing); pass --model DIR`);
  if (!fs.existsSync(path.join(root, 'dist', 'cli.js')) && (a.command === 'humaneval' || a.only.has('e2e') || a.only.has('humaneval'))) {
    throw new Error('dist/cli.js is missing: run `npm run build` first');
  }
  await (a.command === 'humaneval' ? humaneval(a) : bench(a));
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`bench: ${e.message}\n`);
    if (process.env.DIFFUSE_DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  },
);
