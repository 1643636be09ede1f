import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  anchorRange, chunkRange, configureSyntax, GRAMMARS, grammarFor, languageIdForFile, proseRanges, validateFill,
} from '../../src/syntax';
import { grammarWasmPath, loadLanguage, querySource } from '../../src/syntax/loader';
import { anchorRoles, loadAnchorQuery, withTree } from '../../src/syntax/tree';
import type { SyntaxNode } from '../../src/core/syntaxTree';

const SAMPLES: Record<string, string> = {
  typescript: 'export const f = (x: number): number => x + 1;\n',
  tsx: 'const a = <div className="x">{1}</div>;\n',
  javascript: 'const b = <p>hi</p>;\nfunction g() { return 1; }\n',
  python: '@dec\ndef f(x):\n    return x\n',
  go: 'package main\n\nfunc main() {}\n',
  rust: '#[test]\nfn f() -> i32 { 1 }\n',
  java: 'class A { @Override public String toString() { return ""; } }\n',
  c: 'int main(void) { return 0; }\n',
  cpp: 'template <typename T> T id(T x) { return x; }\n',
  json: '{"a": [1, 2]}\n',
};

test('language ids and file names map to grammars', () => {
  assert.equal(grammarFor('typescript')?.name, 'typescript');
  assert.equal(grammarFor('typescriptreact')?.name, 'tsx');
  assert.equal(grammarFor('javascriptreact')?.name, 'javascript');
  assert.equal(grammarFor('jsonc')?.name, 'json');
  assert.equal(grammarFor('src/app/Main.TSX')?.name, 'tsx');
  assert.equal(grammarFor('lib.rs')?.name, 'rust');
  assert.equal(grammarFor('x.hpp')?.name, 'cpp');
  assert.equal(grammarFor('x.h')?.name, 'c');
  assert.equal(grammarFor('cobol'), undefined);
  assert.equal(grammarFor('notes.txt'), undefined);
  assert.equal(languageIdForFile('a/b/c.py'), 'python');
  assert.equal(languageIdForFile('view.tsx'), 'typescriptreact');
  assert.equal(languageIdForFile('Makefile'), undefined);
});

test('every grammar loads, parses its sample cleanly and compiles its anchor query', async () => {
  for (const g of Object.values(GRAMMARS)) {
    const lang = await loadLanguage(g);
    const query = await loadAnchorQuery(g);
    const { hasError, anchors } = await withTree(SAMPLES[g.name]!, lang, (root, tree) => ({
      hasError: root.hasError,
      anchors: anchorRoles(query, tree).size,
    }));
    assert.equal(hasError, false, `${g.name} sample has syntax errors`);
    assert.ok(anchors > 0, `${g.name} anchor query captured nothing`);
  }
});

test('a language is loaded once and shared by concurrent callers', async () => {
  const [a, b] = await Promise.all([loadLanguage(GRAMMARS.go), loadLanguage(GRAMMARS.go)]);
  assert.equal(a, b);
  assert.equal(await loadLanguage(GRAMMARS.go), a);
});

test('query files inherit their parent grammar\'s patterns', () => {
  const tsx = querySource('tsx', 'anchors');
  assert.match(tsx, /\(method_definition\)/);
  assert.match(tsx, /\(jsx_element\)/);
  assert.ok(tsx.indexOf('(method_definition)') < tsx.indexOf('(jsx_element)'));
});

test('a missing grammar file is reported with the places searched', () => {
  configureSyntax({ grammarDir: '/nonexistent/grammars' });
  try {
    assert.throws(() => grammarWasmPath(GRAMMARS.java), /tree-sitter-java\.wasm not found; looked in: \/nonexistent\/grammars/);
  } finally {
    configureSyntax({});
  }
});

test('node offsets are UTF-16 code units, like VS Code offsets', async () => {
  // Astral characters (two code units, four UTF-8 bytes) and a BMP accent before the node.
  const text = 'const s = "😀😀é𝄞";\nfunction target() { return 1; }\n';
  const lang = await loadLanguage(GRAMMARS.typescript);
  const fn = await withTree(text, lang, root => {
    const node = root.children.find(c => c.type === 'function_declaration')!;
    return { start: node.start, end: node.end };
  });
  assert.equal(fn.start, text.indexOf('function'));
  assert.equal(fn.end, text.indexOf('}') + 1);
  const cursor = text.indexOf('return');
  const anchored = await anchorRange(text, 'typescript', { start: cursor, end: cursor }, 'syntax');
  assert.equal(text.slice(anchored.range.start, anchored.range.end), 'return 1;');
});

