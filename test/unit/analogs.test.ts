import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adaptToNeighbours, analogLines, ELSEWHERE_MAX_PLACES, lineHole } from '../../src/core/analogs';
import { LineIndex, lineLanguageOf, lineLanguageOfPath } from '../../src/core/lineIndex';
import { ANALOG_WEIGHT, chooseLineFill } from '../../src/engine/analogFill';
import { runEdit } from '../../src/engine/edit';
import { repairPlan } from '../../src/engine/effort';
import type { FillBackend } from '../../src/core/types';
import type { RepairScorer } from '../../src/engine/repair';
import { scoreTokens, rankCandidates } from '../../src/model/scorer';
import { defaultModel, sampler } from './helpers/model';

/** A document cut at the line `hole` (0-based): the prefix ends with that line's indentation. */
function cut(lines: readonly string[], hole: number): { prefix: string; suffix: string; truth: string } {
  const indent = lines[hole].match(/^\s*/)![0];
  return {
    prefix: lines.slice(0, hole).join('\n') + '\n' + indent,
    suffix: '\n' + lines.slice(hole + 1).join('\n'),
    truth: lines[hole].trim(),
  };
}

const SWITCH = [
  'export function weight(unit: string): number {',
  '  switch (unit) {',
  "    case 'g':",
  '      return 1;',
  "    case 'kg':",
  '      return 1000;',
  "    case 't':",
  '      return 1000000;',
  "    case 'mg':",
  '      return 0.001;',
  '    default:',
  '      throw new RangeError(unit);',
  '  }',
  '}',
];

test('lineHole: only an insertion that is a line of its own', () => {
  assert.deepEqual(lineHole('a\n  ', '\nb'), { indent: '  ' });
  assert.deepEqual(lineHole('a\r\n\t', '\r\nb'), { indent: '\t' });
  assert.equal(lineHole('a\n  x = ', '\nb'), undefined, 'inside a line');
  assert.equal(lineHole('a\n', ' + 1\nb'), undefined, 'text after the hole on its line');
  assert.equal(lineHole('  ', '\nb'), undefined, 'no line above');
  assert.equal(lineHole('a\n', ''), undefined, 'no line below');
});

