/**
 * The CLI's workspace index: the names for `repair FILE` (core/names NameIndex) and the lines for a
 * blank line filled by `edit FILE --lines N` (core/lineIndex LineIndex), read from the files next to
 * FILE first, then those of each folder
 * above it, up to the repository root (the nearest folder with `.git`; without one, FILE's folder
 * alone). Dependency, build and hidden folders, binary and huge files and files of no known
 * language are skipped, and reading stops at the caps of core/names NAME_INDEX_LIMITS. FILE itself
 * is left out: the repair counts its text.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LineIndex, lineLanguageOfPath } from '../core/lineIndex';
import { familyOfPath, looksBinary, NAME_INDEX_LIMITS, NameIndex, SKIPPED_FOLDERS } from '../core/names';

export interface CliWorkspace {
  /** The names (empty unless asked for). */
  readonly names: NameIndex;
  /** The lines (empty unless asked for). */
  readonly lines: LineIndex;
  /** The folder the index reaches up to. */
  readonly root: string;
  readonly ms: number;
}

/** The nearest folder at or above `dir` that holds `.git`, or undefined. */
export function repositoryRoot(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

export function cliWorkspaceIndex(file: string, limits: { maxFileBytes: number; maxTotalBytes: number; maxFiles: number } = NAME_INDEX_LIMITS,
  want: { readonly names: boolean; readonly lines: boolean } = { names: true, lines: false }): CliWorkspace {
  const t0 = performance.now();
  const names = new NameIndex();
  const lines = new LineIndex();
  // The caps count what was read, whichever index keeps it.
  let bytesRead = 0;
  let filesRead = 0;
  const self = path.resolve(file);
  const start = path.dirname(self);
  const root = repositoryRoot(start) ?? start;
  let full = false;
  const read = (f: string) => {
    if (full || f === self) return;
    const family = familyOfPath(f);
    const language = lineLanguageOfPath(f);
    if (!(want.names && family) && !(want.lines && language)) return;
    let size: number;
    try {
      const st = fs.statSync(f);
      if (!st.isFile()) return;
      size = st.size;
    } catch {
      return;
    }
    if (size > limits.maxFileBytes) return;
    if (bytesRead + size > limits.maxTotalBytes || filesRead >= limits.maxFiles) {
      full = true;
      return;
    }
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(f);
    } catch {
      return;
    }
    if (looksBinary(bytes)) return;
    const text = bytes.toString('utf8');
    bytesRead += size;
    filesRead++;
    if (want.names) names.set(f, text, family);
    if (want.lines) lines.set(f, text, language);
  };
  // Breadth first below `dir`, leaving out the folder already read.
  const walk = (dir: string, skip: string | undefined) => {
    const queue = [dir];
    while (queue.length && !full) {
      const d = queue.shift()!;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) if (e.isFile()) read(path.join(d, e.name));
      for (const e of entries) {
        const sub = path.join(d, e.name);
        if (e.isDirectory() && !SKIPPED_FOLDERS.has(e.name) && !e.name.startsWith('.') && sub !== skip) queue.push(sub);
      }
    }
  };
  let done: string | undefined;
  for (let d = start; !full; d = path.dirname(d)) {
    walk(d, done);
    done = d;
    if (d === root || path.dirname(d) === d) break;
  }
  return { names, lines, root, ms: performance.now() - t0 };
}
