import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyBracketEdit, bracketEdits, bracketSite, dropsRealName, editDistance, identifierCounts, isSlip, nameCandidates, numberInTable, operatorAlternatives, siteAt } from '../../src/core/repairCandidates';
import { pairingEdits } from '../../src/core/bracketPairing';

test('edit distance counts a swap of neighbours as one edit, and stops at the cap', () => {
  assert.equal(editDistance('count', 'cuont'), 1);
  assert.equal(editDistance('count', 'count'), 0);
  assert.equal(editDistance('errors', 'error'), 1);
  assert.equal(editDistance('value', 'values2'), 2);
  assert.equal(editDistance('alpha', 'omega', 2), 3, 'beyond the cap reports cap + 1');
});

test('name candidates: one edit for short names, two for long ones, most used first', () => {
  const known = identifierCounts('count count count counter cuont result results resultz');
  assert.deepEqual(nameCandidates('cuont', known), ['count']);
  assert.deepEqual(nameCandidates('reslut', known), ['result', 'results', 'resultz']);
  assert.deepEqual(nameCandidates('ab', known), [], 'names under three characters are not guessed at');
});

test('an identifier site takes its leading space and its near names; a name used elsewhere is no site', () => {
  const block = '  let count = 0;\n  return cuont;\n';
  const known = identifierCounts(block);
  const at = block.indexOf('cuont');
  const site = siteAt(block, at, at + 3, known);
  assert.ok(site);
  assert.equal(site.kind, 'identifier');
  assert.equal(block.slice(site.start, site.end), ' cuont');
  assert.equal(site.original, ' cuont');
  assert.deepEqual(site.candidates, [' count']);
  const used = block.indexOf('count');
  assert.equal(siteAt(block, used, used + 5, identifierCounts(block + ' count')), undefined);
});

test('operator and literal sites offer their near relatives', () => {
  const block = 'if (i < n && ok) x = 10;';
  const known = identifierCounts(block);
  const lt = siteAt(block, block.indexOf('<'), block.indexOf('<') + 1, known);
  assert.equal(lt?.kind, 'operator');
  assert.deepEqual(lt?.candidates, [' <=', ' >', ' >=']);
  const and = siteAt(block, block.indexOf('&&'), block.indexOf('&&') + 2, known);
  assert.deepEqual(and?.candidates, [' ||']);
  const ten = siteAt(block, block.indexOf('10'), block.indexOf('10') + 2, known);
  assert.equal(ten?.kind, 'number');
  assert.deepEqual(ten?.candidates, [' 11', ' 9']);
  assert.deepEqual(operatorAlternatives('=>'), [], 'an arrow has no confusable neighbour');
  assert.equal(siteAt(block, block.indexOf(';'), block.indexOf(';') + 1, known), undefined);
});

test('bracket edits put back a missing closer between the open bracket and where it had to close', () => {
  const block = 'foo(a, b;\nbar();';
  const edits = bracketEdits(block, 'typescript');
  const fixed = edits.map((e) => applyBracketEdit(block, e));
  assert.ok(fixed.includes('foo(a, b);\nbar();'), fixed.join(' | '));
  assert.ok(edits.every((e) => e.insert === ')'), 'only the kind of bracket left open');
  assert.ok(!fixed.some((f) => f.includes('fo)o')), 'never inside a word');
});

test('a closer that stood on a line of its own can be put back after the indentation', () => {
  const block = 'if (a) {\n  b();\n  \nc();';
  const fixed = bracketEdits(block, 'typescript').map((e) => applyBracketEdit(block, e));
  assert.ok(fixed.includes('if (a) {\n  b();\n  }\nc();'), fixed.join(' | '));
  assert.ok(!fixed.includes('if (a) {\n }  b();\n  \nc();'), 'never inside the indentation');
});

