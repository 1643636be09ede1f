/** A unified diff of a whole file, as `diff -u` / git would print it. */
import * as path from 'node:path';
import { formatPatch, structuredPatch, type StructuredPatch } from 'diff';

/** The hunks between two versions of `file` (named relative to the working directory, a/ and b/). */
export function filePatch(file: string, before: string, after: string): StructuredPatch {
  const name = path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/');
  return structuredPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
}

/** `patch` as unified diff text; empty when nothing changed. */
export function patchText(patch: StructuredPatch): string {
  return patch.hunks.length ? formatPatch(patch) : '';
}

export function unifiedDiff(file: string, before: string, after: string): string {
  return before === after ? '' : patchText(filePatch(file, before, after));
}
