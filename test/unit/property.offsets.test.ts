/**
 * No offset the engine computes splits a surrogate pair, over 10,000 seeded cases each: anchoring
 * ('exact', 'lines', and 'syntax' on TypeScript-shaped code with emoji in strings and comments) and
 * chunking (at line breaks and single characters without a grammar, at syntax boundaries with one).
 * Chunks always cover the region exactly, in order, each within budget unless one character alone
 * is over it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chunkRegion, measureChars } from '../../src/core/chunk';
import type { OffsetRange } from '../../src/core/types';
import { anchorRange, chunkRange } from '../../src/syntax';
import { document, Gen, line, selection, splitsPair } from './helpers/property';

const CASES = 10_000;

function assertWhole(text: string, r: OffsetRange, what: string): void {
  assert.ok(!splitsPair(text, r.start) && !splitsPair(text, r.end), `${what} ${r.start}-${r.end} splits a surrogate pair`);
}

function assertChunks(text: string, region: OffsetRange, chunks: readonly OffsetRange[], maxSize: number): void {
  if (region.start === region.end) return assert.deepEqual(chunks, []);
  assert.equal(chunks[0]!.start, region.start);
  assert.equal(chunks[chunks.length - 1]!.end, region.end);
  chunks.forEach((c, i) => {
    assert.ok(c.start < c.end, `chunk ${i} is empty`);
    if (i > 0) assert.equal(c.start, chunks[i - 1]!.end, `gap or overlap before chunk ${i}`);
    assertWhole(text, c, `chunk ${i}`);
    const piece = text.slice(c.start, c.end);
    assert.ok(piece.length <= maxSize || [...piece].length === 1, `chunk ${i} (${piece.length}) over budget ${maxSize}`);
  });
}

/** TypeScript-shaped code whose strings and comments hold the generator's unicode. */
function code(g: Gen): string {
  const out: string[] = [];
  const n = g.int(1, 10);
  for (let i = 0; i < n; i++) {
    const s = JSON.stringify(line(g)).replace(/\\r|\\t/g, ' ');
    const body = g.pick([`  const v${i} = ${s};`, `  // ${line(g).replace(/[\r\n]/g, '')}`, `  if (v > ${i}) { return ${s}; }`]);
    out.push(g.chance(0.3) ? `function f${i}(v: number) {\n${body}\n}` : body.trim());
  }
  return out.join(g.pick(['\n', '\r\n', '\n\n']));
}

test(`anchoring 'exact' and 'lines' and chunking without a grammar keep surrogate pairs whole (${CASES.toLocaleString('en')} cases)`, async () => {
  for (let seed = 1; seed <= CASES; seed++) {
    const g = new Gen(seed);
    const text = document(g, 20);
    const sel = selection(g, text);
    try {
      for (const mode of ['exact', 'lines'] as const) {
        const { range } = await anchorRange(text, 'plaintext', sel, mode);
        assert.ok(range.start <= sel.start && range.end >= sel.end, `${mode} anchoring keeps the selection`);
        assertWhole(text, range, `${mode} anchor`);
      }
      const maxSize = g.int(1, 24);
      assertChunks(text, sel, chunkRegion(text, undefined, sel, { maxSize, measure: measureChars }), maxSize);
    } catch (e) {
      throw new Error(`case seed=${seed}: ${(e as Error).message}`, { cause: e });
    }
  }
});

test(`syntax anchoring and syntax chunking keep surrogate pairs whole (${CASES.toLocaleString('en')} cases)`, async () => {
  let syntaxCuts = 0;
  for (let seed = 1; seed <= CASES; seed++) {
    const g = new Gen(seed);
    const text = code(g);
    const sel = selection(g, text);
    try {
      const anchored = await anchorRange(text, 'typescript', sel, 'syntax');
      assertWhole(text, anchored.range, 'syntax anchor');
      const maxSize = g.int(4, 80);
      const region = { start: 0, end: text.length };
      const { chunks, syntax } = await chunkRange(text, 'typescript', region, { maxSize });
      assert.ok(syntax, 'the TypeScript grammar loaded');
      assertChunks(text, region, chunks, maxSize);
      if (chunks.length > 1) syntaxCuts++;
    } catch (e) {
      throw new Error(`case seed=${seed}: ${(e as Error).message}`, { cause: e });
    }
  }
  assert.ok(syntaxCuts > CASES / 2, `only ${syntaxCuts} cases were cut into several chunks`);
});