test('a closer with no opener may be taken out; brackets in strings and comments do not count', () => {
  const stray = 'x = 1);';
  assert.deepEqual(bracketEdits(stray, 'typescript'), [{ at: 5, delete: true }]);
  assert.deepEqual(bracketEdits('s = "(";  // )\nt = f(x);', 'typescript'), []);
});

test('bracket edits read strings and comments as the bracket balance does: escapes, and each language its own comments', () => {
  // An escaped quote does not end the string: its bracket stays inside it.
  assert.deepEqual(bracketEdits('s = "a\\"(";\nt = f(x);', 'typescript'), []);
  // `#` starts a comment in Python, and is a private name in TypeScript.
  assert.deepEqual(bracketEdits('x = f(a)  # )\n', 'python'), []);
  assert.deepEqual(bracketEdits('this.#n = 1);', 'typescript'), [{ at: 11, delete: true }]);
  // A triple-quoted Python string spans lines.
  assert.deepEqual(bracketEdits('s = """(\n)("""\nt = f(x)\n', 'python'), []);
});

test('the site of a bracket edit is the punctuation run the tokenizer merges it with', () => {
  const block = 'foo(a, b;';
  const e = { at: 8, insert: ')' };
  const edited = applyBracketEdit(block, e);
  const site = bracketSite(edited, e);
  assert.equal(edited.slice(site.start, site.end), ');');
});

test('a name the workspace knows is no site, though this block spells it once (ESLint\'s `node.cases`)', () => {
  const block = '  for (const c of node.cases) {\n    if (c.test === null) return;\n  }\n';
  const known = identifierCounts(block + ' case case');
  const at = block.indexOf('cases');
  const alone = siteAt(block, at, at + 5, known);
  assert.deepEqual(alone?.candidates, ['case'], 'spelled once, `cases` looks like a slip of the keyword');
  const workspace = new Set(['cases', 'node']);
  assert.equal(siteAt(block, at, at + 5, known, (name) => workspace.has(name)), undefined);
});

test('a candidate that takes away a real name is told apart from one that keeps it', () => {
  const real = (name: string) => name === 'defineProperty_' || name === 'target';
  assert.equal(dropsRealName(' defineProperty_', ' defineProperty', real), true);
  assert.equal(dropsRealName(' defienProperty', ' defineProperty_', real), false, 'the slip is no real name');
  assert.equal(dropsRealName(' target <', ' target <=', real), false);
  assert.equal(dropsRealName(' target.x', ' targets.x', real), true);
});

test('a slip is one key inside the name; a letter at either end, a change of case or two edits make another name', () => {
  assert.equal(isSlip('cuont', 'count'), true, 'two neighbours swapped');
  assert.equal(isSlip('lenth', 'length'), true, 'a letter dropped inside');
  assert.equal(isSlip('unitPrise', 'unitPrice'), true, 'a letter mistyped');
  assert.equal(isSlip('defineProperty_', 'defineProperty'), false, 'mobx\'s own name');
  assert.equal(isSlip('cases', 'case'), false, 'ESLint\'s node.cases');
  assert.equal(isSlip('href', 'ref'), false);
  assert.equal(isSlip('ZipFile', 'zipfile'), false);
  assert.equal(isSlip('inet_ntoa', 'inet_aton'), false, 'two edits');
  assert.equal(isSlip('count', 'count'), false);
});

