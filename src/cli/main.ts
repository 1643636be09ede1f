/**
 * `diffuse-edit`: the engine headless. Exit codes: 0 ok, 1 the fill failed, 2 usage or bad input
 * (one clear line on stderr, never a stack trace for a user error).
 */
import { repairPlan } from '../engine/effort';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lineLanguageOfPath } from '../core/lineIndex';
import { NAME_INDEX_LIMITS } from '../core/names';
import type { OffsetRange, SamplerOptions } from '../core/types';
import { LINE_FILL_TOKENS, samplerOptions } from '../engine/defaults';
import { runEdit } from '../engine/edit';
import { ModelPackageError } from '../model/modelPackage';
import { configureSyntax, languageIdForFile, preloadSyntax } from '../syntax';
import { parseArgs, USAGE, UsageError, type CliArgs } from './args';
import { openBackend, type CliBackend } from './backend';
import { InputFileError, readSourceFile, lineRangeOffsets, writeFileAtomic } from './files';
import { analogJson, runInfill } from './infill';
import { runRepairCommand } from './repair';
import { cliWorkspaceIndex } from './workspace';
import { runApplyCommand } from './apply';
import { unifiedDiff } from './diffText';
import { printProposal, proposalJson } from './confidence';

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!['edit', 'infill', 'repair', 'apply'].includes(args.command)) throw new UsageError(`Unknown command "${args.command}" (see --help)`);
  if (args.annotate && args.command !== 'edit' && args.command !== 'repair') throw new UsageError(`--annotate is for edit and repair, not ${args.command}`);
  if (args.annotate && args.json) throw new UsageError('--annotate prints for a reader; --json already gives each hunk\'s confidence and low_tokens');
  configureSyntax({});
  // Apply places the snippet by alignment: no model is loaded.
  if (args.command === 'apply') return runApplyCommand(args);
  const text = validateInputs(args);
  // The grammar loads and the file is parsed while the worker loads the model.
  const syntax = text === undefined ? undefined : preloadSyntax(languageIdForFile(args.positional[0]) ?? 'plaintext', text).catch(() => undefined);
  const backend = await openBackend(args);
  await syntax;
  try {
    const sampler = cliSampler(args, backend);
    if (args.command === 'infill') return await runInfill(args, backend, sampler);
    if (args.command === 'repair') return await runRepairCommand(args, backend, sampler);
    return await runEditCommand(args, backend, sampler);
  } finally {
    await backend.backend.dispose();
  }
}

/** Bad input is refused before the model is loaded; the text of FILE, when the command has one. */
function validateInputs(args: CliArgs): string | undefined {
  if (args.command === 'infill') {
    if (!args.input) throw new UsageError('infill needs --in tasks.jsonl');
    if (!fs.existsSync(args.input)) throw new UsageError(`File not found: ${args.input}`);
    return undefined;
  }
  const file = args.positional[0];
  if (!file) throw new UsageError(`${args.command} needs a FILE`);
  const text = readSourceFile(file);
  const range = args.lines ? lineRangeOffsets(text, args.lines) : { start: 0, end: text.length };
  // A model asked to rewrite nothing invents code (and takes long doing it): answer at once. One
  // blank line given to edit is filled instead, as Quick Rewrite fills one in the editor.
  if (text.slice(range.start, range.end).trim() === '' && !blankLineFill(args, text)) {
    const what = args.lines ? `lines ${args.lines[0]}-${args.lines[1]} of ${file} hold only whitespace` : `${file} is empty or holds only whitespace`;
    throw new InputFileError(`${what}; there is nothing to ${args.command}`);
  }
  return text;
}

/** The engine's defaults, the model's recommendations, then the flags (engine/defaults). */
export function cliSampler(args: CliArgs, b: CliBackend): SamplerOptions {
  return samplerOptions(b.defaults, args.sampler);
}

/**
 * `edit FILE --lines N` on a blank line: the insertion point after the line's indentation, where
 * the line is filled (the model's fill weighed against the file's lines like it, engine/analogFill).
 */
function blankLineFill(args: CliArgs, text: string): OffsetRange | undefined {
  if (args.command !== 'edit' || !args.lines || args.lines[0] !== args.lines[1]) return undefined;
  const range = lineRangeOffsets(text, args.lines);
  if (text.slice(range.start, range.end).trim() !== '') return undefined;
  return { start: range.end, end: range.end };
}

