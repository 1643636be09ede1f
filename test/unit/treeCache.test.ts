import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node, Tree } from 'web-tree-sitter';
import { GRAMMARS } from '../../src/syntax';
import { loadLanguage, newParser } from '../../src/syntax/loader';
import { textChange, withTree } from '../../src/syntax/tree';
import { Rng } from '../../src/core/rng';

const ROOT = path.join(__dirname, '..', '..');

/** Every node of a tree with its span, in document order: structure and positions both. */
function dump(tree: Tree): string {
  const out: string[] = [];
  const visit = (node: Node): void => {
    out.push(`${node.type}${node.isMissing ? '!' : ''}[${node.startIndex},${node.endIndex}](${node.startPosition.row}:${node.startPosition.column})`);
    for (const child of node.children) if (child) visit(child);
  };
  visit(tree.rootNode);
  return out.join(' ');
}

/** The tree of `text` from a parser of its own, never from the cache: what `withTree` must match. */
async function freshTree(text: string, grammar: keyof typeof GRAMMARS): Promise<string> {
  const parser = newParser(await loadLanguage(GRAMMARS[grammar]));
  const tree = parser.parse(text)!;
  try {
    return dump(tree);
  } finally {
    tree.delete();
    parser.delete();
  }
}

// An edit checks the same document with one fill after another in it: those re-parses start from a
// recent tree. Broken fills too (an unclosed brace, a stray operator, a cut string) give the very
// tree a fresh parse gives, node for node.
test('a document re-parsed from a recent tree gives the tree a fresh parse gives, for clean and broken fills alike', async () => {
  const cases: Array<[keyof typeof GRAMMARS, string]> = [
    ['typescript', fs.readFileSync(path.join(ROOT, 'src', 'engine', 'syntaxRepair.ts'), 'utf8')],
    ['python', fs.readFileSync(path.join(ROOT, 'models', 'training', 'eval_infill.py'), 'utf8')],
  ];
  const junk = ['{', '}', ')', '(', ' + ', '"', "'", '\n', 'if (x) {\n', 'def f(:\n', ' ]', 'return;', '', '  \n\n', 'const q = ', '/*'];
  const rng = new Rng(7);
  const rand = () => rng.next();
  for (const [grammar, original] of cases) {
    const language = await loadLanguage(GRAMMARS[grammar]);
    await withTree(original, language, () => undefined);
    for (let k = 0; k < 40; k++) {
      const start = Math.floor(rand() * original.length);
      const end = Math.min(original.length, start + Math.floor(rand() * 400));
      const fill = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => junk[Math.floor(rand() * junk.length)]).join('')
        + original.slice(start, end).slice(Math.floor(rand() * 50));
      const text = original.slice(0, start) + fill + original.slice(end);
      const cached = await withTree(text, language, (_root, tree) => dump(tree));
      assert.equal(cached, await freshTree(text, grammar), `${grammar}: [${start}, ${end}) <- ${JSON.stringify(fill.slice(0, 40))}`);
      // The same text again comes from the cache, the same tree.
      assert.equal(await withTree(text, language, (_root, tree) => dump(tree)), cached);
    }
  }
});

test('textChange finds the one span two texts differ in, with rows and columns in UTF-16 code units', () => {
  const c = textChange('ab\ncd😀ef\ngh', 'ab\ncd😀XYZf\ngh');
  assert.deepEqual(c.edit, {
    startIndex: 7, oldEndIndex: 8, newEndIndex: 10,
    startPosition: { row: 1, column: 4 }, oldEndPosition: { row: 1, column: 5 }, newEndPosition: { row: 1, column: 7 },
  });
  assert.equal(c.changed, 4);
  const same = textChange('abc', 'abc');
  assert.equal(same.changed, 0);
  const grown = textChange('aaa', 'aaaa');
  assert.deepEqual([grown.edit.startIndex, grown.edit.oldEndIndex, grown.edit.newEndIndex], [3, 3, 4]);
});