test('analogLines: the line between neighbours like the hole\'s comes first, re-indented', () => {
  const { prefix, suffix, truth } = cut(SWITCH, 6); // "case 't':" between "return 1000;" and "return 1000000;"
  const found = analogLines(prefix, suffix, { limit: 3 });
  assert.ok(found.length > 0);
  // Lines 2, 4 and 8 are case labels between a line and a "return": their neighbours match best.
  assert.match(found[0].text, /^case '/);
  assert.notEqual(found[0].text, truth, 'the hole itself is never offered');
  for (const f of found) {
    assert.equal(f.text, f.text.trim());
    assert.ok(f.score >= 0 && f.score <= 2);
    assert.equal(SWITCH[6 + f.delta].trim(), f.text, 'delta points at the line in the document');
  }
  for (let i = 1; i < found.length; i++) assert.ok(found[i - 1].score >= found[i].score, 'best first');
  assert.equal(new Set(found.map((f) => f.text)).size, found.length, 'no text twice');
});

test('analogLines: blocks of up to maxLines lines keep their relative indentation', () => {
  const { prefix, suffix } = cut(SWITCH, 8); // "case 'mg':" between "return 1000000;" and "return 0.001;"
  const blocks = analogLines(prefix, suffix, { limit: 20, maxLines: 2 });
  const two = blocks.find((b) => b.lines === 2 && b.text.startsWith("case 'kg':"));
  assert.ok(two, JSON.stringify(blocks));
  assert.equal(two!.text, "case 'kg':\n      return 1000;");
  assert.equal(analogLines(prefix, suffix, { limit: 20 }).every((b) => b.lines === 1), true, 'one line by default');
  // A CRLF document gets its blocks with CRLF, and no stray carriage return in a line.
  const crlf = analogLines(prefix.replace(/\n/g, '\r\n'), suffix.replace(/\n/g, '\r\n'), { limit: 20, maxLines: 2 });
  assert.ok(crlf.some((b) => b.text === "case 'kg':\r\n      return 1000;"), JSON.stringify(crlf));
  assert.ok(crlf.filter((b) => b.lines === 1).every((b) => !b.text.includes('\r')));
});

test('analogLines: nothing for a hole between blank lines, inside a line, or beyond the reach', () => {
  assert.deepEqual(analogLines('a\nb\n\n', '\n\nc\nd'), []);
  assert.deepEqual(analogLines('x = 1\ny = ', '\nz = 3'), []);
  const far = cut(SWITCH, 6);
  assert.ok(analogLines(far.prefix, far.suffix, { reach: 1 }).length === 0, 'with one line each side, no line has two neighbours');
  assert.deepEqual(analogLines(far.prefix, far.suffix, { minScore: 2.5 }), []);
});

/** A file the hole's file imports alike: the hole's neighbours occur there around the line it lacks. */
const SIBLING = [
  "import { readFile } from 'node:fs/promises';",
  "import * as path from 'node:path';",
  "import { parse } from './parse';",
  "import { format } from './format';",
  '',
  'export async function load(p: string) {',
  "  return parse(await readFile(path.resolve(p), 'utf8'));",
  '}',
];
const HOLED = [
  "import { readFile } from 'node:fs/promises';",
  "import * as path from 'node:path';",
  "import { parse } from './parse';", // the hole
  "import { check } from './check';",
  '',
  'export async function loadChecked(p: string) {',
  '  return check(await load(p));',
  '}',
];

test('analogLines elsewhere: a line of another file between the hole\'s neighbours, named by file and line', () => {
  const index = new LineIndex();
  index.set('src/load.ts', SIBLING.join('\n'), 'js');
  index.set('src/check.ts', HOLED.join('\n'), 'js');
  const { prefix, suffix, truth } = cut(HOLED, 2);
  assert.deepEqual(analogLines(prefix, suffix, { limit: 4 }).map((a) => a.text).includes(truth), false, 'the file alone does not have it');
  const found = analogLines(prefix, suffix, { limit: 4, elsewhere: index.view('js', 'src/check.ts') });
  const there = found.find((a) => a.text === truth);
  assert.ok(there, JSON.stringify(found));
  assert.deepEqual(there!.from, { file: 'src/load.ts', line: 2 });
  assert.equal(there!.delta, 0);
  // Its neighbour above is the hole's; the one below (`import { format }`) is like the hole's (`import { check }`).
  assert.ok(there!.score > 1 && there!.score < 2, String(there!.score));
  // The hole's own file is left out of the view, and so is another language's.
  assert.deepEqual(analogLines(prefix, suffix, { limit: 4, elsewhere: index.view('js', 'src/load.ts') }).filter((a) => a.from?.file === 'src/load.ts'), []);
  assert.deepEqual(analogLines(prefix, suffix, { limit: 4, elsewhere: index.view('python', 'src/check.ts') }).filter((a) => a.from), []);
  // Dropped from the index, it is gone.
  index.delete('src/load.ts');
  assert.deepEqual(analogLines(prefix, suffix, { limit: 4, elsewhere: index.view('js', 'src/check.ts') }).filter((a) => a.from), []);
});

test('analogLines elsewhere: trivial neighbours find nothing, blocks keep their indentation, CRLF files give clean lines', () => {
  const index = new LineIndex();
  const other = ['function a() {', '  if (x) {', '    y();', '  }', '}', 'const table = {', '  one: 1,', '  two: 2,', '  three: 3,', '};'];
  index.set('other.js', other.join('\r\n'), 'js');
  // Between `}` and `}`: too common to search other files by.
  const trivial = cut(['function b() {', '  if (z) {', '    w();', '  }', '  more();', '}'], 4);
  assert.deepEqual(analogLines(trivial.prefix, trivial.suffix, { limit: 8, elsewhere: index.view('js', 'b.js') }).filter((a) => a.from), []);
  const hole = cut(['const table = {', '  one: 1,', '  two: 2,', '  seven: 7,', '};'], 3);
  const found = analogLines(hole.prefix, hole.suffix, { limit: 8, maxLines: 2, elsewhere: index.view('js', 'b.js') });
  const line = found.find((a) => a.from && a.lines === 1);
  assert.deepEqual([line?.text, line?.from], ['three: 3,', { file: 'other.js', line: 8 }]);
  assert.ok(found.every((a) => !a.text.includes('\r')), JSON.stringify(found));
  // The neighbours' differing word is carried over: `two` -> `two`, and the line after `};` matched exactly.
  assert.ok(found.filter((a) => a.from).every((a) => a.score >= 1), JSON.stringify(found));
});

test('analogLines elsewhere: at equal match the hole\'s own file comes first, and the search is bounded', () => {
  const own = ['const first = {', '  width: 1,', '  height: 2,', '};', 'const second = {', '  width: 1,', '  height: 2,', '};'];
  const index = new LineIndex();
  index.set('twin.ts', ['const third = {', '  width: 1,', '  height: 2,', '};'].join('\n'), 'js');
  const hole = cut(own, 6); // `height: 2,` between `width: 1,` and `};`: both files have it between the same neighbours
  const found = analogLines(hole.prefix, hole.suffix, { limit: 4, elsewhere: index.view('js', 'own.ts') });
  assert.equal(found[0].text, 'height: 2,');
  assert.equal(found[0].score, 2);
  assert.equal(found[0].from, undefined, 'the file\'s own line first');
  // Thousands of files each holding the neighbour: at most ELSEWHERE_MAX_PLACES places are scored.
  const many = new LineIndex();
  for (let i = 0; i < ELSEWHERE_MAX_PLACES + 50; i++) many.set(`f${i}.ts`, `const c = {\n  width: 1,\n  w${i}: ${i},\n};`, 'js');
  const bounded = analogLines(hole.prefix, hole.suffix, { limit: 100000, elsewhere: many.view('js', 'own.ts') }).filter((a) => a.from);
  assert.ok(bounded.length > 0 && bounded.length <= ELSEWHERE_MAX_PLACES, String(bounded.length));
});

test('lineLanguageOf and lineLanguageOfPath: TypeScript and JavaScript share lines; unknown files are not indexed', () => {
  assert.equal(lineLanguageOf('typescript'), lineLanguageOfPath('a/b.mjs'));
  assert.equal(lineLanguageOfPath('C:\\src\\x.PY'), 'python');
  assert.equal(lineLanguageOfPath('README.md'), undefined);
  assert.equal(lineLanguageOfPath('Makefile'), undefined);
  const index = new LineIndex();
  assert.equal(index.set('README.md', '# hi', lineLanguageOfPath('README.md')), false);
  assert.equal(index.fileCount, 0);
});

test('adaptToNeighbours: the words the neighbours differ in are carried over, one to one', () => {
  // Above: "width" where the hole's neighbour has "height"; below: "height" where it has "depth".
  assert.equal(adaptToNeighbours('check(width, limits.width);', [
    ['const width = read(options.width);', 'const height = read(options.height);'],
    ['const height = read(options.height);', 'const depth = read(options.depth);'],
  ]), 'check(height, limits.height);', 'the line above decides a word first');
  // Numbers and strings are words too; punctuation is never replaced, and a run replaced by a run of
  // another length pairs nothing.
  assert.equal(adaptToNeighbours("case 'kg': return 1000;", [["case 'g': return 1;", "case 'mg': return 0.001;"]]), "case 'kg': return 1000;");
  assert.equal(adaptToNeighbours('x = f(a)', [['y = f(a)', 'y = g(a)'], ['a + b', 'a.b']]), 'x = g(a)');
  assert.equal(adaptToNeighbours('f(a, b)', [['f(a)', 'f(a, c)']]), 'f(a, b)', 'an insertion pairs nothing');
  assert.equal(adaptToNeighbours('return "a"', [['"a"', '"b"']]), 'return "b"');
  assert.equal(adaptToNeighbours('unchanged()', []), 'unchanged()');
});

test('analogLines: an analogue carries the words its neighbours differ in from the hole\'s', () => {
  const lines = [
    'function box(options) {',
    '  const width = read(options.width);',
    '  check(width);',
    '  const height = read(options.height);',
    '  check(height);',
    '  const depth = read(options.depth);',
    '  check(depth);',
    '  return { width, height, depth };',
    '}',
  ];
  const { prefix, suffix } = cut(lines, 4);
  const found = analogLines(prefix, suffix, { limit: 4 });
  const check = found.find((f) => f.text === 'check(width);');
  assert.ok(check, JSON.stringify(found));
  assert.equal(check!.adapted, 'check(height);');
  assert.ok(found.every((f) => f.adapted !== f.text), 'adapted only when something changes');
});

/** A scorer whose probabilities are given per text, to check the choice's arithmetic. */
function fixedScorer(p: (text: string) => number): RepairScorer & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    score: async (text) => {
      calls.push(text);
      return { spans: [[0, text.length]], probs: [p(text)], nfe: 1 };
    },
    rank: async () => ({ scores: [], nfe: 0 }),
  };
}

