import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchorIndent, detectIndentStyle, endLikeOriginal, reindent } from '../../src/core/indent';
import { balanceDelta, bracketBalance } from '../../src/core/indentBrackets';

test('indent style: tabs, two spaces, four spaces, none', () => {
  assert.equal(detectIndentStyle('func f() {\n\tif x {\n\t\ty()\n\t}\n}\n').unit, '\t');
  assert.equal(detectIndentStyle('a {\n  b {\n    c\n  }\n}\n').unit, '  ');
  assert.equal(detectIndentStyle('def f():\n    if x:\n        y()\n    return 1\n').unit, '    ');
  const none = detectIndentStyle('a\nb\n');
  assert.equal(none.guessed, true);
  assert.equal(none.unit, '    ');
  // JSDoc's ` * ` continuation lines do not make the unit one space.
  assert.equal(detectIndentStyle('/**\n * doc\n */\nclass A {\n  x = 1;\n  y = 2;\n}\n').unit, '  ');
});

test('anchor indentation is the leading whitespace of the anchor line, in levels', () => {
  const text = 'class A:\n    def f(self):\n        return 1\n';
  const i = anchorIndent(text, text.indexOf('return'));
  assert.deepEqual([i.text, i.level, i.unit], ['        ', 2, '    ']);
  const mid = anchorIndent('x = [a, b]\n', 5);
  assert.deepEqual([mid.text, mid.level], ['', 0]);
});

test('reindent converts a four-space fill to the tab style of the document', () => {
  const target = anchorIndent('func f() {\n\tif x {\n\t\ty()\n\t}\n}\n', 12);
  assert.equal(target.level, 1);
  const fill = 'if x {\n        y()\n        z()\n    }';
  assert.equal(reindent(fill, target), 'if x {\n\t\ty()\n\t\tz()\n\t}');
});

test('reindent keeps a fill that already matches, and strips whitespace-only lines', () => {
  const doc = 'def f():\n    a = 1\n    b = 2\n';
  const target = anchorIndent(doc, doc.indexOf('a = 1'));
  assert.equal(reindent('a = 1\n    \n    b = 3', target), 'a = 1\n\n    b = 3');
});

test('reindent shifts a fill that dedented below the anchor back into its block', () => {
  const doc = 'class A:\n    def f(self):\n        if x:\n            y()\n';
  const target = anchorIndent(doc, doc.indexOf('if x'));
  assert.equal(target.level, 2);
  // The model wrote the continuation lines as if the block were at column 0.
  assert.equal(reindent('if x:\n    y()\nz()', target), 'if x:\n            y()\n        z()');
});

test('reindent of whole lines re-indents the first line too', () => {
  const doc = 'a {\n  b;\n}\n';
  const target = anchorIndent(doc, doc.indexOf('  b'));
  assert.equal(reindent('\tb;\n\tc;\n', target, { startsMidLine: false }), '  b;\n  c;\n');
});

test('bracket balance ignores brackets in strings and comments', () => {
  const b = bracketBalance('f("(", \'[\', `{`) // )\n/* } */ { x[0]', 'typescript');
  assert.deepEqual([b.paren, b.bracket, b.brace, b.unclosed, b.unopened], [0, 0, 1, '{', '']);
  assert.equal(b.unterminated, false);
});

test('bracket balance: python comments and triple-quoted strings, rust lifetimes', () => {
  assert.equal(bracketBalance('x = f(1)  # (\ns = """ ( [\n"""\n', 'python').paren, 0);
  const rust = bracketBalance("fn f<'a>(x: &'a str) -> char { '{' }", 'rust');
  assert.deepEqual([rust.paren, rust.brace], [0, 0]);
});

test('bracket balance reports closers without openers and unterminated text', () => {
  const b = bracketBalance('a) ]');
  assert.deepEqual([b.paren, b.bracket, b.unopened], [-1, -1, ')]']);
  assert.equal(bracketBalance('x = "abc').unterminated, true);
  assert.equal(bracketBalance('/* open').unterminated, true);
  // A stray quote in prose does not hide the brackets on the next lines.
  const jsx = bracketBalance("<p>don't</p>\n{x}(", 'typescriptreact');
  assert.deepEqual([jsx.brace, jsx.paren, jsx.unterminated], [0, 1, true]);
});

test('balance delta compares a fill with the text it replaces', () => {
  const original = 'if (a) {\n  b();\n';
  assert.deepEqual(balanceDelta(original, 'if (c) {\n  d();\n'), { paren: 0, bracket: 0, brace: 0, matches: true });
  assert.deepEqual(balanceDelta(original, 'if (c) {\n  d();\n}\n'), { paren: 0, bracket: 0, brace: -1, matches: false });
  assert.deepEqual(balanceDelta(original, 'if (c {\n'), { paren: 1, bracket: 0, brace: 0, matches: false });
});

test('a fill ends where its original ended: no line break after a range that stops before its line\'s break', () => {
  const original = '  if (items.length === 0) {\n    return 0;\n  }';
  assert.equal(endLikeOriginal('return sum;\n  for (;;) {\n', original), 'return sum;\n  for (;;) {');
  assert.equal(endLikeOriginal('a();\n  \n\r\n', 'b();'), 'a();', 'blank lines and CRLF breaks at the end go too');
  assert.equal(endLikeOriginal('a();\n', 'b();\n'), 'a();\n', 'an original that ends with a break keeps the fill\'s');
  assert.equal(endLikeOriginal('a();\n  b();', original), 'a();\n  b();', 'breaks inside the fill stay');
});