test('an unsupported language falls back to lines and says why, without throwing', async () => {
  const text = 'IDENTIFICATION DIVISION.\nPROGRAM-ID. HELLO.\n';
  const r = await anchorRange(text, 'cobol', { start: 30, end: 32 }, 'syntax');
  assert.equal(r.mode, 'lines');
  assert.equal(r.fellBackToLines, true);
  assert.match(r.reason ?? '', /no grammar for language "cobol"/);
  assert.deepEqual(r.range, { start: 25, end: text.length });
  const chunks = await chunkRange(text, 'cobol', { start: 0, end: text.length }, { maxSize: 30 });
  assert.equal(chunks.syntax, false);
  assert.deepEqual(chunks.chunks, [{ start: 0, end: 25 }, { start: 25, end: text.length }]);
  const v = await validateFill(text, 'cobol', { start: 0, end: 5 }, '(((');
  assert.deepEqual(v, { ok: true, errorsBefore: 0, errorsAfter: 0, errorRanges: [], checked: false });
});

test('exact and lines modes do not need a grammar', async () => {
  const text = 'a = 1\nb = 2\nc = 3\n';
  const exact = await anchorRange(text, 'python', { start: 7, end: 9 }, 'exact');
  assert.deepEqual(exact.range, { start: 7, end: 9 });
  assert.equal(exact.fellBackToLines, false);
  const lines = await anchorRange(text, 'python', { start: 7, end: 9 }, 'lines');
  assert.deepEqual(lines.range, { start: 6, end: 12 });
  const clamped = await anchorRange(text, 'python', { start: 10, end: 500 }, 'exact');
  assert.deepEqual(clamped.range, { start: 10, end: text.length });
});

test('anchoring records the indentation style and level of the anchor', async () => {
  const go = 'package p\n\nfunc f() {\n\tif true {\n\t\tx := 1\n\t\t_ = x\n\t}\n}\n';
  const at = go.indexOf('x := 1');
  const r = await anchorRange(go, 'go', { start: at, end: at }, 'syntax');
  assert.equal(go.slice(r.range.start, r.range.end), 'x := 1');
  assert.equal(r.indent.unit, '\t');
  assert.equal(r.indent.level, 2);
  assert.equal(r.indent.text, '\t\t');

  const py = 'class A:\n    def f(self):\n        return 1\n';
  const p = await anchorRange(py, 'python', { start: py.indexOf('return'), end: py.indexOf('return') }, 'syntax');
  assert.deepEqual([p.indent.unit, p.indent.level, p.indent.guessed], ['    ', 2, false]);
});

test('validation accepts a good fill and counts nothing', async () => {
  const text = 'function f(a: number) {\n  return a + 1;\n}\n';
  const range = { start: text.indexOf('return'), end: text.indexOf(';') + 1 };
  const v = await validateFill(text, 'typescript', range, 'return a * 2;');
  assert.deepEqual(v, { ok: true, errorsBefore: 0, errorsAfter: 0, errorRanges: [], checked: true });
});

test('validation reports a broken fill with error ranges inside the fill, in new-document offsets', async () => {
  const text = 'const s = "😀";\nfunction f(a: number) {\n  return a + 1;\n}\nconst z = 2;\n';
  const range = { start: text.indexOf('return'), end: text.indexOf(';', text.indexOf('return')) + 1 };
  const fill = 'return g(a + ;';
  const v = await validateFill(text, 'typescript', range, fill);
  assert.equal(v.checked, true);
  assert.equal(v.ok, false);
  assert.equal(v.errorsBefore, 0);
  assert.ok(v.errorsAfter > 0);
  assert.ok(v.errorRanges.length > 0);
  for (const r of v.errorRanges) {
    assert.ok(r.start >= range.start && r.end <= range.start + fill.length && r.start < r.end, JSON.stringify(r));
  }
});

test('a MISSING token (unclosed paren) yields a non-empty range at the spot', async () => {
  const text = 'def f(x):\n    return x\n';
  const range = { start: text.indexOf('return x'), end: text.indexOf('return x') + 8 };
  const fill = 'return max(x, 0';
  const v = await validateFill(text, 'python', range, fill);
  assert.equal(v.ok, false);
  assert.ok(v.errorRanges.length > 0);
  const newText = text.slice(0, range.start) + fill + text.slice(range.end);
  const covered = v.errorRanges.map(r => newText.slice(r.start, r.end)).join('|');
  assert.ok(covered.length > 0);
  for (const r of v.errorRanges) assert.ok(r.start >= range.start && r.end <= range.start + fill.length);
});

test('an insertion must mend the hole it fills: matching the broken document with a hole in it is not enough', async () => {
  // The hole took the second operand with it: `&&` is left dangling right where the fill goes.
  const text = 'function f(a: number) {\n  if (a > 0 &&\n    ) {\n    return a;\n  }\n  return 0;\n}\n';
  const at = text.indexOf('    ) {') + 4;
  const range = { start: at, end: at };
  const nothing = await validateFill(text, 'typescript', range, '');
  assert.equal(nothing.errorsAfter, nothing.errorsBefore, 'the same document, the same errors');
  assert.equal(nothing.ok, false, 'but the error touches the insertion');
  assert.ok(nothing.errorRanges.length > 0);
  assert.equal((await validateFill(text, 'typescript', range, 'a < 10')).ok, true);
});

