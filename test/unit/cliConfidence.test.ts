/**
 * The CLI's confidence: `edit --json` hunks with the probability of their least certain token,
 * `--annotate` marking the tokens below `--low-confidence`, `repair --json` hunks with the model's
 * margin as a probability, and a backend without probabilities saying so. The real bundled model
 * runs through dist/cli.js; the remote backend runs against the loopback server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyPatch, parsePatch } from 'diff';
import { marginConfidence } from '../../src/core/confidence';
import { REPAIR_MARGIN } from '../../src/engine/repair';
import { rankCandidates } from '../../src/model/scorer';
import { startFakeServer, type FakeServer } from '../helpers/fakeServer';
import { CLI_JS, ROOT, defaultModel, SUM_SOURCE as SOURCE } from './helpers/model';

const built = fs.existsSync(CLI_JS);
const opts = { skip: !built && 'run npm run build first' };

interface Token { text: string; line: number; column: number; p: number }
interface HunkJson {
  old_start: number; old_lines: number; new_start: number; new_lines: number;
  confidence: number | null; least_certain: Token | null; low_tokens: Token[];
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [CLI_JS, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function tmpFile(name: string, content: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-cli-conf-')), name);
  fs.writeFileSync(f, content);
  return f;
}

/** Offset of a 1-based line and column in `text`. */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) at = text.indexOf('\n', at) + 1;
  return at + column - 1;
}

function textAt(text: string, t: Token): string {
  const at = offsetOf(text, t.line, t.column);
  return text.slice(at, at + t.text.length);
}

/** The 1-based lines of the new file that a diff adds, and of the old file that it removes. */
function changedLines(diff: string): { added: number[]; removed: number[] } {
  const added: number[] = [];
  const removed: number[] = [];
  for (const h of parsePatch(diff)[0]?.hunks ?? []) {
    let o = h.oldStart;
    let n = h.newStart;
    for (const l of h.lines) {
      if (l.startsWith('+')) added.push(n++);
      else if (l.startsWith('-')) removed.push(o++);
      else if (l.startsWith(' ')) {
        o++;
        n++;
      }
    }
  }
  return { added, removed };
}


// The model rewrites these lines with seed 3 (a different text, so there are hunks to judge).
const EDIT = ['--lines', '10-12', '--seed', '3'];

let edited: { file: string; res: { confidence_source: string | null; low_confidence: number; changed: boolean; hunks: HunkJson[]; diff: string }; after: string } | undefined;

/** `edit --json --low-confidence 1` once: every token the model was not certain of is listed. */
function editJson() {
  if (edited) return edited;
  const file = tmpFile('sum.ts', SOURCE);
  const r = cli(['edit', file, ...EDIT, '--json', '--low-confidence', '1']);
  assert.ok(r.code === 0 || (r.code === 1 && /syntax BROKEN/.test(r.err)), `exit ${r.code}: ${r.err}`);
  const res = JSON.parse(r.out);
  const after = applyPatch(SOURCE, res.diff);
  assert.equal(typeof after, 'string', 'the JSON diff applies to the original');
  edited = { file, res, after: after as string };
  return edited;
}

test('edit --json: each hunk has its lines, and its confidence is its least certain token, found where it says', opts, () => {
  const { res, after } = editJson();
  assert.equal(res.confidence_source, 'model');
  assert.equal(res.low_confidence, 1);
  assert.equal(res.changed, true, 'seed 3 changes these lines');
  assert.ok(res.hunks.length >= 1);
  const { added, removed } = changedLines(res.diff);
  const inside = (l: number, start: number, count: number) => l >= start && l < start + count;
  for (const l of added) assert.ok(res.hunks.some((h) => inside(l, h.new_start, h.new_lines)), `added line ${l} is in a hunk`);
  for (const l of removed) assert.ok(res.hunks.some((h) => inside(l, h.old_start, h.old_lines)), `removed line ${l} is in a hunk`);
  let judged = 0;
  for (const h of res.hunks) {
    for (const t of h.low_tokens) {
      assert.equal(textAt(after, t), t.text, `token ${JSON.stringify(t)} is where it says`);
      assert.ok(inside(t.line, h.new_start, h.new_lines), 'a hunk lists only its own tokens');
      assert.ok(t.p < 1, 'below the threshold of 1');
    }
    if (h.confidence === null) {
      assert.equal(h.least_certain, null);
      assert.deepEqual(h.low_tokens, []);
      continue;
    }
    judged++;
    assert.ok(h.confidence > 0 && h.confidence <= 1, `confidence ${h.confidence} in (0, 1]`);
    assert.ok(h.least_certain);
    assert.equal(h.least_certain.p, h.confidence);
    assert.equal(textAt(after, h.least_certain), h.least_certain.text, 'the least certain token is where it says');
    // Every token below 1 is listed: the least certain of them is the hunk's confidence.
    if (h.confidence < 1) assert.equal(Math.min(...h.low_tokens.map((t) => t.p)), h.confidence);
    else assert.deepEqual(h.low_tokens, []);
  }
  assert.ok(judged >= 1, 'the model wrote some of the new text');
});

