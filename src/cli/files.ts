/** Reading and writing the user's files safely: refuse what is not text, never leave a half-written file. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OffsetRange } from '../core/types';

export const MAX_FILE_BYTES = 2_000_000;

export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

/** The file as text; refuses missing, binary, non-UTF-8 and oversized files with a clear message. */
export function readSourceFile(file: string, maxBytes = MAX_FILE_BYTES): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new InputFileError(`File not found: ${file}`);
  }
  if (!st.isFile()) throw new InputFileError(`Not a regular file: ${file}`);
  if (st.size > maxBytes) throw new InputFileError(`${file} is ${(st.size / 1e6).toFixed(1)} MB, above the ${(maxBytes / 1e6).toFixed(1)} MB limit; select a region with --lines`);
  const raw = fs.readFileSync(file);
  if (raw.includes(0)) throw new InputFileError(`${file} looks binary (it contains NUL bytes); only text files can be edited`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    throw new InputFileError(`${file} is not valid UTF-8 text; convert it to UTF-8 first`);
  }
}

/** Offsets of 1-based inclusive lines A-B: from the start of line A to the end of line B (newline excluded). */
export function lineRangeOffsets(text: string, [from, to]: [number, number]): OffsetRange {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const lines = text.endsWith('\n') ? starts.length - 1 : starts.length;
  if (from > lines) throw new InputFileError(`--lines ${from}-${to}: the file has only ${lines} line(s)`);
  const last = Math.min(to, lines);
  const start = starts[from - 1];
  let end = last < starts.length ? starts[last] - 1 : text.length; // the newline ending line B
  if (end > start && text[end - 1] === '\r') end--;
  return { start, end: Math.max(start, end) };
}

export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.diffuse-${process.pid}.tmp`);
  const mode = fs.statSync(file).mode;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}
