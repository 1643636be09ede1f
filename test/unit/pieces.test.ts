/**
 * Statement pieces over real parses: pieces cover the region in order, cut only at the start of a
 * line where a statement or member begins, stay within budget where the cuts allow, and prefer a
 * cut between the statements of a block to one inside a statement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pieceRegion } from '../../src/core/pieces';
import type { OffsetRange } from '../../src/core/types';
import { pieceRanges } from '../../src/syntax';

const pieceRange = async (text: string, languageId: string, region: OffsetRange, maxSize: number, measure: (t: string) => number): Promise<OffsetRange[]> =>
  (await pieceRanges(text, languageId, [region], maxSize, measure))[0];

const chars = (t: string): number => t.length;

const TS = `function scan(values: Record<string, string[]>, out: Map<string, number>): number {
  let total = 0;
  for (const key in values) {
    const list = values[key];
    if (!list) continue;
    list.forEach((name) => {
      out.set(name, (out.get(name) ?? 0) + 1);
    });
    total += list.length;
  }
  return total;
}
`;

test('pieces cover the region and cut only where a statement starts its line', async () => {
  const start = TS.indexOf('let total');
  const end = TS.lastIndexOf('\n}');
  const region = { start, end };
  const pieces = await pieceRange(TS, 'typescript', region, 100, chars);
  assert.ok(pieces.length >= 2, `cut into ${pieces.length}`);
  assert.equal(pieces[0].start, start);
  assert.equal(pieces[pieces.length - 1].end, end);
  for (let i = 1; i < pieces.length; i++) {
    assert.equal(pieces[i].start, pieces[i - 1].end, 'contiguous');
    const at = pieces[i].start;
    assert.equal(TS[at - 1], '\n', 'a cut is at a line start');
    assert.match(TS.slice(at).trimStart(), /^(let|const|for|if|list\.|out\.|total|return)\b/, `cut before a statement: ${JSON.stringify(TS.slice(at, at + 20))}`);
  }
  // The callback's body line is a statement too, but the loop's own statements are cut first.
  const texts = pieces.map((p) => TS.slice(p.start, p.end));
  assert.ok(texts.some((t) => t.includes('list.forEach') && t.includes('});')), `the callback stays whole: ${JSON.stringify(texts)}`);
});

test('a single line stays whole; a region within budget is one piece; no grammar, one piece', async () => {
  const line = 'const table = [1, 2, 3, 4, 5, 6, 7, 8, 9];\n';
  assert.deepEqual(await pieceRange(line, 'typescript', { start: 0, end: line.length - 1 }, 5, chars), [{ start: 0, end: line.length - 1 }]);
  assert.deepEqual(await pieceRange(TS, 'typescript', { start: 0, end: 20 }, 100, chars), [{ start: 0, end: 20 }]);
  assert.deepEqual(await pieceRange('a\nb\nc\n', 'plaintext', { start: 0, end: 6 }, 1, chars), [{ start: 0, end: 6 }]);
});

test('where no statement cut fits, a long table is cut between its rows, a block comment between its lines', async () => {
  const rows = Array.from({ length: 12 }, (_, i) => `  [${i}, ${i * 2}, ${i * 3}],`).join('\n');
  const table = `const table = [\n${rows}\n];\n`;
  const region = { start: 0, end: table.length - 1 };
  const pieces = await pieceRange(table, 'typescript', region, 60, chars);
  assert.ok(pieces.length >= 3, `cut into ${pieces.length}`);
  for (let i = 1; i < pieces.length; i++) {
    assert.equal(pieces[i].start, pieces[i - 1].end);
    assert.match(table.slice(pieces[i].start), /^( {2}\[|\];)/, 'a cut before a row');
  }
  assert.ok(pieces.every((p) => p.end - p.start <= 60));
  const comment = '/**\n * one\n * two\n * three\n */\nfunction f() {}\n';
  const inComment = await pieceRange(comment, 'typescript', { start: 0, end: comment.indexOf('*/') + 2 }, 12, chars);
  assert.ok(inComment.length >= 2, `a block comment cut into ${inComment.length}`);
  assert.ok(inComment.every((p) => p.start === 0 || comment[p.start - 1] === '\n'), 'at line starts');
  // A statement cut still wins where one fits: a line inside a statement is never preferred to it.
  const stmts = 'let a = f(\n  1,\n  2);\nlet b = 2;\nlet c = 3;\n';
  const cut = await pieceRange(stmts, 'typescript', { start: 0, end: stmts.length - 1 }, 24, chars);
  assert.deepEqual(cut.map((p) => stmts.slice(p.start, p.end).trimEnd().split('\n')[0]), ['let a = f(', 'let b = 2;']);
});

test('pieceRegion takes the shallowest cut that fits, then the farthest', () => {
  const text = 'aaaa\nbbbb\ncccc\ndddd\n';
  const cuts = [{ at: 5, depth: 0 }, { at: 10, depth: 1 }, { at: 15, depth: 1 }];
  // Within 16 characters the cuts at 5, 10 and 15 fit: depth 0 wins over the farther ones.
  assert.deepEqual(pieceRegion(text, { start: 0, end: 20 }, cuts, 16, chars), [{ start: 0, end: 5 }, { start: 5, end: 20 }]);
  // A cut that would leave a piece under a quarter of the budget loses to a deeper one.
  const longer = text + 'eeee\n';
  const deeper = [...cuts, { at: 20, depth: 1 }];
  assert.deepEqual(pieceRegion(longer, { start: 0, end: 25 }, deeper, 24, chars), [{ start: 0, end: 20 }, { start: 20, end: 25 }]);
  // Equal depths: the farthest that fits.
  const flat = cuts.map((c) => ({ ...c, depth: 0 }));
  assert.deepEqual(pieceRegion(text, { start: 0, end: 20 }, flat, 12, chars), [{ start: 0, end: 10 }, { start: 10, end: 20 }]);
  // No cut fits: the nearest, over budget.
  assert.deepEqual(pieceRegion(text, { start: 0, end: 20 }, flat, 3, chars).map((p) => p.end), [5, 10, 15, 20]);
});

test('several regions from one parse cut as each would alone', async () => {
  const a = { start: TS.indexOf('let total'), end: TS.indexOf('  return total') };
  const b = { start: TS.indexOf('const list'), end: TS.indexOf('    total +=') };
  const both = await pieceRanges(TS, 'typescript', [a, b], 60, chars);
  assert.deepEqual(both, [await pieceRange(TS, 'typescript', a, 60, chars), await pieceRange(TS, 'typescript', b, 60, chars)]);
  assert.ok(both[0].length >= 2);
});
