/**
 * Memory: the peak resident sets of a CLI run (the main process with tree-sitter, and the inference
 * worker process with the default model, which reports its own) editing and repairing a region of a 1,000-line file stays far below a bound
 * that a leak or an unbounded batch would cross. Not a timing assert: the numbers are printed for
 * the record. A whole-file edit batches all its chunks into each model call and peaks higher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI_JS, ROOT } from './helpers/model';

const opts = { skip: !fs.existsSync(CLI_JS) && 'run npm run build first' };
const PRELOAD = pathToFileURL(path.join(__dirname, 'helpers', 'reportRss.mjs')).href;
const BOUND_MB = 1024;

function thousandLines(): string {
  const lines: string[] = [];
  for (let i = 0; lines.length < 1000; i++) {
    lines.push(`export function f${i}(items: number[]): number {`, '  let sum = 0;',
      `  for (const item of items) sum += item * ${i};`, '  return sum;', '}', '');
  }
  return `${lines.slice(0, 1000).join('\n')}\n`;
}

for (const command of [['edit', '--lines', '500-530', '--steps', '4', '--json'], ['repair', '--lines', '500-530', '--steps', '4', '--json']]) {
  test(`peak RSS of ${command[0]} on a 1,000-line file stays under ${BOUND_MB} MB`, opts, () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-rss-')), 'thousand.ts');
    fs.writeFileSync(file, thousandLines());
    const r = spawnSync(process.execPath, ['--import', PRELOAD, CLI_JS, command[0]!, file, ...command.slice(1)], { cwd: ROOT, encoding: 'utf8' });
    const mainKb = Number(/peak-rss-kb (\d+)/.exec(r.stderr)?.[1]);
    assert.match(r.stderr, /model calls/, 'the model ran');
    assert.ok(mainKb > 0, `no RSS reported: ${r.stderr}`);
    const workerKb = Number(JSON.parse(r.stdout).worker_peak_rss_kb);
    assert.ok(workerKb > 0, `the worker reported no RSS: ${r.stdout.slice(0, 300)}`);
    const mb = (kb: number) => (kb / 1024).toFixed(0);
    console.log(`# ${command[0]}: peak RSS main ${mb(mainKb)} MB, worker ${mb(workerKb)} MB`);
    assert.ok((mainKb + workerKb) / 1024 < BOUND_MB, `peak RSS ${mb(mainKb)} + ${mb(workerKb)} MB`);
  });
}
