import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePatch } from 'diff';
import { CLI_JS, ROOT, SUM_SOURCE as SOURCE } from './helpers/model';

const built = fs.existsSync(CLI_JS);
const opts = { skip: !built && 'run npm run build first' };

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI_JS, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpFile(name: string, content: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-cli-'));
  const f = path.join(dir, name);
  fs.writeFileSync(f, content);
  return f;
}


test('edit prints a valid unified diff of the range, and --write writes exactly it', opts, () => {
  const f = tmpFile('sum.ts', SOURCE);
  const r = cli(['edit', f, '--lines', '10-12', '--json', '--seed', '3']);
  // 1 = the fill still does not parse after re-masking (reported, not hidden); the diff is printed either way.
  assert.ok(r.code === 0 || (r.code === 1 && /syntax BROKEN/.test(r.err)), `exit ${r.code}: ${r.err}`);
  const res = JSON.parse(r.out);
  assert.equal(typeof res.nfe, 'number');
  assert.ok(res.range.start >= SOURCE.indexOf('  if (items.length') && res.range.end <= SOURCE.indexOf('  return total'));
  if (res.changed) {
    const [patch] = parsePatch(res.diff);
    assert.ok(patch.hunks.length >= 1);
    for (const h of patch.hunks) for (const l of h.lines) assert.match(l, /^[ +\-\\]/);
  }
  const w = cli(['edit', f, '--lines', '10-12', '--write', '--seed', '3']);
  assert.equal(w.code === 0 || w.code === 1, true, w.err);
  const written = fs.readFileSync(f, 'utf8');
  assert.ok(written.startsWith(SOURCE.slice(0, SOURCE.indexOf('  if (items.length'))), 'text before the range untouched');
  assert.ok(written.endsWith('  return total(items) / items.length;\n}\n'), 'text after the range untouched');
});

test('infill answers one JSON line per task in the HumanEval-infilling format', opts, () => {
  const tasks = tmpFile('tasks.jsonl', [
    JSON.stringify({ task_id: 't/0', prompt: 'def add(a, b):\n    return ', suffix: '\n', language: 'python', max_tokens: 8, reference: 'a + b' }),
    JSON.stringify({ task_id: 't/1', prompt: 'const xs = [1, 2, 3];\nconst ys = xs.map(', suffix: ');\n', language: 'typescript' }),
  ].join('\n') + '\n');
  const out = tasks.replace('tasks.jsonl', 'out.jsonl');
  const r = cli(['infill', '--in', tasks, '--out', out]);
  assert.equal(r.code, 0, r.err);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.task_id), ['t/0', 't/1']);
  for (const l of lines) {
    assert.equal(typeof l.completion, 'string');
    assert.ok(l.nfe >= 1);
    assert.equal(typeof l.ms, 'number');
    assert.ok(typeof l.syntax_ok === 'boolean');
  }
  // Judged against the true middle only where one was given.
  assert.equal(typeof lines[0].syntax_ok_reference, 'boolean');
  assert.equal('syntax_ok_reference' in lines[1], false);
  const bad = tmpFile('bad.jsonl', JSON.stringify({ task_id: 'x', prompt: 'a', suffix: 'b', reference: 'c', anchoring: 'syntax' }) + '\n');
  const rb = cli(['infill', '--in', bad]);
  assert.equal(rb.code, 2);
  assert.match(rb.err, /"reference" must be a string, and needs exact anchoring/);
});

test('infill of a line of its own weighs the file\'s analogous lines, and says which one it took', opts, () => {
  const prefix = ['def defaults(init):', '    opts = {}', '    opts["name"] = init.get("name", "")', '    opts["path"] = init.get("path", "")', '    '].join('\n');
  const suffix = ['', '    opts["user"] = init.get("user", "")', '    opts["host"] = init.get("host", "")', '    return opts', ''].join('\n');
  const tasks = tmpFile('tasks.jsonl', JSON.stringify({ task_id: 'a/0', prompt: prefix, suffix, language: 'python', max_tokens: 16 }) + '\n');
  const out = tasks.replace('tasks.jsonl', 'out.jsonl');
  const on = cli(['infill', '--in', tasks, '--out', out, '--seed', '1']);
  assert.equal(on.code, 0, on.err);
  const a = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal(typeof a.analog_line, 'number', JSON.stringify(a));
  const doc = (prefix + suffix).split('\n');
  // analog_line is 1-based in the task's document (prompt + suffix: the hole is line 5).
  assert.equal(a.analog_adapted, false, 'no neighbour differs from the hole\'s in a word the analogue has');
  assert.equal(doc[a.analog_line - 1].trim(), a.completion.split('\n')[0]);
  assert.ok(a.analog_score > 0 && a.analog_score <= 2);
  const off = cli(['infill', '--in', tasks, '--out', out, '--seed', '1', '--analogs', 'off']);
  assert.equal(off.code, 0, off.err);
  const b = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.equal('analog_line' in b, false);
  assert.ok(b.nfe < a.nfe, 'scoring the candidates costs model calls');
  assert.equal(cli(['infill', '--in', tasks, '--analogs', 'maybe']).code, 2);
});

