/** `diffuse-edit repair FILE [--lines A-B] [--write]`: minimal-diff fixes of improbable tokens. */
import type { SamplerOptions } from '../core/types';
import { runRepair } from '../engine/repair';
import { languageIdForFile } from '../syntax';
import { UsageError, type CliArgs } from './args';
import type { CliBackend } from './backend';
import { printProposal, proposalJson } from './confidence';
import { unifiedDiff } from './diffText';
import { lineRangeOffsets, readSourceFile, writeFileAtomic } from './files';
import { cliWorkspaceIndex } from './workspace';

export async function runRepairCommand(args: CliArgs, b: CliBackend, sampler: SamplerOptions): Promise<number> {
  const file = args.positional[0];
  if (!file) throw new UsageError('repair needs a FILE');
  if (!b.scorer) throw new UsageError('repair needs the local model (per-token scores); the remote backend cannot score');
  const text = readSourceFile(file);
  const range = args.lines ? lineRangeOffsets(text, args.lines) : { start: 0, end: text.length };
  // The names around FILE up to the repository root: a name spelled anywhere there is real.
  const workspace = cliWorkspaceIndex(file);
  const r = await runRepair(b.backend, b.scorer, { docText: text, range, languageId: languageIdForFile(file) ?? 'plaintext', sampler, names: workspace.names.except(undefined) });
  const indexed = { files: workspace.names.fileCount, names: workspace.names.nameCount, ms: Math.round(workspace.ms) };
  const newDoc = text.slice(0, r.range.start) + r.newText + text.slice(r.range.end);
  // Each replacement's confidence is the model's margin over the original, as a probability.
  const proposal = { file, before: text, range: r.range, newText: r.newText, confidence: r.confidence };
  if (!r.changed) {
    process.stderr.write(`diffuse-edit: nothing to repair (${r.nfe} model calls, ${Math.round(r.ms)} ms)\n`);
    if (args.json) process.stdout.write(JSON.stringify({ file, changed: false, suspects: r.suspects, nfe: r.nfe, ms: Math.round(r.ms), name_index: indexed, worker_peak_rss_kb: b.workerPeakRssKb?.(), ...proposalJson(proposal, args.lowConfidence) }) + '\n');
    return 0;
  }
  if (args.write) writeFileAtomic(file, newDoc);
  if (args.json) {
    const diff = unifiedDiff(file, text, newDoc);
    process.stdout.write(JSON.stringify({ file, changed: true, suspects: r.suspects, rounds: r.rounds, nfe: r.nfe, ms: Math.round(r.ms), name_index: indexed, worker_peak_rss_kb: b.workerPeakRssKb?.(), ...proposalJson(proposal, args.lowConfidence), diff }) + '\n');
  } else printProposal(proposal, args);
  process.stderr.write(`diffuse-edit: ${r.suspects} suspicious token(s), ${r.rounds} round(s), ${r.nfe} model calls, ${Math.round(r.ms)} ms${args.write ? `; wrote ${file}` : ''}\n`);
  return 0;
}