async function runEditCommand(args: CliArgs, b: CliBackend, sampler: SamplerOptions): Promise<number> {
  const file = args.positional[0];
  if (!file) throw new UsageError('edit needs a FILE');
  const text = readSourceFile(file);
  const blank = blankLineFill(args, text);
  const range = blank ?? (args.lines ? lineRangeOffsets(text, args.lines) : { start: 0, end: text.length });
  const languageId = languageIdForFile(file) ?? 'plaintext';
  // A blank line may take a line of another file like it: the files around FILE, up to the repository root (cli/workspace).
  const workspace = blank && args.analogs && b.scorer ? cliWorkspaceIndex(file, NAME_INDEX_LIMITS, { names: false, lines: true }) : undefined;
  const result = await runEdit(b.backend, {
    docText: text,
    range,
    languageId,
    anchoring: args.lines && !blank ? args.anchoring : 'exact',
    ...(blank ? { maxTokens: LINE_FILL_TOKENS, oneLine: true, scorer: args.analogs ? b.scorer : undefined, elsewhere: workspace?.lines.view(lineLanguageOfPath(file), undefined) } : {}),
    sampler,
    fixedSteps: args.sampler.steps !== undefined,
    maxCanvasTokens: b.maxCanvasTokens,
    countTokens: b.countTokens,
    slack: b.slack,
    ...repairPlan(args.repairEffort),
    ...args.repair,
    onStep: b.progress ? (e) => b.progress?.(e.step, e.totalSteps) : undefined,
  });
  b.progress?.done();
  // Another file's line is named relative to the working directory, as FILE was given.
  const analog = result.analog?.file ? { ...result.analog, file: path.relative(process.cwd(), result.analog.file) } : result.analog;
  if (result.notice) process.stderr.write(`diffuse-edit: ${result.notice}\n`);
  const proposal = { file, before: text, range: result.range, newText: result.newText, confidence: result.confidence };
  const newDoc = text.slice(0, result.range.start) + result.newText + text.slice(result.range.end);
  const summary = {
    file,
    range: result.range,
    chunks: result.chunks,
    nfe: result.nfe,
    repair_nfe: result.repairNfe,
    ms: Math.round(result.ms),
    syntax_ok: result.syntaxChecked ? result.syntaxOk : null,
    repair_rounds: result.repairRounds,
    repair_ledger: result.ledger,
    variant_fills: result.variantFills,
    recovered: result.recovered,
    ...analogJson(analog),
    ...(workspace ? { line_index: { files: workspace.lines.fileCount, ms: Math.round(workspace.ms) } } : {}),
    changed: newDoc !== text,
  };
  if (args.write && newDoc !== text) writeFileAtomic(file, newDoc);
  if (args.json) process.stdout.write(JSON.stringify({ ...summary, worker_peak_rss_kb: b.workerPeakRssKb?.(), ...proposalJson(proposal, args.lowConfidence), diff: unifiedDiff(file, text, newDoc) }) + '\n');
  else printProposal(proposal, args);
  process.stderr.write(
    `diffuse-edit: ${result.chunks} chunk(s), ${result.nfe} model calls, ${summary.ms} ms, syntax ${summary.syntax_ok === null ? 'not checked' : summary.syntax_ok ? 'ok' : 'BROKEN'}` +
      `${analog ? `; the line is line ${analog.line + 1}${analog.file ? ` of ${analog.file}` : ''}'s text${analog.adapted ? ' with the names its neighbours differ in changed to this line\'s' : ''}, whose neighbours match this line's (${analog.score.toFixed(2)} of 2)` : ''}` +
      `${result.repairRounds ? ` after ${result.repairRounds} repair round(s)` : ''}` +
      `${result.variantFills ? ` (${result.variantFills} span(s) kept as a balanced, cut-back or line-dropped variant${result.recovered ? ', the text the parser could not fit taken out' : ''})` : ''}${args.write ? (summary.changed ? `; wrote ${file}` : '; no change') : ''}\n`,
  );
  return result.syntaxChecked && !result.syntaxOk ? 1 : 0;
}

const userErrors = new Set(['UsageError', 'ModelPackageError', 'InputFileError', 'RemoteConfigError']);

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    const user = userErrors.has(e.name) || e instanceof ModelPackageError;
    process.stderr.write(`diffuse-edit: ${e.message.split('\n')[0]}\n`);
    if (!user && process.env.DIFFUSE_DEBUG) process.stderr.write(`${e.stack}\n`);
    process.exit(user ? 2 : 1);
  },
);