test('chooseLineFill: the model\'s mean log-probability plus ANALOG_WEIGHT times the neighbour match', async () => {
  const { prefix, suffix } = cut(SWITCH, 6);
  const [best] = analogLines(prefix, suffix, { limit: 4, maxLines: 3 });
  // The model is sure of its own fill and gives the analogue a probability low enough to lose.
  const pLose = Math.exp(-ANALOG_WEIGHT * best.score - 1);
  const keep = await chooseLineFill(fixedScorer((t) => (t === 'return 42;' ? 1 : pLose)), prefix, suffix, 'return 42;', 0);
  assert.equal(keep.text, 'return 42;');
  assert.equal(keep.analog, undefined);
  // Just likely enough to win.
  const pWin = Math.exp(-ANALOG_WEIGHT * best.score + 1);
  const s = fixedScorer((t) => (t === 'return 42;' ? 1 : t === best.text ? pWin : 1e-9));
  const take = await chooseLineFill(s, prefix, suffix, 'return 42;', 0);
  assert.equal(take.text, best.text);
  assert.equal(take.analog?.delta, best.delta);
  assert.deepEqual(take.confidence, [{ start: 0, end: best.text.length, p: pWin }]);
  assert.equal(take.nfe, s.calls.length);
  // A multi-line fill is also offered as its first line.
  const multi = fixedScorer((t) => (t === 'return 42;' ? 1 : 1e-9));
  assert.equal((await chooseLineFill(multi, prefix, suffix, 'return 42;\n    foo();', 0)).text, 'return 42;');
  assert.ok(multi.calls.includes('return 42;\n    foo();') && multi.calls.includes('return 42;'));
});

