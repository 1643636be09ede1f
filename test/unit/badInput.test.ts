/**
 * Bad input to the CLI that test/unit/cli.test.ts does not cover: each case gets one clear line on
 * stderr, the right exit code, and the file on disk keeps every byte (even with --write).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_JS, ROOT } from './helpers/model';

const opts = { skip: !fs.existsSync(CLI_JS) && 'run npm run build first' };

function cli(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI_JS, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpFile(name: string, content: string | Buffer): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-bad-')), name);
  fs.writeFileSync(f, content);
  return f;
}

const refusals: Array<[string, () => { file: string; args: string[] }, RegExp]> = [
  ['an empty file (edit)', () => {
    const file = tmpFile('empty.ts', '');
    return { file, args: ['edit', file, '--write'] };
  }, /is empty or holds only whitespace; there is nothing to edit/],
  ['an empty file (repair)', () => {
    const file = tmpFile('empty.ts', '');
    return { file, args: ['repair', file, '--write'] };
  }, /is empty or holds only whitespace; there is nothing to repair/],
  ['a whitespace-only file', () => {
    const file = tmpFile('blank.py', ' \n\t\r\n\n');
    return { file, args: ['edit', file, '--write'] };
  }, /holds only whitespace/],
  ['whitespace-only lines', () => {
    const file = tmpFile('gap.ts', 'let a = 1;\n\n   \n\t\nlet b = 2;\n');
    return { file, args: ['repair', file, '--lines', '2-4', '--write'] };
  }, /lines 2-4 of .* hold only whitespace; there is nothing to repair/],
  ['a file above the size limit', () => {
    const file = tmpFile('huge.ts', `${'// padding padding padding padding padding\n'.repeat(50_000)}`);
    return { file, args: ['edit', file, '--write'] };
  }, /is \d+\.\d MB, above the 2\.0 MB limit; select a region with --lines/],
  ['a model folder that is a file', () => {
    const file = tmpFile('a.ts', 'let a = 1;\n');
    return { file, args: ['edit', file, '--write', '--model', file] };
  }, /Model path is not a folder/],
];

for (const [name, make, message] of refusals) {
  test(`${name}: exit code 2, one clear line, the file untouched`, opts, () => {
    const { file, args } = make();
    const before = fs.readFileSync(file);
    const r = cli(args);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, message);
    assert.equal(r.err.trim().split('\n').length, 1, `one line, got: ${r.err}`);
    assert.doesNotMatch(r.err, /\bat .*\(.*:\d+:\d+\)/, 'no stack trace');
    assert.ok(fs.readFileSync(file).equals(before), 'the file keeps every byte');
  });
}

test('a language without a grammar is edited as plain text and says the syntax was not checked', opts, () => {
  const file = tmpFile('notes.unknownext', 'first line of notes\nsecond line of notes\n');
  const r = cli(['edit', file, '--steps', '4', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /syntax not checked/);
  assert.equal(JSON.parse(r.out).syntax_ok, null);
});

test('an infill task larger than the model\'s context is answered per task, with the limit named', opts, () => {
  const tasks = tmpFile('tasks.jsonl', [
    JSON.stringify({ task_id: 'huge', prompt: 'x = ', suffix: '\n', max_tokens: 5000 }),
    JSON.stringify({ task_id: 'small', prompt: 'def add(a, b):\n    return ', suffix: '\n', language: 'python', max_tokens: 8 }),
  ].join('\n') + '\n');
  const r = cli(['infill', '--in', tasks, '--steps', '4']);
  assert.equal(r.code, 1, 'not every task was filled');
  const answers = r.out.trim().split('\n').map(l => JSON.parse(l) as { task_id: string; error?: string; completion: string });
  assert.deepEqual(answers.map(a => a.task_id), ['huge', 'small']);
  assert.match(answers[0]!.error ?? '', /canvas of 5000 tokens; the model fits at most \d+/);
  assert.equal(answers[1]!.error, undefined, 'the other task is still filled');
  assert.match(r.err, /1\/2 tasks filled/);
});