test('edit on a blank line may take a line of another file up to the repository root, and names it; dependencies are not read', opts, () => {
  const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-lines-'));
  fs.mkdirSync(path.join(repo, '.git'));
  fs.mkdirSync(path.join(repo, 'src', 'cli'), { recursive: true });
  const imports = (third: string) => [
    "import { readFile } from 'node:fs/promises';",
    "import * as path from 'node:path';",
    third,
    "import { formatReport } from './report';",
    '',
    'export async function run(p: string): Promise<string> {',
    "  return formatReport(parseManifest(await readFile(path.resolve(p), 'utf8')));",
    '}',
    '',
  ].join('\n');
  // The line's only other home is a file one folder up from FILE.
  fs.writeFileSync(path.join(repo, 'src', 'load.ts'), imports("import { parseManifest } from './manifest';"));
  const file = path.join(repo, 'src', 'cli', 'show.ts');
  fs.writeFileSync(file, imports(''));
  const r = cli(['edit', file, '--lines', '3', '--json'], repo);
  assert.equal(r.code, 0, r.err);
  const out = JSON.parse(r.out) as { analog_line: number; analog_file: string; analog_score: number; line_index: { files: number; ms: number }; diff: string };
  assert.deepEqual([out.analog_file, out.analog_line, out.analog_score], [path.join('src', 'load.ts'), 3, 2]);
  assert.match(out.diff, /^\+import \{ parseManifest \} from '\.\/manifest';$/m);
  assert.equal(out.line_index.files, 1, 'FILE itself is not indexed');
  assert.match(r.err, /the line is line 3 of src\/load\.ts's text/);
  // Only in node_modules: never read.
  fs.renameSync(path.join(repo, 'src', 'load.ts'), path.join(fs.mkdirSync(path.join(repo, 'node_modules', 'dep'), { recursive: true })!, 'load.ts'));
  const dep = JSON.parse(cli(['edit', file, '--lines', '3', '--json'], repo).out) as { analog_file?: string; line_index: { files: number } };
  assert.deepEqual([dep.analog_file, dep.line_index.files], [undefined, 0]);
  // With --analogs off nothing is indexed.
  assert.equal('line_index' in JSON.parse(cli(['edit', file, '--lines', '3', '--json', '--analogs', 'off'], repo).out), false);
});

test('an infill task with syntax anchoring rewrites whole statements and says what it replaced', opts, () => {
  // The task's region is half a statement; syntax anchoring widens it to the whole `let` line.
  const prompt = 'export function f(xs: number[]): number {\n  let n = ';
  const tasks = tmpFile('tasks.jsonl', JSON.stringify({ task_id: 'n/0', prompt, original: 'xs.length', suffix: ';\n  return n;\n}\n', language: 'typescript', anchoring: 'syntax' }) + '\n');
  const out = tasks.replace('tasks.jsonl', 'out.jsonl');
  const r = cli(['infill', '--in', tasks, '--out', out, '--steps', '4', '--strategy', 'confidence']);
  assert.equal(r.code, 0, r.err);
  const [line] = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(line.replaced, 'let n = xs.length;');
  assert.equal(typeof line.completion, 'string');
  const bad = tmpFile('bad.jsonl', JSON.stringify({ task_id: 'x', prompt: '', suffix: '', anchoring: 'nodes' }) + '\n');
  const rb = cli(['infill', '--in', bad]);
  assert.equal(rb.code, 2);
  assert.match(rb.err, /"anchoring" must be exact, lines or syntax/);
});

const badInputs: Array<[string, () => string[], RegExp]> = [
  ['a missing file', () => ['edit', '/nonexistent/file.ts'], /File not found/],
  ['a binary file', () => ['edit', tmpFile('blob.ts', Buffer.from([0x63, 0x00, 0x01, 0x02]))], /looks binary/],
  ['non-UTF-8 text', () => ['edit', tmpFile('latin1.ts', Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0x20, 0xe9, 0x0a]))], /not valid UTF-8/],
  ['lines past the end', () => ['edit', tmpFile('short.ts', 'let a = 1;\n'), '--lines', '5-9'], /has only 1 line/],
  ['a bad option value', () => ['edit', 'x.ts', '--steps', 'many'], /--steps needs an integer/],
  ['no candidates', () => ['edit', 'x.ts', '--candidates', '0'], /--candidates needs an integer from 1 to 32/],
  ['an unknown option', () => ['edit', 'x.ts', '--fast'], /Unknown option --fast/],
  ['an unknown command', () => ['rewrite', 'x.ts'], /Unknown command "rewrite"/],
  ['a missing model folder', () => ['edit', tmpFile('a.ts', 'let a = 1;\n'), '--model', '/nonexistent/model'], /Model folder not found/],
  ['infill without --in', () => ['infill'], /infill needs --in/],
];

for (const [name, args, message] of badInputs) {
  test(`${name} exits with code 2 and one clear line`, opts, () => {
    const r = cli(args());
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, message);
    assert.equal(r.err.trim().split('\n').length, 1, `one line, got: ${r.err}`);
    assert.doesNotMatch(r.err, /\bat .*\(.*:\d+:\d+\)/, 'no stack trace');
  });
}