test('an insertion must mend what its hole broke a few lines on, not only where it sits', async () => {
  // The hole took `function g() {` with it: the `}` three lines below is the error, not the hole.
  const text = 'function f(a: number) {\n  return a;\n}\n\n  const b = 2;\n  let c = b * 2;\n  return b + c;\n}\nfunction h() {}\n';
  const at = text.indexOf('\n\n') + 2;
  const range = { start: at, end: at };
  const statement = await validateFill(text, 'typescript', range, 'const z = 0;\n');
  assert.equal(statement.errorsAfter, statement.errorsBefore, 'no more errors than the holed document');
  assert.equal(statement.ok, false, 'but the stray brace is near enough to be the fill\'s');
  assert.ok(statement.errorRanges.length > 0);
  const header = await validateFill(text, 'typescript', range, 'function g() {\n');
  assert.equal(header.ok, true);
  assert.equal(header.errorsAfter, 0);
});

test('a Python block left without a statement is an error, though the grammar takes it', async () => {
  const text = 'def f(x):\n    if x:\n        y = 1\n    return x\n';
  const range = { start: text.indexOf('        y'), end: text.indexOf('    return') };
  const gone = await validateFill(text, 'python', range, '');
  assert.equal(gone.ok, false, 'an if with no body');
  assert.equal(gone.errorsAfter, 1);
  assert.ok(gone.errorRanges.length > 0);
  assert.equal((await validateFill(text, 'python', range, '        pass\n')).ok, true);
  // Other languages' empty blocks are fine.
  const ts = 'function f(x: number) {\n  if (x) {\n    x++;\n  }\n}\n';
  assert.equal((await validateFill(ts, 'typescript', { start: ts.indexOf('    x++'), end: ts.indexOf('  }') }, '')).ok, true);
});

test('a fill that repairs broken code is accepted; errors far from the change are not counted', async () => {
  const far = '\n'.repeat(5) + '// filler\n'.repeat(60);
  const text = `int f(void) {\n  return (1 + 2;\n}\n${far}int g(void) { return ((0; }\n`;
  const range = { start: text.indexOf('return (1'), end: text.indexOf('2;') + 2 };
  const v = await validateFill(text, 'c', range, 'return (1 + 2);', { margin: 64 });
  assert.equal(v.ok, true);
  assert.ok(v.errorsBefore > 0);
  assert.equal(v.errorsAfter, 0);
});

test('adapted trees expose error and missing nodes', async () => {
  const lang = await loadLanguage(GRAMMARS.typescript);
  const kinds = await withTree('const x = (1 + 2;\n', lang, root => {
    const found: string[] = [];
    const walk = (n: SyntaxNode): void => {
      if (n.type === 'ERROR' || n.isMissing) found.push(n.isMissing ? `MISSING ${n.type}` : 'ERROR');
      n.children.forEach(walk);
    };
    walk(root);
    return { hasError: root.hasError, found };
  });
  assert.equal(kinds.hasError, true);
  assert.ok(kinds.found.length > 0);
});

test('a whole-file selection anchors to all of its content; an empty document to nothing', async () => {
  const text = '# tool\nimport os\n\n\ndef main():\n    print(os.getcwd())\n\n\nmain()\n';
  const r = await anchorRange(text, 'python', { start: 0, end: text.length }, 'syntax');
  assert.equal(r.mode, 'syntax');
  assert.deepEqual(r.range, { start: 0, end: text.length - 1 });
  const empty = await anchorRange('', 'python', { start: 0, end: 0 }, 'syntax');
  assert.deepEqual(empty.range, { start: 0, end: 0 });
  assert.equal(empty.fellBackToLines, true);
});

test('a selection inside a comment anchors to the comment, not the function around it', async () => {
  const text = 'function f() {\n  // first line\n  // second line\n  return 1;\n}\n';
  const r = await anchorRange(text, 'typescript', { start: text.indexOf('line'), end: text.indexOf('second') + 3 }, 'syntax');
  assert.equal(text.slice(r.range.start, r.range.end), '// first line\n  // second line');
});

test('proseRanges: comments and strings, but not the code a template literal or an f-string holds', async () => {
  const js = 'const a = `Hi ${user.nmae}, ${`x${n}`}!`; // a comment\n';
  const prose = (await proseRanges(js, 'javascript', { start: 0, end: js.length }))!.map((r) => js.slice(r.start, r.end));
  assert.deepEqual(prose, ['`Hi ', ', ', '`x', '`', '!`', '// a comment']);
  const py = 'label = f"Hello {naem}, {title!r}" # greet\n';
  const pyProse = (await proseRanges(py, 'python', { start: 0, end: py.length }))!.map((r) => py.slice(r.start, r.end));
  assert.ok(!pyProse.some((p) => p.includes('naem')), JSON.stringify(pyProse));
  assert.ok(pyProse.includes('# greet') && pyProse.some((p) => p.startsWith('f"Hello')), JSON.stringify(pyProse));
});