test('chooseLineFill: a hole inside a line, or with no analogue, keeps the fill and scores nothing', async () => {
  const s = fixedScorer(() => 1);
  const inside = await chooseLineFill(s, 'const a = ', ';\nconst b = 2;\n', '1', 0);
  assert.deepEqual(inside, { text: '1', scored: 0, nfe: 0 });
  const lonely = await chooseLineFill(s, 'x\n\n', '\n\ny', 'z', 0);
  assert.deepEqual(lonely, { text: 'z', scored: 0, nfe: 0 });
  assert.equal(s.calls.length, 0);
});

test('chooseLineFill with the bundled model: a field list line is filled from its pattern', async () => {
  const m = await defaultModel();
  const scorer: RepairScorer = {
    score: (text, prefix, suffix, passes, seed) => scoreTokens(m, { text, prefix, suffix, passes, seed }, () => false),
    rank: (sites) => rankCandidates(m, sites, () => false),
  };
  const lines = [
    'export class Options {',
    '  constructor(init: Partial<Options>) {',
    '    this.name = init.name ?? "";',
    '    this.path = init.path ?? "";',
    '    this.mode = init.mode ?? "";',
    '    this.user = init.user ?? "";',
    '    this.host = init.host ?? "";',
    '    this.port = init.port ?? "";',
    '  }',
    '}',
  ];
  const { prefix, suffix } = cut(lines, 5);
  const choice = await chooseLineFill(scorer, prefix, suffix, 'foo bar baz', 1);
  assert.ok(choice.analog, 'an analogue was chosen over a fill the model finds unlikely');
  assert.match(choice.text, /^this\.\w+ = init\.\w+ \?\? "";$/);
  assert.ok(choice.scored >= 2 && choice.nfe >= choice.scored);
  assert.ok(choice.confidence!.length > 3 && choice.confidence!.every((c) => c.p > 0 && c.p <= 1 && c.end <= choice.text.length));
});

