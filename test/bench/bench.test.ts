// The benchmark's own measuring tools (no timing is asserted):
//   node --import tsx --test test/bench/bench.test.ts
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import * as ort from 'onnxruntime-node';
import { applyBaseline } from './src/applyBaseline';
import { parseBenchArgs } from './src/args';
import { codeOffsets, corrupt, KINDS } from './src/corrupt';
import { cutHoles, type Doc } from './src/holdout';
import { selectEvenly } from './src/humaneval';
import { matmulModel } from './src/onnxGraph';
import { forwardFlops } from './src/peak';
import { editSimilarity, exactMatch, levenshtein, seeded, spread } from './src/stats';
import { lineChart } from './src/svg';

test('levenshtein and edit similarity', () => {
  assert.equal(levenshtein('kitten', 'sitting'), 3);
  assert.equal(levenshtein('', 'abc'), 3);
  assert.equal(editSimilarity('a  b\n', 'a b'), 1);
  assert.equal(editSimilarity('abcd', 'wxyz'), 0);
  assert.ok(exactMatch('if (x) {\n  y();\n}', 'if (x) { y(); }'));
  assert.ok(!exactMatch('x < y', 'x <= y'));
});

test('spread gives median and quartiles', () => {
  const s = spread([5, 1, 3, 2, 4]);
  assert.deepEqual([s.median, s.q1, s.q3, s.min, s.max, s.n], [3, 2, 4, 1, 5, 5]);
});

test('each corruption changes code, not comments or strings, and is seeded', () => {
  const block = '// keep < this comment\nconst label = "a < b";\nif (count < limit && ready) {\n  items[0] = total + 1;\n}';
  for (const kind of KINDS) {
    const a = corrupt(block, kind, seeded(3));
    assert.ok(a !== undefined && a !== block, kind);
    assert.equal(a, corrupt(block, kind, seeded(3)), `${kind} is deterministic`);
    assert.ok(a.startsWith('// keep < this comment\nconst label = "a < b";'), `${kind} left the comment and string alone: ${a}`);
  }
  assert.match(corrupt(block, 'operator', seeded(1)) ?? '', /count <= limit && ready|count < limit \|\| ready/);
  assert.equal(corrupt('x = y', 'bracket', seeded(1)), undefined);
});

test('with the file read by the lexer, a block that starts inside a comment or a string is corrupted only in its code', () => {
  const doc = 'const help = `usage: run [level]\n  -i --increment [<level>]\n`;\n/* closes }\n  and ] */\nif (run(level)) { go(level); }\n';
  const start = doc.indexOf('  -i');
  const block = doc.slice(start);
  const isCode = codeOffsets(doc, 'javascript', start, doc.length);
  assert.equal(isCode(block.indexOf('[<level>]')), false, 'the template literal, begun above the block');
  assert.equal(isCode(block.indexOf('closes }') + 7), false, 'the comment');
  assert.equal(isCode(block.indexOf('if (')), true);
  for (let seed = 1; seed <= 20; seed++) {
    const a = corrupt(block, 'bracket', seeded(seed), isCode)!;
    assert.ok(a.startsWith(block.slice(0, block.indexOf('if ('))), `seed ${seed}: ${a}`);
  }
});

test('the matmul graph runs in onnxruntime and multiplies', async () => {
  const session = await ort.InferenceSession.create(matmulModel(2, 3, 2));
  const a = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
  const b = new ort.Tensor('float32', Float32Array.from([1, 0, 0, 1, 1, 1]), [3, 2]);
  const y = (await session.run({ A: a, B: b })).Y;
  assert.deepEqual([...(y.data as Float32Array)], [4, 5, 10, 11]);
  await session.release();
});

test('forward FLOPs grow linearly with the batch and include the head', () => {
  const arch = { d_model: 4, n_layers: 1, d_ff: 8, vocab_size: 10, max_context: 2 };
  // per token: 2*(3*16 + 16 + 2*4*8) = 256; attention 2*2*T*d = 32; head 2*4*10 = 80
  assert.equal(forwardFlops(arch, 1, 2), 2 * (256 + 32 + 80));
  assert.equal(forwardFlops(arch, 3, 2), 3 * forwardFlops(arch, 1, 2));
});

