/**
 * Chunking invariants over real parses: chunks cover the region exactly, in order, without gaps or
 * overlaps, each within budget, and cut at syntax boundaries when the tree allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OffsetRange } from '../../src/core/types';
import type { SyntaxNode } from '../../src/core/syntaxTree';
import { chunkRegion, measureChars, measureLines } from '../../src/core/chunk';
import { chunkRange, GRAMMARS } from '../../src/syntax';
import type { GrammarName } from '../../src/syntax';
import { loadLanguage } from '../../src/syntax/loader';
import { withTree } from '../../src/syntax/tree';

const fixtures = path.join(__dirname, '..', 'fixtures', 'anchor');

/** A larger source: every anchor fixture of one language, markers stripped, concatenated. */
function corpus(languageId: string): string {
  const dir = path.join(fixtures, languageId);
  return fs.readdirSync(dir).filter(f => !f.endsWith('.expected')).sort()
    .map(f => fs.readFileSync(path.join(dir, f), 'utf8').replace('<<|>>', '').replace('<<', '').replace('>>', ''))
    .join('\n');
}

function assertCovers(chunks: readonly OffsetRange[], region: OffsetRange): void {
  assert.ok(chunks.length > 0);
  assert.equal(chunks[0]!.start, region.start);
  assert.equal(chunks[chunks.length - 1]!.end, region.end);
  for (let i = 0; i < chunks.length; i++) {
    assert.ok(chunks[i]!.start < chunks[i]!.end, `chunk ${i} is empty`);
    if (i > 0) assert.equal(chunks[i]!.start, chunks[i - 1]!.end, `gap or overlap before chunk ${i}`);
  }
}

/** Every offset where some node starts, and every line start. */
async function boundaries(text: string, grammar: GrammarName): Promise<{ nodeStarts: Set<number>; lineStarts: Set<number> }> {
  const nodeStarts = new Set<number>();
  await withTree(text, await loadLanguage(GRAMMARS[grammar]), root => {
    const walk = (n: SyntaxNode): void => { nodeStarts.add(n.start); n.children.forEach(walk); };
    walk(root);
  });
  const lineStarts = new Set([0]);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.add(i + 1);
  return { nodeStarts, lineStarts };
}

const CASES: readonly [string, GrammarName][] = [
  ['typescript', 'typescript'], ['python', 'python'], ['go', 'go'], ['rust', 'rust'],
  ['java', 'java'], ['c', 'c'], ['cpp', 'cpp'], ['typescriptreact', 'tsx'], ['json', 'json'],
];

for (const [languageId, grammar] of CASES) {
  test(`chunks of a ${languageId} file are contiguous, within budget and cut between nodes`, async () => {
    const text = corpus(languageId);
    const region = { start: 0, end: text.length };
    const { nodeStarts, lineStarts } = await boundaries(text, grammar);
    for (const maxSize of [120, 300, 800, text.length]) {
      const { chunks, syntax } = await chunkRange(text, languageId, region, { maxSize });
      assert.equal(syntax, true);
      assertCovers(chunks, region);
      if (maxSize === text.length) assert.equal(chunks.length, 1);
      for (const c of chunks) assert.ok(c.end - c.start <= maxSize, `chunk of ${c.end - c.start} > ${maxSize}`);
      for (const c of chunks.slice(1)) {
        // A cut sits at a node start, or at the start of a line whose content starts a node.
        const firstContent = c.start + /^[ \t]*/.exec(text.slice(c.start))![0].length;
        assert.ok(nodeStarts.has(c.start) || (lineStarts.has(c.start) && nodeStarts.has(firstContent)),
          `${languageId} max ${maxSize}: cut at ${c.start} (${JSON.stringify(text.slice(c.start, c.start + 20))}) is not at a node boundary`);
      }
    }
  });
}

test('an oversized function is split between its statements, at line starts', async () => {
  const body = Array.from({ length: 40 }, (_, i) => `  const v${i} = compute(${i});\n`).join('');
  const text = `function big() {\n${body}}\n`;
  const { chunks } = await chunkRange(text, 'typescript', { start: 0, end: text.length }, { maxSize: 10, measure: measureLines });
  assertCovers(chunks, { start: 0, end: text.length });
  assert.ok(chunks.length >= 5);
  for (const c of chunks) {
    assert.ok(measureLines(text.slice(c.start, c.end)) <= 10);
    assert.ok(c.start === 0 || text[c.start - 1] === '\n', 'cuts fall at line starts');
  }
});

test('a budget counted by a non-additive measure is still respected', async () => {
  const text = corpus('python');
  // Words, where joining two pieces can merge a word across the cut: sizes do not simply add up.
  const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;
  const { chunks } = await chunkRange(text, 'python', { start: 0, end: text.length }, { maxSize: 25, measure: words });
  assertCovers(chunks, { start: 0, end: text.length });
  for (const c of chunks) assert.ok(words(text.slice(c.start, c.end)) <= 25);
});

test('a sub-region is chunked within its bounds', async () => {
  const text = corpus('go');
  const region = { start: text.indexOf('func main'), end: text.indexOf('fmt.Println(total)') + 20 };
  const { chunks } = await chunkRange(text, 'go', region, { maxSize: 40 });
  assertCovers(chunks, region);
  for (const c of chunks) assert.ok(c.end - c.start <= 40);
});

test('a single line over budget is cut at characters, never inside a surrogate pair', () => {
  const text = `const s = "${'😀a'.repeat(30)}";\n`;
  const chunks = chunkRegion(text, undefined, { start: 0, end: text.length }, { maxSize: 7 });
  assertCovers(chunks, { start: 0, end: text.length });
  for (const c of chunks) {
    assert.ok(c.end - c.start <= 7);
    const code = text.charCodeAt(c.start);
    assert.ok(!(code >= 0xdc00 && code <= 0xdfff), `chunk starts inside a surrogate pair at ${c.start}`);
  }
});

test('without a tree, chunks are whole lines packed up to the budget', () => {
  const text = 'aaaa\nbbbb\ncccc\ndddd\n';
  assert.deepEqual(chunkRegion(text, undefined, { start: 0, end: text.length }, { maxSize: 10, measure: measureChars }),
    [{ start: 0, end: 10 }, { start: 10, end: 20 }]);
  assert.deepEqual(chunkRegion(text, undefined, { start: 0, end: text.length }, { maxSize: 3, measure: measureLines }),
    [{ start: 0, end: 15 }, { start: 15, end: 20 }]);
});

test('an empty region has no chunks and a budget below one is refused', () => {
  assert.deepEqual(chunkRegion('abc', undefined, { start: 1, end: 1 }, { maxSize: 5 }), []);
  assert.throws(() => chunkRegion('abc', undefined, { start: 0, end: 3 }, { maxSize: 0 }), RangeError);
});
