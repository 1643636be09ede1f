/**
 * Diffuse Repair end to end in this process with the real default model and grammars: a
 * misspelled name and a deleted bracket come back, clean code stays as it is, and the model's
 * ranking of candidates at a masked site prefers the spelling the code uses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FillBackend } from '../../src/core/types';
import { fillBatch } from '../../src/model/fillEngine';
import { marginConfidence } from '../../src/core/confidence';
import { REPAIR_MARGIN, runRepair, type RepairScorer } from '../../src/engine/repair';
import { rankCandidates, scoreTokens } from '../../src/model/scorer';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_JS, defaultModel, MODEL_DIR, ROOT, sampler } from './helpers/model';
import { NameIndex } from '../../src/core/names';

const CLEAN = `export function countPositive(values: number[]): number {
  let count = 0;
  for (const value of values) {
    if (value > 0) {
      count = count + 1;
    }
  }
  return count;
}
`;

async function engine(): Promise<{ backend: FillBackend; scorer: RepairScorer }> {
  const m = await defaultModel();
  return {
    backend: { id: 'in-process', describe: () => 'in-process', fill: (r, o, h) => fillBatch(m, r, o, { isCancelled: () => h?.signal?.aborted ?? false }), dispose: async () => undefined },
    scorer: {
      score: (text, prefix, suffix, passes, seed) => scoreTokens(m, { text, prefix, suffix, passes, seed }, () => false),
      rank: (sites) => rankCandidates(m, sites, () => false),
    },
  };
}

function repair(docText: string, scorer: RepairScorer, backend: FillBackend) {
  return runRepair(backend, scorer, { docText, range: { start: 0, end: docText.length }, languageId: 'typescript', sampler: sampler() });
}

test('the model ranks the spelling the code uses above a slip of it, at the masked site', async () => {
  const m = await defaultModel();
  const at = CLEAN.lastIndexOf(' count;');
  const r = await rankCandidates(m, [{ prefix: CLEAN.slice(0, at), suffix: CLEAN.slice(at + ' count'.length), candidates: [' count', ' cuont', ''] }], () => false);
  assert.equal(r.scores.length, 1);
  const [right, slip, empty] = r.scores[0];
  assert.ok(right > slip, `count ${right.toFixed(2)} vs cuont ${slip.toFixed(2)}`);
  assert.equal(empty, 0, 'an empty candidate has no tokens to score');
  assert.ok(r.nfe >= 1 && r.nfe <= 2, 'candidates of one length share a row, rows share calls');
});

test('a misspelled name is put back to the spelling used around it', async () => {
  const { backend, scorer } = await engine();
  const typo = CLEAN.replace('return count;', 'return cuont;');
  const r = await repair(typo, scorer, backend);
  assert.equal(r.newText, CLEAN);
  assert.ok(r.changed && r.suspects >= 1);
  // The mended name carries the model's margin over the slip, as a probability; nothing else does.
  const at = CLEAN.lastIndexOf('count;');
  assert.deepEqual(r.confidence?.map((s) => [s.start, s.end]), [[at, at + 'count'.length]]);
  assert.ok((r.confidence?.[0].p ?? 0) >= marginConfidence(REPAIR_MARGIN));
});

test('a mended name carries the margin by which the model preferred it over the slip, as a probability', async () => {
  const { backend, scorer } = await engine();
  // The ranks the repair asked for, to read the margin it saw.
  const ranked: Array<{ candidates: readonly string[]; scores: readonly number[] }> = [];
  const recording: RepairScorer = {
    score: scorer.score,
    rank: async (sites) => {
      const r = await scorer.rank(sites);
      sites.forEach((s, i) => ranked.push({ candidates: s.candidates, scores: r.scores[i] }));
      return r;
    },
  };
  const typo = CLEAN.replace('count = count + 1;', 'count = cont + 1;');
  const r = await repair(typo, recording, backend);
  assert.equal(r.newText, CLEAN);
  const site = ranked.find((x) => x.candidates[0] === ' cont' && x.candidates.includes(' count'));
  assert.ok(site, 'the slip was ranked against the fix');
  const margin = site.scores[site.candidates.indexOf(' count')] - site.scores[0];
  const at = CLEAN.indexOf('count + 1;');
  assert.equal(r.confidence?.length, 1);
  const [c] = r.confidence ?? [];
  assert.deepEqual([c.start, c.end], [at, at + 'count'.length]);
  assert.ok(margin >= REPAIR_MARGIN);
  // Equal up to the 32-bit store and the rounding of spans to a millionth.
  assert.ok(Math.abs(c.p - marginConfidence(margin)) < 2e-6, `${c.p} vs sigmoid(${margin}) = ${marginConfidence(margin)}`);
  assert.ok(c.p < 1);
});

test('a deleted closing bracket is put back where the parser and the model agree', async () => {
  const { backend, scorer } = await engine();
  const broken = CLEAN.replace('if (value > 0) {', 'if (value > 0 {');
  const r = await repair(broken, scorer, backend);
  assert.equal(r.newText, CLEAN);
  assert.deepEqual(r.confidence, [], 'a bracket the parser chose is not weighed against the broken text: no confidence');
});

test('a closer lost on a line of its own, which breaks only the end of the file, is put back on that line', async () => {
  const { backend, scorer } = await engine();
  const lines = [
    'export function summarize(orders) {',
    '  let total = 0;',
    '  for (const order of orders) {',
    '    if (order.cancelled) {',
    '      continue;',
    '    }',
    '    total += order.amount;',
    '  }',
    '  return total;',
    '}',
    '',
    ...Array.from({ length: 30 }, (_, i) => `export const limit${i} = ${i * 10};`),
    '',
  ];
  const clean = lines.join('\n');
  // The `}` of the `if` gone, its line left blank: the braces still pair up until the file's end.
  const broken = clean.replace('      continue;\n    }\n', '      continue;\n\n');
  const block = { start: broken.indexOf('  for (const'), end: broken.indexOf('  return total;') };
  const r = await runRepair(backend, scorer, { docText: broken, range: block, languageId: 'javascript', sampler: sampler() });
  assert.equal(broken.slice(0, block.start) + r.newText + broken.slice(block.end), clean);
  // Broken far away by something no closer in the block explains: the block is left as it is.
  const elsewhere = clean + 'export const = ;\n';
  const same = { start: elsewhere.indexOf('  for (const'), end: elsewhere.indexOf('  return total;') };
  const kept = await runRepair(backend, scorer, { docText: elsewhere, range: same, languageId: 'javascript', sampler: sampler() });
  assert.equal(kept.changed, false);
});

test('a bracket lost where the parser cannot see it (a macro body) is put back where the file\'s brackets pair up again', async () => {
  const { backend, scorer } = await engine();
  const clean = [
    '#include <stddef.h>',
    '',
    '#define TIMER_FIELDS \\',
    '  void* heap_node[3]; \\',
    '  unsigned int start_id; \\',
    '  size_t timeout;',
    '',
    'struct timer {',
    '  TIMER_FIELDS',
    '};',
    '',
    'static int timer_less(const struct timer* a, const struct timer* b) {',
    '  return a->timeout < b->timeout;',
    '}',
    '',
  ].join('\n');
  const broken = clean.replace('heap_node[3];', 'heap_node[3;');
  const block = { start: broken.indexOf('#define'), end: broken.indexOf('\n\nstruct') };
  const r = await runRepair(backend, scorer, { docText: broken, range: block, languageId: 'c', sampler: sampler() });
  assert.equal(broken.slice(0, block.start) + r.newText + broken.slice(block.end), clean);
  // The same block intact: nothing to pair up, nothing changed.
  const same = { start: clean.indexOf('#define'), end: clean.indexOf('\n\nstruct') };
  const kept = await runRepair(backend, scorer, { docText: clean, range: same, languageId: 'c', sampler: sampler() });
  assert.equal(kept.changed, false);
  // Without a grammar nothing checks a bracket put back: a numbered list's `1)` is prose.
  const notes = 'Steps:\n1) Install it\n2) Run the tests\n';
  const prose = await runRepair(backend, scorer, { docText: notes, range: { start: 0, end: notes.length }, languageId: 'markdown', sampler: sampler() });
  assert.equal(prose.newText, notes);
});

test('clean code is left exactly as it is', async () => {
  const { backend, scorer } = await engine();
  const r = await repair(CLEAN, scorer, backend);
  assert.equal(r.changed, false);
  assert.equal(r.newText, CLEAN);
  assert.deepEqual(r.confidence, []);
});

test('a name spelled the same way elsewhere is never renamed, even to a near neighbour', async () => {
  const { backend, scorer } = await engine();
  // `counts` and `count` are both real names here: neither is a slip of the other.
  const text = CLEAN.replace('let count = 0;', 'let count = 0;\n  const counts = [count];').replace('return count;', 'return counts.length + count;');
  const r = await repair(text, scorer, backend);
  const uses = (s: string, name: string) => (s.match(new RegExp(`\\b${name}\\b`, 'g')) ?? []).length;
  assert.equal(uses(r.newText, 'counts'), uses(text, 'counts'));
  assert.equal(uses(r.newText, 'count'), uses(text, 'count'));
});

// A project's own name beside the common one it resembles (mobx writes `defineProperty_` next to
// `Object.defineProperty`): without knowing the project, the model "corrects" it by a wide margin.
const MOBX_LIKE = `export function addHiddenProp(object, propName, value) {
  Object.defineProperty(object, propName, {
    enumerable: false,
    writable: true,
    configurable: true,
    value,
  });
}

export function makeProperty(adm, key, descriptor) {
  defineProperty_(adm.target_, key, descriptor);
  return true;
}
`;

function repairJs(docText: string, scorer: RepairScorer, backend: FillBackend, names?: NameIndex, file = 'src/properties.js') {
  return runRepair(backend, scorer, { docText, range: { start: 0, end: docText.length }, languageId: 'javascript', sampler: sampler(), names: names?.except(file) });
}

test('a project\'s own name that the workspace defines is never replaced by the common name it resembles', async () => {
  const { backend, scorer } = await engine();
  // The model would "correct" it: at the site it prefers the common name by far more than the margin.
  const m = await defaultModel();
  const at = MOBX_LIKE.indexOf('  defineProperty_(') + 1;
  const ranked = await rankCandidates(m, [{ prefix: MOBX_LIKE.slice(0, at), suffix: MOBX_LIKE.slice(at + 'defineProperty_'.length), candidates: ['defineProperty_', 'defineProperty'] }], () => false);
  const [own, common] = ranked.scores[0];
  assert.ok(common - own > REPAIR_MARGIN, `defineProperty by ${(common - own).toFixed(2)} nats`);
  const names = new NameIndex();
  names.set('src/properties.js', MOBX_LIKE, 'c');
  names.set('src/utils.js', 'export function defineProperty_(target, key, descriptor) {\n  Object.defineProperty(target, key, descriptor);\n}\n', 'c');
  names.set('src/adm.js', 'export class ObservableObjectAdministration {\n  constructor(target) {\n    this.target_ = target;\n  }\n}\n', 'c');
  const r = await repairJs(MOBX_LIKE, scorer, backend, names);
  assert.equal(r.changed, false);
  assert.equal(r.newText, MOBX_LIKE);
  // Without the workspace too: a trailing `_` makes another name, never a slip.
  assert.equal((await repairJs(MOBX_LIKE, scorer, backend)).newText, MOBX_LIKE);
});

test('a name the workspace spells only in comments or strings is not real there: it is still a slip', async () => {
  const { backend, scorer } = await engine();
  const names = new NameIndex();
  names.set('src/notes.ts', '// cuont: see count\nexport const label = "cuont";\n', 'c');
  const typo = CLEAN.replace('return count;', 'return cuont;');
  const r = await runRepair(backend, scorer, { docText: typo, range: { start: 0, end: typo.length }, languageId: 'typescript', sampler: sampler(), names: names.except('src/count.ts') });
  assert.equal(r.newText, CLEAN);
});

test('with the workspace indexed, a misspelled name found nowhere else is still put back, toward the real name', async () => {
  const { backend, scorer } = await engine();
  const names = new NameIndex();
  names.set('src/other.ts', 'export const limit = 10;\nexport function countAll(xs: number[]) { return xs.length; }\n', 'c');
  const typo = CLEAN.replace('return count;', 'return cuont;');
  const r = await runRepair(backend, scorer, { docText: typo, range: { start: 0, end: typo.length }, languageId: 'typescript', sampler: sampler(), names: names.except('src/count.ts') });
  assert.equal(r.newText, CLEAN);
});

test('a misspelled name whose right spelling only the workspace holds is put back to it', async () => {
  const { backend, scorer } = await engine();
  // `parseHeaderLine` is defined in another file; this file calls it once, misspelled.
  const doc = `export function readHeaders(lines: string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of lines) {
    const [key, value] = parseHeaderLien(line);
    headers.set(key, value);
  }
  return headers;
}
`;
  const names = new NameIndex();
  names.set('src/parse.ts', 'export function parseHeaderLine(line: string): [string, string] {\n  const at = line.indexOf(":");\n  return [line.slice(0, at), line.slice(at + 1).trim()];\n}\n', 'c');
  const r = await runRepair(backend, scorer, { docText: doc, range: { start: 0, end: doc.length }, languageId: 'typescript', sampler: sampler(), names: names.except('src/headers.ts') });
  assert.equal(r.newText, doc.replace('parseHeaderLien', 'parseHeaderLine'));
});

// A C++ header behind namespace macros the grammar cannot read: the file has syntax errors that no
// bracket explains, and a bracket that only lowers their count is a guess. Clean code stays as it
// is (through the CLI, as a user runs it on lines of the file).
test('clean code in a file the grammar cannot fully read (C++ behind macros) gets no bracket put in', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'diffuse-repair-'));
  try {
    const file = path.join(dir, 'buffer.h');
    const before = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'repair', 'macro-buffer.h'), 'utf8');
    fs.writeFileSync(file, before);
    const p = spawnSync(process.execPath, [CLI_JS, 'repair', file, '--lines', '10-26', '--json', '--model', MODEL_DIR], { encoding: 'utf8' });
    assert.equal(p.status, 0, p.stderr);
    const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as { changed: boolean };
    assert.equal(out.changed, false, p.stdout);
    assert.equal(fs.readFileSync(file, 'utf8'), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
