import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balanceFill, balanceToward, bracketTarget, cutBackFill, dropLinesFill, endLike, fillVariants } from '../../src/core/fillVariants';
import { bracketBalance, scanBrackets } from '../../src/core/indentBrackets';

test('scanBrackets: positions of the openers left open and the closers that opened nothing', () => {
  const s = scanBrackets('a) { b(c, "(" [');
  assert.deepEqual(s.unopened, [{ ch: ')', at: 1 }]);
  assert.deepEqual(s.unclosed, [{ ch: '{', at: 3 }, { ch: '(', at: 6 }, { ch: '[', at: 14 }]);
  assert.equal(s.unterminatedAt, undefined);
  assert.equal(scanBrackets('x = "abc\ny = 1').unterminatedAt, 4);
  assert.equal(scanBrackets('s = """doc\nmore', 'python').unterminatedAt, 4);
  // bracketBalance is the same scan, counted.
  assert.deepEqual(bracketBalance('a) { b(c, "(" ['), { paren: 0, bracket: 1, brace: 1, unclosed: '{([', unopened: ')', unterminated: false });
});

test('balanceFill closes a block on its own line at the indentation of the line that opened it', () => {
  assert.equal(balanceFill('    if (x) {\n'), '    if (x) {\n    }\n');
  assert.equal(balanceFill('if (x) {\n  y();\n'), 'if (x) {\n  y();\n}\n');
  assert.equal(balanceFill('\tfor (;;) {\n\t\tif (a) {\n\t\t\tb();'), '\tfor (;;) {\n\t\tif (a) {\n\t\t\tb();\n\t\t}\n\t}');
});

test('balanceFill closes inline openers inline and keeps the fill\'s trailing whitespace', () => {
  assert.equal(balanceFill('foo(a, b\n'), 'foo(a, b)\n');
  assert.equal(balanceFill('const o = { x: 1'), 'const o = { x: 1 }');
  assert.equal(balanceFill('xs = [1, 2'), 'xs = [1, 2]');
  assert.equal(balanceFill('call(f(x'), 'call(f(x))');
  assert.equal(balanceFill('const b = f(a, [1;\n'), 'const b = f(a, [1]);\n');
  assert.equal(balanceFill('  g(1,'), '  g(1),');
  assert.equal(balanceFill('{\n  f(a;'), '{\n  f(a);\n}');
});

test('balanceFill takes out closers that opened nothing and cuts an unterminated string', () => {
  assert.equal(balanceFill('}),\n'), ',\n');
  assert.equal(balanceFill('x = f(a))'), 'x = f(a)');
  assert.equal(balanceFill('msg = "hello\n'), 'msg =\n');
  assert.equal(balanceFill('doc = 1\n"""', 'python'), 'doc = 1');
  assert.equal(balanceFill('"""', 'python'), '');
  assert.equal(balanceFill('{'), '{\n}');
});

test('balanceFill leaves a balanced fill alone, brackets in strings and comments included', () => {
  for (const t of ['f(a)[0] = { b: 1 };\n', 'x = ")"  // (\n', 'let s = `${a}(`;', "c = '{'\n"]) assert.equal(balanceFill(t, 'javascript'), t);
  assert.equal(balanceFill('# (\ny = 2', 'python'), '# (\ny = 2');
});

const at = (n: number) => [{ start: n, end: n + 1 }];

test('cutBackFill keeps the whole lines before the first error, balanced', () => {
  const fill = 'if (a) {\n  b();\n  c(d e f\n  g();\n}\n';
  assert.equal(cutBackFill(fill, fill.indexOf('e f')), 'if (a) {\n  b();\n}\n');
  assert.equal(cutBackFill(fill, 3), undefined);
  assert.equal(cutBackFill('x\ny', 99), 'x\n');
});

test('fillVariants: distinct, never the fill itself, never blank, least changed first', () => {
  const fill = 'if (a) {\n  b(;\n';
  const v = fillVariants(fill, 'javascript', at(fill.indexOf('(;')));
  assert.deepEqual(v, ['if (a) {\n  b();\n}\n', 'if (a) {\n}\n']);
  assert.deepEqual(fillVariants('a + b;\n', 'javascript', at(0)), []);
  assert.deepEqual(fillVariants('"""', 'python'), []);
  assert.deepEqual(fillVariants('),', 'python'), [',']);
  // A cut that keeps less than half of the fill's code is no mend; dropping the broken line is.
  const long = 'x = 1\ny = (\nz = 3\nw = 4\nv = 5\n';
  assert.deepEqual(fillVariants(long, 'python', at(long.indexOf('y = ('))), [balanceFill(long, 'python'), 'x = 1\nz = 3\nw = 4\nv = 5\n']);
});