test('edit --annotate marks exactly the lines holding a token below --low-confidence, with a caret under each', opts, () => {
  const { file, res } = editJson();
  const low = res.hunks.flatMap((h) => h.low_tokens);
  assert.ok(low.length > 0);
  const all = cli(['edit', file, ...EDIT, '--annotate', '--low-confidence', '1']);
  assert.ok(all.code === 0 || all.code === 1, all.err);
  const rows = all.out.split('\n');
  // The annotated diff is the plain diff with `?` rows added.
  assert.equal(rows.filter((r) => !r.startsWith('?')).join('\n'), res.diff);
  const plain = rows.filter((r) => !r.startsWith('?')).join('\n');
  const { added } = changedLines(plain);
  // The new-file line of each row, and which rows are followed by a marker.
  const marked = new Map<number, string>();
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(rows[i]);
    if (header) n = Number(header[1]);
    else if (/^[+ ]/.test(rows[i]) && n > 0) {
      if (rows[i + 1]?.startsWith('?')) marked.set(n, rows[i + 1]);
      n++;
    }
  }
  // Only added lines are marked (a line the file's diff keeps as context was not changed).
  const withLow = new Set(low.map((t) => t.line).filter((l) => added.includes(l)));
  assert.ok(withLow.size > 0);
  assert.deepEqual([...marked.keys()].sort((a, b) => a - b), [...withLow].sort((a, b) => a - b));
  for (const [line, row] of marked) {
    const carets = new Set([...row].flatMap((c, i) => (c === '^' ? [i] : [])));
    const want = new Set(low.filter((t) => t.line === line).flatMap((t) => Array.from({ length: t.text.length }, (_, k) => t.column + k)));
    assert.deepEqual([...carets].sort((a, b) => a - b), [...want].sort((a, b) => a - b), `carets under the low tokens of line ${line}: ${row}`);
    assert.match(row, /\d+%/, 'with their probabilities');
  }
  assert.match(all.err, new RegExp(`\\d+ token\\(s\\) below 100% on ${marked.size} added line\\(s\\)`));
  const none = cli(['edit', file, ...EDIT, '--annotate', '--low-confidence', '0']);
  assert.ok(none.code === 0 || none.code === 1, none.err);
  assert.equal(none.out, res.diff, 'nothing is below 0: the plain diff');
});

test('repair --json: the mended name\'s hunk has the model\'s margin over the typo as its confidence', opts, async () => {
  const clean = SOURCE.replace('sum += item;', 'sum = sum + item;');
  const typo = clean.replace('sum = sum + item;', 'sum = smu + item;');
  const file = tmpFile('sum.ts', typo);
  const r = cli(['repair', file, '--json']);
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.equal(res.changed, true);
  assert.equal(applyPatch(typo, res.diff), clean);
  assert.equal(res.confidence_source, 'model');
  assert.equal(res.hunks.length, 1);
  const [h] = res.hunks as HunkJson[];
  assert.equal(h.old_start, 4);
  assert.equal(h.new_start, 4);
  assert.deepEqual(h.least_certain && { ...h.least_certain, p: 0 }, { text: 'sum', line: 4, column: 11, p: 0 });
  assert.equal(h.least_certain?.p, h.confidence);
  // The margin, measured here: the model's log-probability of the fix over the typo at the site.
  const at = typo.indexOf(' smu');
  const ranked = await rankCandidates(await defaultModel(), [{ prefix: typo.slice(0, at), suffix: typo.slice(at + ' smu'.length), candidates: [' smu', ' sum'] }], () => false);
  const [slip, fix] = ranked.scores[0];
  const margin = fix - slip;
  assert.ok(margin >= REPAIR_MARGIN);
  const p = h.confidence ?? NaN;
  assert.ok(p >= marginConfidence(REPAIR_MARGIN) && p < 1, `${p}`);
  // Compared as log-odds (near 1 a probability hides the difference), and within a nat: the model's
  // activations are quantized per batch, so the repair's batch of sites scores a little unlike this
  // one site alone (repair.test.ts pins the exact margin from the repair's own ranking).
  assert.ok(Math.abs(Math.log(p / (1 - p)) - margin) < 1, `confidence ${p} vs sigmoid(${margin}) = ${marginConfidence(margin)}`);
});

test('bad --low-confidence values and --annotate where it has no meaning exit 2 with one line', opts, () => {
  for (const [args, message] of [
    [['edit', 'x.ts', '--low-confidence', '1.5'], /--low-confidence needs a number from 0 to 1, got "1.5"/],
    [['edit', 'x.ts', '--low-confidence', 'low'], /--low-confidence needs a number from 0 to 1/],
    [['edit', 'x.ts', '--low-confidence'], /--low-confidence needs a value/],
    [['edit', 'x.ts', '--annotate', '--json'], /--annotate prints for a reader/],
    [['apply', 'x.ts', '--annotate'], /--annotate is for edit and repair/],
  ] as Array<[string[], RegExp]>) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.match(r.err, message);
    assert.equal(r.err.trim().split('\n').length, 1);
  }
});

describeRemote();

/** A server without log-probabilities: no confidence, and --annotate says so once. */
function describeRemote(): void {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.close());

  const run = (args: string[]) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    // Asynchronously: the server answers from this process.
    const child = spawn(process.execPath, [CLI_JS, ...args], { cwd: ROOT, env: { ...process.env, DIFFUSE_API_KEY: 'sk-test' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });

  test('a backend without token probabilities: confidence_source null, and --annotate prints the plain diff and says so', opts, async () => {
    server.answer = () => 'if (!items.length) return 0;\n';
    const file = tmpFile('avg.ts', SOURCE);
    const remote = ['--lines', '10-12', '--backend', 'remote', '--endpoint', server.url];
    const j = await run(['edit', file, ...remote, '--json']);
    assert.equal(j.code, 0, j.err);
    const res = JSON.parse(j.out);
    assert.equal(res.confidence_source, null);
    assert.ok(res.hunks.length >= 1);
    for (const h of res.hunks as HunkJson[]) assert.deepEqual([h.confidence, h.least_certain, h.low_tokens], [null, null, []]);
    const a = await run(['edit', file, ...remote, '--annotate']);
    assert.equal(a.code, 0, a.err);
    assert.equal(a.out, res.diff);
    assert.equal(a.err.split('\n').filter((l) => /no confidence from this backend/.test(l)).length, 1, a.err);
  });
}
