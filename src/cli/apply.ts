/**
 * `diffuse-edit apply FILE --snippet S`: an edit snippet applied to FILE. Prints a unified diff, or
 * writes the file (atomically) with --write. Exit 0 applied; 1 when a piece could not be placed
 * (named on stderr, nothing written); usage and unreadable input are exit 2 (main.ts).
 */
import * as fs from 'node:fs';
import { runApply } from '../engine/apply';
import type { RemoteBackend } from '../model/remoteBackend';
import { languageIdForFile } from '../syntax';
import { openRemoteBackend } from './remote';
import { UsageError, type CliArgs } from './args';
import { filePatch, patchText } from './diffText';
import { InputFileError, readSourceFile, writeFileAtomic } from './files';

/** The snippet's text: a file, or standard input for `-`. */
function readSnippet(source: string | undefined): string {
  if (!source) throw new UsageError('apply needs --snippet FILE (or --snippet - to read standard input)');
  if (source === '-') {
    try {
      return fs.readFileSync(0, 'utf8');
    } catch {
      throw new InputFileError('could not read the snippet from standard input');
    }
  }
  return readSourceFile(source);
}

export async function runApplyCommand(args: CliArgs): Promise<number> {
  const file = args.positional[0];
  if (!file) throw new UsageError('apply needs a FILE');
  const text = readSourceFile(file);
  const snippet = readSnippet(args.snippet);
  if (snippet.trim() === '') throw new InputFileError('the snippet is empty');
  const languageId = languageIdForFile(file) ?? 'plaintext';
  // The server merges only with its apply API; otherwise the local alignment applies (no model).
  const remote = args.backend === 'remote' && args.remoteApi === 'apply' ? await openRemoteBackend(args) : undefined;
  const server = remote?.backend as RemoteBackend | undefined;
  let r;
  try {
    r = await runApply({ docText: text, snippet, languageId, remote: server && ((original, s) => server.applySnippet(original, s)) });
  } finally {
    await remote?.backend.dispose();
  }
  const unplaced = r.unplaced.map(u => ({ snippet_lines: u.snippetLines, reason: u.reason }));
  const applied = unplaced.length === 0;
  const after = applied ? r.text : text;
  // One diff of the file serves the hunk list, the printed diff and the JSON.
  const patch = filePatch(file, text, after);
  const diff = patchText(patch);
  const hunks = patch.hunks.map(h => ({ old_start: h.oldStart, old_lines: h.oldLines, new_start: h.newStart, new_lines: h.newLines }));
  if (applied && args.write && r.changed) writeFileAtomic(file, after);
  if (args.json) {
    process.stdout.write(JSON.stringify({
      file, hunks, unplaced, pieces: r.pieces, whole_file: r.wholeFile, model_calls: r.modelCalls, ms: Math.round(r.ms * 10) / 10,
      syntax_ok: r.syntax === 'unchecked' ? null : r.syntax === 'ok', changed: applied && r.changed,
      placements: (r.placements ?? []).map(p => ({
        snippet_lines: p.snippetLines, file_lines: p.fileLines, anchors: p.anchors, margin: Number.isFinite(p.margin) ? Math.round(p.margin * 100) / 100 : null,
      })),
      diff,
    }) + '\n');
  } else if (applied && !args.write) process.stdout.write(diff);
  for (const u of r.unplaced) {
    process.stderr.write(`diffuse-edit: snippet lines ${u.snippetLines[0]}-${u.snippetLines[1]} not placed: ${u.reason}\n`);
  }
  const pieces = `${r.pieces} piece(s)${r.wholeFile ? ' (the whole file)' : ''}`;
  if (!applied) {
    process.stderr.write(`diffuse-edit: ${unplaced.length} of ${pieces} could not be placed; nothing ${args.write ? 'written' : 'applied'}\n`);
    return 1;
  }
  const syntax = r.syntax === 'unchecked' ? 'not checked' : r.syntax === 'ok' ? 'ok' : 'BROKEN (more syntax errors than before; review it)';
  process.stderr.write(`diffuse-edit: applied ${pieces} in ${hunks.length} hunk(s), ${r.ms.toFixed(1)} ms, syntax ${syntax}` +
    `${args.write ? (r.changed ? `; wrote ${file}` : '; no change') : ''}\n`);
  return 0;
}