test('a number in a table (its line shaped like the one above or below) is data; elsewhere a number is a site', () => {
  const table = ['    HTTP_REQUEST_SENT_TO_HTTPS_PORT: 497, // Unofficial', '    INVALID_TOKEN: 498, // Unofficial', '    CLIENT_CLOSED_REQUEST: 499, // Unofficial', '    INTERNAL_SERVER_ERROR: 500,'].join('\n');
  const at = (text: string, what: string) => ({ start: text.indexOf(what), end: text.indexOf(what) + what.length });
  assert.equal(numberInTable(table, at(table, '499')), true);
  assert.equal(numberInTable(table, at(table, '500')), true, 'the comments aside, the last line has the shape of the one above');
  assert.equal(numberInTable('at(1, 2);\nat(3, 4);', at('at(1, 2);\nat(3, 4);', '4')), true);
  // An off-by-one among lines of other shapes is a site.
  const loop = 'for (let i = 0; i < n - 2; i++) {\n  out.push(xs[i + 1]);\n}';
  assert.equal(numberInTable(loop, at(loop, '2')), false);
  assert.equal(numberInTable(loop, at(loop, '1')), false);
  assert.equal(numberInTable('const limit = 10;', at('const limit = 10;', '10')), false, 'a line alone');
  const row = '  -80, -54,\n  907,   933,   960,   986,  1013,  1039,  1066';
  assert.equal(numberInTable(row, at(row, '1039')), true, 'a row of numbers is a table, whatever the lines around it');
  // Lines of the same shape without numbers are no table of numbers: a name there is still a site.
  assert.equal(numberInTable('a = b;\nc = d + 1;', at('a = b;\nc = d + 1;', '1')), false);
});

test('pairing edits put back the closer a whole file lacks, inside the block, where every bracket then pairs up', () => {
  const doc = 'void f(void) {\n  g(a, h(b);\n  k();\n}\nint x = 1;\n';
  const start = doc.indexOf('  g(');
  const end = doc.indexOf('  k();');
  const block = doc.slice(start, end);
  const fixed = pairingEdits(doc, start, end, 'c').map((e) => applyBracketEdit(block, e));
  assert.ok(fixed.includes('  g(a, h(b));\n'), fixed.join(' | '));
  assert.ok(fixed.every((f) => f.split(')').length === block.split(')').length + 1), 'only the kind left open, put back once');
  // The nearest the opener left open first.
  assert.equal(fixed[0].indexOf(')'), '  g('.length, fixed[0]);
});

test('pairing edits read a macro body, which the parser reads as text, and take out a stray closer', () => {
  const doc = '#define FIELDS \\\n  void* heap_node[3; \\\n  int count;\nstruct s { FIELDS };\n';
  const start = doc.indexOf('  void*');
  const end = doc.indexOf('\nstruct');
  const fixed = pairingEdits(doc, start, end, 'c').map((e) => applyBracketEdit(doc.slice(start, end), e));
  assert.ok(fixed.includes('  void* heap_node[3]; \\\n  int count;'), fixed.join(' | '));
  const stray = 'int f(void) {\n  return g(1));\n}\n';
  const s0 = stray.indexOf('  return');
  assert.deepEqual(pairingEdits(stray, s0, stray.indexOf('\n}'), 'c').map((e) => applyBracketEdit(stray.slice(s0, stray.indexOf('\n}')), e)), ['  return g(1);']);
});

test('pairing edits leave alone a file that pairs up, one broken elsewhere, and one whose strings the lexer cannot end', () => {
  const clean = 'void f(void) {\n  g(a, h(b));\n}\n';
  assert.deepEqual(pairingEdits(clean, 15, 29, 'c'), []);
  // Left open below the block (code being written further down): not this block's to close.
  const below = clean + 'void k(void) {\n  m(\n';
  assert.deepEqual(pairingEdits(below, 15, 29, 'c'), []);
  // A stray closer above the block.
  const above = 'int y = 1);\n' + clean;
  assert.deepEqual(pairingEdits(above, 12 + 15, 12 + 29, 'c'), []);
  // An opener left open far above the block (a header a preprocessor branch wrote twice): not this
  // block's to close.
  const branch = '#ifdef WIDE\nint f(long a) {\n#else\nint f(int a) {\n#endif\n  return (int)a;\n}\n' + '/* padding */\n'.repeat(150) + clean;
  const at = branch.lastIndexOf('  g(a');
  assert.deepEqual(pairingEdits(branch, at, at + 14, 'c'), []);
  assert.ok(pairingEdits(branch, at, at + 14, 'c', 24, branch.length).length > 0, 'within reach it would be');
  // A string that never ends (a raw string the lexer does not know) hides the brackets after it.
  const open = 'const char* s = "abc;\nvoid f(void) {\n  g(a, h(b);\n}\n';
  assert.deepEqual(pairingEdits(open, open.indexOf('  g('), open.indexOf('\n}'), 'c'), []);
});