test('chooseLineFill: an analogue is offered as it is and adapted to the hole\'s neighbours', async () => {
  const lines = [
    'def box(options):',
    '    width = read(options.width)',
    '    check(width, options.width)',
    '    height = read(options.height)',
    '    check(height, options.height)',
    '    depth = read(options.depth)',
    '    check(depth, options.depth)',
    '    return width * height * depth',
  ];
  const { prefix, suffix } = cut(lines, 4);
  const s = fixedScorer((t) => (t === 'check(height, options.height)' ? 0.9 : 0.1));
  const choice = await chooseLineFill(s, prefix, suffix, 'pass', 1, 1);
  assert.ok(s.calls.includes('check(width, options.width)') && s.calls.includes('check(height, options.height)'), JSON.stringify(s.calls));
  assert.equal(new Set(s.calls).size, s.calls.length, 'no text scored twice');
  assert.equal(choice.text, 'check(height, options.height)');
  assert.equal(choice.adapted, true);
  assert.equal(choice.analog!.text, 'check(width, options.width)', 'taken from the line two above, its words changed');
  // The same analogue as it is, when the model prefers it: not adapted.
  const plain = await chooseLineFill(fixedScorer((t) => (t === 'check(width, options.width)' ? 0.9 : 0.1)), prefix, suffix, 'pass', 1, 1);
  assert.equal(plain.text, 'check(width, options.width)');
  assert.equal(plain.adapted, undefined);
});

test('runEdit on one blank line: the fill is cut to its line, single-line analogues only, and the line taken is named', async () => {
  const backend: FillBackend = {
    id: 'scripted',
    describe: () => 'scripted',
    fill: async (requests) => {
      return { texts: requests.map(() => 'return 42;\n    foo();\n'), nfe: 1, ms: 0, canvasTokens: requests.map(() => 0) };
    },
    dispose: async () => undefined,
  };
  const { prefix, suffix } = cut(SWITCH, 6);
  const docText = prefix + suffix;
  const base = { docText, range: { start: prefix.length, end: prefix.length }, languageId: 'typescript', anchoring: 'exact' as const, sampler: sampler(), maxCanvasTokens: 64, maxTokens: 32, ...repairPlan('off') };
  // No scorer (a remote server): the model's fill, cut to its first line.
  const alone = await runEdit(backend, { ...base, oneLine: true });
  assert.equal(alone.newText, 'return 42;');
  assert.equal(alone.analog, undefined);
  // The model prefers nothing: the best neighbour match wins, a single line, named by its line.
  const flat = fixedScorer(() => 0.5);
  const r = await runEdit(backend, { ...base, oneLine: true, scorer: flat });
  const [best] = analogLines(prefix, suffix, { limit: 1 });
  assert.equal(r.newText, best.text);
  assert.equal(r.analog?.line, 6 + best.delta);
  assert.ok(flat.calls.every((t) => !t.includes('\n')), 'only single lines were scored');
  assert.equal(r.nfe, 1 + flat.calls.length);
  // Without oneLine (an infill task), the fill keeps its lines when the model is sure of it.
  const sure = fixedScorer((t) => (t.startsWith('return 42;') ? 1 : 1e-9));
  assert.equal((await runEdit(backend, { ...base, scorer: sure })).newText, 'return 42;\n    foo();\n');
  // An adapted analogue taken is named with its line, and marked adapted.
  const box = cut(['def box(options):', '    width = read(options.width)', '    check(width, options.width)', '    height = read(options.height)',
    '    check(height, options.height)', '    depth = read(options.depth)', '    return width * height'], 4);
  const adapted = await runEdit(backend, {
    ...base, docText: box.prefix + box.suffix, range: { start: box.prefix.length, end: box.prefix.length }, languageId: 'python', oneLine: true,
    scorer: fixedScorer((t) => (t === 'check(height, options.height)' ? 0.9 : 0.1)),
  });
  assert.equal(adapted.newText, 'check(height, options.height)');
  assert.deepEqual({ line: adapted.analog?.line, adapted: adapted.analog?.adapted }, { line: 2, adapted: true });
});
