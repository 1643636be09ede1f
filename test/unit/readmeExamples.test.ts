/**
 * The README's first examples, run as written with the built CLI and the bundled model: apply the
 * fixture snippet (two hunks, the expected file), and repair the fixture's slip (`unitPirce`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI_JS, ROOT } from './helpers/model';

const opts = { skip: !fs.existsSync(CLI_JS) && 'run npm run build first' };
const EXAMPLES = path.join(ROOT, 'test', 'fixtures', 'examples');

test('README: apply the fixture snippet to inventory.ts', opts, () => {
  const r = spawnSync(process.execPath, [CLI_JS, 'apply', path.join(EXAMPLES, 'inventory.ts'), '--snippet', path.join(EXAMPLES, 'inventory-snippet.md'), '--json'],
    { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { hunks: unknown[]; unplaced: unknown[]; syntax_ok: boolean; diff: string; model_calls: number };
  assert.equal(out.hunks.length, 2);
  assert.deepEqual(out.unplaced, []);
  assert.equal(out.syntax_ok, true);
  assert.equal(out.model_calls, 0);
  assert.match(out.diff, /^\+ {4}if \(!item \|\| quantity <= 0 \|\| item\.quantity < quantity\) \{$/m);
  assert.match(out.diff, /^\+ {4}return \[\.\.\.this\.items\.values\(\)\]\.reduce\(/m);
  assert.match(out.diff, /^- {4}let total = 0;$/m);
});

test('README: repair finds the slip in inventory-slip.ts and proposes the name used elsewhere', opts, () => {
  const r = spawnSync(process.execPath, [CLI_JS, 'repair', path.join(EXAMPLES, 'inventory-slip.ts'), '--lines', '33-39'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^- {6}total \+= item\.quantity \* item\.unitPirce;$/m);
  assert.match(r.stdout, /^\+ {6}total \+= item\.quantity \* item\.unitPrice;$/m);
  assert.equal(r.stdout.split('\n').filter(l => /^[+-][^+-]/.test(l)).length, 2, 'one line changed, nothing else');
});

test('README: edit on the blank line of inventory-blank.ts fills it with the line like it', opts, () => {
  const r = spawnSync(process.execPath, [CLI_JS, 'edit', path.join(EXAMPLES, 'inventory-blank.ts'), '--lines', '46'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\+ {4}const item = this\.items\.get\(sku\);$/m);
  assert.equal(r.stdout.split('\n').filter(l => /^[+-][^+-]/.test(l)).length, 2, 'the blank line replaced, nothing else');
  // inventory.ts next to it has the line between the same two lines; the file itself has it in remove() (line 22).
  assert.match(r.stderr, /the line is line 46 of test\/fixtures\/examples\/inventory\.ts's text, whose neighbours match this line's \(2\.00 of 2\)/);
  const json = spawnSync(process.execPath, [CLI_JS, 'edit', path.join(EXAMPLES, 'inventory-blank.ts'), '--lines', '46', '--json'], { cwd: ROOT, encoding: 'utf8' });
  const out = JSON.parse(json.stdout) as { analog_line: number; analog_file: string; line_index: { files: number } };
  assert.deepEqual([out.analog_line, out.analog_file], [46, path.join('test', 'fixtures', 'examples', 'inventory.ts')]);
  assert.ok(out.line_index.files > 1, JSON.stringify(out.line_index));
  // Without the file's lines, the model's own fill is not that line.
  const alone = spawnSync(process.execPath, [CLI_JS, 'edit', path.join(EXAMPLES, 'inventory-blank.ts'), '--lines', '46', '--analogs', 'off', '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal('analog_line' in JSON.parse(alone.stdout), false);
});
