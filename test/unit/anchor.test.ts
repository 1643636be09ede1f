/**
 * Anchoring decisions in core, on hand-built trees (the golden fixtures cover real grammars).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchorLines, anchorSyntax, trimRange } from '../../src/core/anchor';
import type { AnchorRole, SyntaxNode } from '../../src/core/syntaxTree';

let nextId = 1;
interface Spec { named?: boolean; extra?: boolean; role?: AnchorRole }

/** A node over `text.slice(start, end)`; children must be given in order. */
function node(type: string, start: number, end: number, children: SyntaxNode[] = [], spec: Spec = {}): SyntaxNode & { role?: AnchorRole } {
  return {
    id: nextId++, type, start, end, children, role: spec.role,
    isNamed: spec.named ?? true, isExtra: spec.extra ?? false, isMissing: false, hasError: false,
  };
}

/** Offsets of the first `token` in `text` at or after `from`. */
function at(text: string, token: string, from = 0): [number, number] {
  const s = text.indexOf(token, from);
  assert.ok(s >= 0, `token ${token}`);
  return [s, s + token.length];
}

function rolesOf(root: SyntaxNode): Map<number, AnchorRole> {
  const roles = new Map<number, AnchorRole>();
  const walk = (n: SyntaxNode & { role?: AnchorRole }): void => {
    if (n.role) roles.set(n.id, n.role);
    n.children.forEach(walk);
  };
  walk(root);
  return roles;
}

const leaf = (text: string, token: string, from = 0, spec: Spec = {}): SyntaxNode => node(token, ...at(text, token, from), [], { named: false, ...spec });

// function f() {
//   // note
//   a();
//   b();
// }
// c();
const SRC = 'function f() {\n  // note\n  a();\n  b();\n}\nc();\n';
function tree(): SyntaxNode {
  const stmt = (name: string, from = 0): SyntaxNode => {
    const [s, e] = at(SRC, `${name}();`, from);
    return node('expression_statement', s, e, [node('call', s, e - 1, [leaf(SRC, name, s), leaf(SRC, '(', s), leaf(SRC, ')', s)]), leaf(SRC, ';', s)], { role: 'anchor' });
  };
  const comment = node('comment', ...at(SRC, '// note'), [], { extra: true });
  const open = leaf(SRC, '{');
  const close = leaf(SRC, '}');
  const body = node('statement_block', open.start, close.end, [open, comment, stmt('a'), stmt('b'), close]);
  const fnKw = leaf(SRC, 'function');
  const fn = node('function_declaration', 0, close.end, [fnKw, node('identifier', ...at(SRC, 'f')), leaf(SRC, '('), leaf(SRC, ')'), body], { role: 'anchor' });
  return node('program', 0, SRC.length, [fn, stmt('c', close.end)]);
}

function anchored(text: string, root: SyntaxNode, start: number, end = start): string | undefined {
  const r = anchorSyntax(text, root, rolesOf(root), { start, end });
  return r && text.slice(r.range.start, r.range.end);
}

test('lines: whole lines with their line break; a selection ending at column 0 stops there', () => {
  const text = 'one\ntwo\nthree';
  assert.deepEqual(anchorLines(text, { start: 5, end: 6 }), { start: 4, end: 8 });
  assert.deepEqual(anchorLines(text, { start: 4, end: 8 }), { start: 4, end: 8 });
  assert.deepEqual(anchorLines(text, { start: 1, end: 9 }), { start: 0, end: text.length });
  assert.deepEqual(anchorLines(text, { start: 5, end: 5 }), { start: 4, end: 8 });
  assert.deepEqual(anchorLines(text, { start: text.length, end: text.length }), { start: 8, end: text.length });
});

test('trimRange drops surrounding whitespace and newlines', () => {
  assert.deepEqual(trimRange('  a b \n', { start: 0, end: 7 }), { start: 2, end: 5 });
  assert.deepEqual(trimRange('   ', { start: 0, end: 3 }), { start: 3, end: 3 });
});

test('a partial selection of two statements widens to both, and nothing more', () => {
  const root = tree();
  assert.equal(anchored(SRC, root, SRC.indexOf('a()') + 1, SRC.indexOf('b()') + 1), 'a();\n  b();');
});

test('a selection touching a comment takes the comment along', () => {
  const root = tree();
  assert.equal(anchored(SRC, root, SRC.indexOf('note'), SRC.indexOf('a()') + 2), '// note\n  a();');
});

test('a selection reaching the closing brace widens to the enclosing function', () => {
  const root = tree();
  assert.equal(anchored(SRC, root, SRC.indexOf('b()'), SRC.indexOf('}') + 1), SRC.slice(0, SRC.indexOf('}') + 1));
});