test('`&`, `|`, `&&`, `||`, `+` and `-` are confused only between two operands: a reference, a closure or a sign is no slip', () => {
  const known = new Map<string, number>();
  const site = (block: string, op: string) => siteAt(block, block.indexOf(op), block.indexOf(op) + op.length, known)?.candidates;
  assert.deepEqual(site('if (a && !b) {', '&&'), [' ||']);
  assert.deepEqual(site('mask = flags | bit;', '|'), [' &']);
  assert.equal(site('collect(&mut v, 4, |consumer| {', '|'), undefined);
  assert.equal(site('fill(&mut v)', '&'), undefined);
  assert.equal(site('let g = || f();', '||'), undefined);
  assert.deepEqual(site('last = items[n - 1];', '-'), [' +']);
  // Across a line break, as formatters break long conditions.
  assert.deepEqual(site('if (ready &&\n    count > 0) {', '&&'), [' ||']);
  assert.deepEqual(site('if ready\n    && count > 0 {', '&&'), [' ||']);
  assert.equal(site('a = +a;', '+'), undefined);
  assert.equal(site('last = items[-1]', '-'), undefined);
});

test('a closer lost before `else` at the start of a line is put back there, also at the block\'s first position', () => {
  const block = 'if (a) {\n  b();\n  else {\n  c();\n}';
  const fixed = bracketEdits(block, 'typescript').map((e) => applyBracketEdit(block, e));
  assert.ok(fixed.includes('if (a) {\n  b();\n  }else {\n  c();\n}'), fixed.join(' | '));
  assert.ok(!fixed.some((f) => f.includes('}c()')), 'no other word follows a closer at a line start');
  const doc = 'function f(a) {\n  if (a) {\n    b();\n  else {\n    c();\n  }\n}\n';
  const start = doc.indexOf('else');
  const end = doc.indexOf('    c();');
  const put = pairingEdits(doc, start, end, 'javascript').map((e) => applyBracketEdit(doc.slice(start, end), e));
  assert.ok(put.includes('}else {\n'), put.join(' | '));
});

test('within a line a closer may follow a space before another closer, or fill a gap of two spaces, not alignment', () => {
  const call = 'f({ value: true );';
  assert.ok(bracketEdits(call, 'javascript').map((e) => applyBracketEdit(call, e)).includes('f({ value: true });'));
  const pattern = 'const { keyword, data  = cxt;';
  assert.ok(bracketEdits(pattern, 'javascript').map((e) => applyBracketEdit(pattern, e)).includes('const { keyword, data } = cxt;'));
  const macro = '#define CHECK(x) if (!(x) {        \\\n  fail(); }';
  assert.ok(!bracketEdits(macro, 'c').some((e) => e.at > macro.indexOf('{') + 2 && e.at < macro.indexOf('\\')), 'alignment before a line continuation is no gap');
});

test('pairing edits in a block of thousands of lines try a bounded number of places and return at most the limit', () => {
  const body = Array.from({ length: 4000 }, (_, i) => `  x${i} = f(y${i}, z);`).join('\n');
  const doc = `void big(void) {\n  if (a) {\n${body}\n}\n`;
  const start = doc.indexOf('  x0');
  const edits = pairingEdits(doc, start, doc.length - 2, 'c');
  assert.ok(edits.length > 0 && edits.length <= 24, String(edits.length));
  assert.ok(edits.every((e) => e.insert === '}'));
});