test('dropLinesFill leaves out every line an error touches, keeps the rest as written, balanced', () => {
  const fill = 'a = f(1)\nb = = 2\nc = 3\nd = g(\n  4,,\n)\ne = 5\n';
  const errors = [{ start: fill.indexOf('= ='), end: fill.indexOf('= =') + 3 }, { start: fill.indexOf('4,,'), end: fill.indexOf('4,,') + 3 }];
  assert.equal(dropLinesFill(fill, errors, 'python'), 'a = f(1)\nc = 3\nd = g(\n)\ne = 5\n');
  // An error over two lines takes both; a line left with an opener it no longer closes is balanced.
  const across = [{ start: fill.indexOf('= ='), end: fill.indexOf('c = 3') + 1 }, { start: fill.indexOf(')\ne'), end: fill.indexOf(')\ne') + 1 }];
  assert.equal(dropLinesFill(fill, across, 'python'), 'a = f(1)\nd = g(\n  4,,\ne = 5\n)\n');
  // An error at a line's end, or an empty range, still names its line.
  assert.equal(dropLinesFill('x = (\ny = 1', [{ start: 5, end: 5 }]), 'y = 1');
  assert.equal(dropLinesFill('x = (', [{ start: 0, end: 5 }]), undefined, 'nothing left');
  assert.equal(dropLinesFill('x = 1\n', []), undefined, 'nothing to drop');
});

test('balanceToward leaves open what the replaced code left open, and closes what it closed', () => {
  // A statement's head: the fill closed the parameter list the code after it closes.
  const head = bracketTarget('pub fn create(\n        a: Attributes,\n        b: Guid,', 'rust')!;
  assert.equal(balanceToward('pub fn open(a: T) -> Handle;', head, 'rust'), 'pub fn open(a: T');
  // A block's head: cut back to before the closer of the fill's own block.
  const block = bracketTarget('for (const p in v) {\n  const a = 1\n  b()', 'typescript')!;
  assert.equal(balanceToward('for (const x of y) {\n  a();\n}\nfoo();\n', block), 'for (const x of y) {\n  a();\n');
  // A block's end: closers past the target's go; ones left out come back where the original had them.
  const end = bracketTarget('  c()\n      })\n    }', 'typescript')!;
  assert.equal(balanceToward('  d()\n      })\n    })\n  }', end), '  d()\n      })\n    }');
  assert.equal(balanceToward('  d(', end), '  d()\n      })\n    }');
  // Balanced code has no target: the plain balancing applies.
  assert.equal(bracketTarget('f(a);\n{ b(); }'), undefined);
});

test('fillVariants balances toward the replaced code when it is a piece of a statement', () => {
  const original = 'const table = {\n  a: 1,\n  b: 2,';
  const variants = fillVariants('const t = {\n  a: 3,\n  b: 4,\n};\nconst u = ((', 'typescript', [{ start: 30, end: 34 }], 0, original);
  assert.ok(variants.includes('const t = {\n  a: 3,\n  b: 4,'), JSON.stringify(variants));
  // Without the target, the same fill is balanced to zero.
  assert.ok(!fillVariants('const t = {\n  a: 3,\n  b: 4,\n};\nconst u = ((', 'typescript', [{ start: 30, end: 34 }]).includes('const t = {\n  a: 3,\n  b: 4,'));
});

test('endLike: a piece ends with the separator its code ended with', () => {
  assert.equal(endLike('\t0x1, 0x2\n', '\t0xa, 0xb,\n'), '\t0x1, 0x2,\n');
  assert.equal(endLike('x = 1\n', 'y = 2;'), 'x = 1;\n');
  // Already ended with one, an original with none, or one that is only the separator: unchanged.
  assert.equal(endLike('a, b;', 'c, d,'), 'a, b;');
  assert.equal(endLike('a, b', 'c, d'), 'a, b');
  assert.equal(endLike('a', ' ,'), 'a');
  assert.equal(endLike('  \n', 'a,'), '  \n');
  // Among the variants of a fill toward a table's rows, the least changed first.
  const rows = '\t0xa1, 0xa2,\n\t0xa3, 0xa4,';
  assert.deepEqual(fillVariants('\t0x1, 0x2,\n\t0x3, 0x4', 'go', [], 0, rows)[0], '\t0x1, 0x2,\n\t0x3, 0x4,');
});