test('a selection over the header only widens to the function', () => {
  const root = tree();
  assert.equal(anchored(SRC, root, 2, 8), SRC.slice(0, SRC.indexOf('}') + 1));
});

test('a selection spanning top-level items takes them whole', () => {
  const root = tree();
  assert.equal(anchored(SRC, root, SRC.indexOf('b()'), SRC.indexOf('c()') + 1), SRC.slice(0, SRC.length - 1));
});

test('a cursor anchors to the smallest unit on its line, wherever on the line it is', () => {
  const root = tree();
  const line = SRC.indexOf('  b();');
  for (const cursor of [line, line + 1, line + 3, line + 6]) assert.equal(anchored(SRC, root, cursor), 'b();');
  assert.equal(anchored(SRC, root, SRC.indexOf('{')), SRC.slice(0, SRC.indexOf('}') + 1));
});

test('a cursor on a blank top-level line, or a selection of whitespace, has no anchor', () => {
  const text = 'a();\n\n\nb();\n';
  const s1 = node('expression_statement', 0, 4, [], { role: 'anchor' });
  const s2 = node('expression_statement', 7, 11, [], { role: 'anchor' });
  const root = node('program', 0, text.length, [s1, s2]);
  assert.equal(anchored(text, root, 5), undefined);
  assert.equal(anchored(text, root, 5, 7), undefined);
  // Whitespace selected from the end of a line means a cursor there: that line's unit.
  assert.equal(anchored(text, root, 4, 6), 'a();');
  assert.equal(anchored(text, root, 3, 8), 'a();\n\n\nb();');
});

test('top-level named nodes are units even without a query capture', () => {
  const text = 'x = 1\ny = 2\n';
  const root = node('module', 0, text.length, [node('assignment', 0, 5), node('assignment', 6, 11)]);
  assert.equal(anchored(text, root, 7), 'y = 2');
});

test('a definition inside a wrapper is taken with the wrapper; statements inside are not', () => {
  const text = '@dec\ndef f():\n    pass\n';
  const pass = node('pass_statement', ...at(text, 'pass'), [leaf(text, 'pass')], { role: 'anchor' });
  const def = node('function_definition', ...at(text, 'def f():\n    pass'), [leaf(text, 'def'), node('block', pass.start, pass.end, [pass])], { role: 'anchor' });
  const dec = node('decorator', 0, 4, [leaf(text, '@'), node('identifier', 1, 4)]);
  const wrapped = node('decorated_definition', 0, def.end, [dec, def], { role: 'wrap' });
  const root = node('module', 0, text.length, [wrapped]);
  assert.equal(anchored(text, root, text.indexOf('f(')), text.slice(0, def.end));
  assert.equal(anchored(text, root, text.indexOf('pass') + 1), 'pass');
});

test('leading attributes join the item after them; a cursor on one anchors to the item', () => {
  const text = 'impl A {\n    #[inline]\n    fn f() {}\n}\n';
  const attr = node('attribute_item', ...at(text, '#[inline]'), [leaf(text, '#')], { role: 'leading' });
  const fn = node('function_item', ...at(text, 'fn f() {}'), [leaf(text, 'fn'), leaf(text, '{}')], { role: 'anchor' });
  const list = node('declaration_list', ...at(text, '{\n    #[inline]\n    fn f() {}\n}'), [leaf(text, '{'), attr, fn, leaf(text, '}', fn.end)]);
  const impl = node('impl_item', 0, list.end, [leaf(text, 'impl'), list], { role: 'anchor' });
  const root = node('source_file', 0, text.length, [impl]);
  assert.equal(anchored(text, root, text.indexOf('f()')), '#[inline]\n    fn f() {}');
  assert.equal(anchored(text, root, text.indexOf('inline')), '#[inline]\n    fn f() {}');
});

test('a `;` that a container keeps after a member joins the member', () => {
  const text = 'class A {\n  x = 1;\n  y = 2;\n}\n';
  const field = (name: string): SyntaxNode => node('public_field_definition', ...at(text, `${name} = ${name === 'x' ? 1 : 2}`), [], { role: 'anchor' });
  const x = field('x');
  const y = field('y');
  const body = node('class_body', ...at(text, '{\n  x = 1;\n  y = 2;\n}'), [leaf(text, '{'), x, leaf(text, ';', x.end), y, leaf(text, ';', y.end), leaf(text, '}')]);
  const cls = node('class_declaration', 0, body.end, [leaf(text, 'class'), body], { role: 'anchor' });
  const root = node('program', 0, text.length, [cls]);
  assert.equal(anchored(text, root, text.indexOf('1')), 'x = 1;');
  assert.equal(anchored(text, root, text.indexOf('x'), text.indexOf('y') + 1), 'x = 1;\n  y = 2;');
});