test('holes are whole lines of about the target size, with code after them', () => {
  const text = Array.from({ length: 60 }, (_, i) => `    let v${i} = f(${i});`).join('\n') + '\n';
  const docs: Doc[] = [{ path: 'a.js', lang: 'javascript', text }];
  const count = (t: string) => t.split(/\s+/).filter(Boolean).length;
  const holes = cutHoles(docs, count, 12, 3, 1);
  assert.equal(holes.length, 3);
  for (const h of holes) {
    assert.equal(h.original, text.slice(h.start, h.end));
    assert.ok(h.original.startsWith('let') && h.original.endsWith(';'));
    assert.ok(h.tokens >= 12 * 0.85 && h.tokens <= 12 * 1.2);
    assert.ok(h.end < text.length - 1);
  }
  assert.deepEqual(cutHoles(docs, count, 12, 3, 1), holes);
});

test('an even selection covers the whole list', () => {
  assert.deepEqual(selectEvenly([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3), [0, 3, 6]);
  assert.equal(selectEvenly([1, 2], 5).length, 2);
});

test('the chart is one SVG with a line per series', () => {
  const svg = lineChart({ title: 'T <1>', subtitle: 's', xLabel: 'x', yLabel: 'y', series: [
    { name: 'a', color: '#000', points: [[16, 10], [32, 20]] },
    { name: 'b', color: '#f00', points: [[16, 5], [32, 8]] },
  ] });
  assert.ok(svg.startsWith('<svg') && svg.trimEnd().endsWith('</svg>'));
  assert.equal(svg.match(/<polyline/g)?.length, 2);
  assert.ok(svg.includes('T &lt;1&gt;'));
});

test('--docs measures other files and never overwrites the reserved packages\' stored results', () => {
  const root = path.resolve('/repo');
  const stored = parseBenchArgs(['--only', 'line,repair'], root);
  assert.deepEqual([stored.docs, stored.write], [undefined, true]);
  const dev = parseBenchArgs(['--only', 'repair', '--docs', 'dev.jsonl'], root);
  assert.deepEqual([dev.docs, dev.write, [...dev.only]], [path.resolve('dev.jsonl'), false, ['repair']]);
  assert.deepEqual(parseBenchArgs(['--line-docs', 'dev.jsonl'], root).docs, dev.docs, 'the older name still works');
});

test('the baseline aligner replaces each piece from its first line to its last, or reports it unplaced', () => {
  const original = 'a\nb\nc\nd\ne\n';
  const r = applyBaseline(original, '```ts src/x.ts\n// ... existing code ...\nb\nB2\nd\n// ...\n```\n');
  assert.deepEqual([r.text, r.unplaced.length, r.pieces], ['a\nb\nB2\nd\ne\n', 0, 1]);
  const miss = applyBaseline(original, 'x\nc\n// ... existing code ...\n  d\n');
  assert.deepEqual(miss.unplaced, [{ snippetLines: [1, 2], reason: 'first line not found in the original' }]);
  assert.equal(miss.text, 'a\nb\nc\n  d\ne\n', 'the pieces it could place are placed');
});

test('the apply tasks are real edits, every style present, snippets never the new file', () => {
  const file = path.join(__dirname, 'data', 'apply-tasks.jsonl.gz');
  const tasks = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  assert.ok(tasks.length >= 200 && new Set(tasks.map((t) => t.package)).size >= 12);
  assert.deepEqual([...new Set(tasks.map((t) => t.style))].sort(), ['context1', 'context3', 'function', 'outline']);
  assert.equal(new Set(tasks.map((t) => t.id)).size, tasks.length);
  for (const t of tasks) {
    assert.ok(t.old !== t.new && t.snippet !== t.new && !/\r/.test(t.old + t.new), t.id);
    assert.ok(!['@trpc/server', 'mobx', '@reduxjs/toolkit', 'svelte', 'eslint'].includes(t.package), t.id);
  }
});
