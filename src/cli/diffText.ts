/** A unified diff of a whole file, as `diff -u` / git would print it. */
import * as path from 'node:path';
import { createTwoFilesPatch } from 'diff';

export function unifiedDiff(file: string, before: string, after: string): string {
  if (before === after) return '';
  const name = path.relative(process.cwd(), path.resolve(file)).split(path.sep).join('/');
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
}
