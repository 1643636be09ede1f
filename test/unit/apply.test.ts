/**
 * Diffuse Apply's placement (src/core/apply) on golden cases, one per behaviour users rely on: the
 * merged text must be exactly the expected file, or the piece that cannot be placed is reported
 * with its snippet lines, and nothing is guessed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySnippet, isMarkerLine, stripFence } from '../../src/core/apply';
import { alignPiece } from '../../src/core/apply/align';
import { changedLines, runApply } from '../../src/engine/apply';
import { configureSyntax } from '../../src/syntax';

const lines = (...l: string[]): string => `${l.join('\n')}\n`;

const STORE = lines(
  "import { log } from './log';",
  '',
  'export class Store {',
  '  private items: number[] = [];',
  '',
  '  add(x: number): void {',
  '    this.items.push(x);',
  "    log('add');",
  '  }',
  '',
  '  total(): number {',
  '    let sum = 0;',
  '    for (const i of this.items) sum += i;',
  '    return sum;',
  '  }',
  '',
  '  clear(): void {',
  '    this.items = [];',
  '  }',
  '}',
);

test('marker comments in the usual spellings and comment syntaxes; ordinary comments are code', () => {
  for (const m of ['// ... existing code ...', '// ...', '  // ... rest of the code ...', '// (unchanged)', '/* ... existing code here ... */',
    '# ... existing code ...', '-- ...', '<!-- ... existing code ... -->', '{/* ... */}', '// …', '// ... keep existing code', '// existing code here',
    '# rest of the file unchanged', '// ... other methods ...']) {
    assert.ok(isMarkerLine(m), m);
  }
  for (const c of ['// wait for it...', '// TODO: handle the rest', '# include <x>', 'const x = 1; // ...', 'return a...b;', '// the rest of the day was quiet, said nobody ever at all']) {
    assert.ok(!isMarkerLine(c), c);
  }
});

test('a changed method between markers replaces exactly that method', () => {
  const snippet = lines('// ... existing code ...', '  total(): number {', '    return this.items.reduce((a, b) => a + b, 0);', '  }', '// ... existing code ...');
  const r = applySnippet(STORE, snippet);
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, STORE.replace('    let sum = 0;\n    for (const i of this.items) sum += i;\n    return sum;\n', '    return this.items.reduce((a, b) => a + b, 0);\n'));
});

test('a changed declaration line takes the old one out (brackets decide how far the piece reaches)', () => {
  const snippet = lines('// ...', '  total(scale = 1): number {', '    let sum = 0;', '    for (const i of this.items) sum += i;', '    return scale * sum;', '  }', '// ...');
  const r = applySnippet(STORE, snippet);
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, STORE.replace('  total(): number {', '  total(scale = 1): number {').replace('    return sum;', '    return scale * sum;'));
});

test('deletion by adjacency: lines the piece skips between two of its lines are removed', () => {
  const snippet = lines('// ... existing code ...', '  add(x: number): void {', '    this.items.push(x);', '  }', '// ... existing code ...');
  const r = applySnippet(STORE, snippet);
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, STORE.replace("    log('add');\n", ''));
});

test('an ambiguous piece (it fits two places equally) is reported, not guessed', () => {
  const doubled = lines('function a() {', '  step();', '  step();', '}', '', 'function b() {', '  step();', '  step();', '}');
  const r = applySnippet(doubled, lines('// ...', '  step();', '  other();', '  step();', '// ...'));
  assert.equal(r.unplaced.length, 1);
  assert.match(r.unplaced[0].reason, /two places/);
  assert.deepEqual(r.unplaced[0].snippetLines, [2, 4]);
  // One line of context tells them apart.
  const placed = applySnippet(doubled, lines('// ...', 'function b() {', '  step();', '  other();', '  step();', '// ...'));
  assert.deepEqual(placed.unplaced, []);
  assert.equal(placed.text, doubled.replace('function b() {\n  step();\n', 'function b() {\n  step();\n  other();\n'));
});

test('insertions at the top and at the end of the file', () => {
  const top = applySnippet(STORE, lines("import { z } from 'zod';", '// ... existing code ...'));
  assert.deepEqual(top.unplaced, []);
  assert.equal(top.text, `import { z } from 'zod';\n${STORE}`);
  const end = applySnippet(STORE, lines('// ... existing code ...', '', 'export const EMPTY = new Store();'));
  assert.deepEqual(end.unplaced, []);
  assert.equal(end.text, `${STORE}\nexport const EMPTY = new Store();\n`);
  // The file's closing `}` at the start of new code at the end is that line, not a copy of it.
  const closing = applySnippet(STORE, lines('// ... existing code ...', '}', '', 'export const EMPTY = new Store();'));
  assert.deepEqual(closing.unplaced, []);
  assert.equal(closing.text, `${STORE}\nexport const EMPTY = new Store();\n`);
  const inClass = applySnippet(STORE, lines('// ...', '  clear(): void {', '    this.items = [];', '  }', '', '  get size(): number {', '    return this.items.length;', '  }', '}'));
  assert.deepEqual(inClass.unplaced, []);
  assert.equal(inClass.text, STORE.replace('    this.items = [];\n  }\n}\n', '    this.items = [];\n  }\n\n  get size(): number {\n    return this.items.length;\n  }\n}\n'));
});

test('tabs against spaces and a dedented snippet: the file\'s own indentation wins', () => {
  const tabbed = lines('// ...', 'total(): number {', '\treturn 0;', '}', '// ...');
  const r = applySnippet(STORE, tabbed);
  assert.deepEqual(r.unplaced, []);
  assert.match(r.text, /\n {2}total\(\): number \{\n {4}return 0;\n {2}\}\n/);
  const tabFile = STORE.replace(/^( {2})+/gm, (m) => '\t'.repeat(m.length / 2));
  const spaced = applySnippet(tabFile, lines('// ...', '  total(): number {', '    return 0;', '  }', '// ...'));
  assert.deepEqual(spaced.unplaced, []);
  assert.match(spaced.text, /\n\ttotal\(\): number \{\n\t\treturn 0;\n\t\}\n/);
});

test('a CRLF file stays CRLF, and an LF snippet applies to it', () => {
  const crlf = STORE.replace(/\n/g, '\r\n');
  const r = applySnippet(crlf, lines('// ...', '  clear(): void {', '    this.items.length = 0;', '  }', '// ...'));
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, crlf.replace('    this.items = [];\r\n', '    this.items.length = 0;\r\n'));
  assert.ok(!/[^\r]\n/.test(r.text), 'every line break is CRLF');
});

test('a fenced snippet with a language and a path in the info string', () => {
  const fenced = `Here is the change:\n\n\`\`\`ts src/store.ts\n// ... existing code ...\n  clear(): void {\n    this.items.splice(0);\n  }\n// ... existing code ...\n\`\`\`\n\nThat is all.`;
  assert.equal(stripFence(fenced).lineOffset, 3);
  const r = applySnippet(STORE, fenced);
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, STORE.replace('    this.items = [];\n', '    this.items.splice(0);\n'));
});

test('a snippet without markers that covers the file replaces it; one that covers a part keeps the rest', () => {
  const whole = STORE.replace("    log('add');\n", '').replace('}\n', '}\n\nexport default Store;\n').replace(/\n$/, '\n');
  const r = applySnippet(STORE, whole);
  assert.ok(r.wholeFile);
  assert.equal(r.text, whole);
  const part = applySnippet(STORE, lines('  clear(): void {', '    this.items.length = 0;', '  }'));
  assert.ok(!part.wholeFile);
  assert.equal(part.text, STORE.replace('    this.items = [];\n', '    this.items.length = 0;\n'));
});

test('a piece that matches nothing is reported with its snippet lines; the others are not applied alone', () => {
  const r = applySnippet(STORE, lines('// ...', '  clear(): void {', '    this.items.length = 0;', '  }', '// ...', 'function unrelated() {', '  return 42;', '}', '// ...'));
  assert.equal(r.unplaced.length, 1);
  assert.deepEqual(r.unplaced[0].snippetLines, [6, 8]);
  assert.match(r.unplaced[0].reason, /matches no line/);
});

test('pieces out of file order are refused with the reason', () => {
  const r = applySnippet(STORE, lines('// ...', '  clear(): void {', '    this.items.length = 0;', '  }', '// ...', '  add(x: number): void {', '    this.items.unshift(x);', '  }', '// ...'));
  assert.equal(r.unplaced.length, 1);
  assert.match(r.unplaced[0].reason, /file order/);
});

test('Python: markers in # comments, indentation-only blocks', () => {
  const py = lines('import os', '', 'class A:', '    def f(self):', '        return 1', '', '    def g(self):', '        return 2', '');
  const r = applySnippet(py, lines('# ... existing code ...', '    def g(self):', '        return os.getcwd()', '', '# ... existing code ...'), { languageId: 'python' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, py.replace('        return 2\n', '        return os.getcwd()\n'));
});

test('the engine: the changed lines as one replacement, and the parse before and after', async () => {
  configureSyntax({});
  const ok = await runApply({ docText: STORE, snippet: lines('// ...', '  clear(): void {', '    this.items.length = 0;', '  }', '// ...'), languageId: 'typescript' });
  assert.equal(ok.syntax, 'ok');
  assert.equal(STORE.slice(0, ok.range.start) + ok.newText + STORE.slice(ok.range.end), ok.text);
  assert.equal(STORE.slice(ok.range.start, ok.range.end), '    this.items = [];\n');
  const broken = await runApply({ docText: STORE, snippet: lines('// ...', '  clear(): void {', '    this.items.length = (0;', '  }', '// ...'), languageId: 'typescript' });
  assert.equal(broken.syntax, 'broken');
  const none = await runApply({ docText: STORE, snippet: lines('// ...', '  clear(): void {', '    this.items = [];', '  }', '// ...'), languageId: 'typescript' });
  assert.equal(none.changed, false);
  assert.deepEqual(changedLines('a\nb\nc\n', 'a\nB\nc\n'), { range: { start: 2, end: 4 }, newText: 'B\n' });
});

test('the inside of a block is not new code at the top: a piece that closes brackets it never opened is refused', () => {
  const file = ['function a(x) {', '  if (x) {', '    return;', '  }', '  return 1;', '}', '', 'function b(y) {', '  if (y) {', '    return;', '  }', '  return 2;', '}', ''].join('\n');
  const snippet = ['  }', '  const z = compute();', '}', '// ... existing code ...', ''].join('\n');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.equal(r.unplaced.length, 1, r.text);
  assert.match(r.unplaced[0].reason, /closes a bracket it does not open/);
});

test('an import moved above an import over several lines, shown with no context: it goes where the snippet puts it, its old line out', () => {
  const file = ['import { a } from "a";', 'import {', '  b,', '  c,', '} from "bc";', 'import { d } from "d";', '', 'export const x = a + b + c + d;', ''].join('\n');
  // The `d` import moved up next to `a`, and the block is shown on its own after it: the lines of
  // the import over several lines stay where they are, so `d` is the one that moved.
  const snippet = ['import { a } from "a";', 'import { d } from "d";', '// ... existing code ...', 'import {', '  b,', '  c,', '} from "bc";', '// ... existing code ...', ''].join('\n');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, ['import { a } from "a";', 'import { d } from "d";', 'import {', '  b,', '  c,', '} from "bc";', '', 'export const x = a + b + c + d;', ''].join('\n'));
});

test('a block of code moved with no context around it is refused: the piece above it would run across its old place', () => {
  const file = lines('const a = 1;', 'function g() {', '  return a * 2;', '}', 'const d = a + 4;', '', 'export const x = g() + d;');
  // `d` moved up under `a`, and g() is shown on its own after it: no merge says where g() goes.
  const snippet = lines('const a = 1;', 'const d = a + 4;', '// ...', 'function g() {', '  return a * 2;', '}', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.ok(r.unplaced.length >= 1, `refused, not merged:\n${r.text}`);
  assert.ok(r.unplaced.some(u => /moved block|before the piece above|fits two places|matches no line/.test(u.reason)), JSON.stringify(r.unplaced));
});

test('a new method shown with the next one as context: its closing `}` is its own, not the one before it', () => {
  // Matched to the `}` that ends total(), the new method's closer would take total() out.
  const snippet = lines('  // ... existing code ...', '', '  count(): number {', '    return this.items.length;', '  }', '', '  clear(): void {', '  // ... existing code ...');
  const r = applySnippet(STORE, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, STORE.replace('  clear(): void {', '  count(): number {\n    return this.items.length;\n  }\n\n  clear(): void {'));
});

test('code wrapped in a new block: the closers are matched by the blocks they close, not by their indentation', () => {
  const file = lines('function find(xs: number[], want: number) {', '  for (let pass = 0; pass < 2; pass++) {', '    let hit = xs.indexOf(want)', '    if (hit >= 0) {',
    '      return hit', '    }', '  }', '  return -1', '}');
  const snippet = lines('// ...', '  for (let pass = 0; pass < 2; pass++) {', '    for (let tries = 0; tries < 3; tries++) {', '      let hit = xs.indexOf(want + tries)',
    '      if (hit >= 0) {', '        return hit', '      }', '    }', '  }', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, lines('function find(xs: number[], want: number) {', '  for (let pass = 0; pass < 2; pass++) {', '    for (let tries = 0; tries < 3; tries++) {',
    '      let hit = xs.indexOf(want + tries)', '      if (hit >= 0) {', '        return hit', '      }', '    }', '  }', '  return -1', '}'));
});

test('new code between blank lines keeps them: the blank line a marker took along, and one before the next declaration', () => {
  // The blank line after the marker stands before the new function, as in the file.
  const file = lines('export function a() {', '  return 1', '}', '', 'export function c() {', '  return 3', '}');
  const before = applySnippet(file, lines('// ... existing code ...', '', 'export function sum(xs: number[]) {', '  return xs.reduce((s, x) => s + x, 0)', '}', '', 'export function c() {', '// ... existing code ...'), { languageId: 'typescript' });
  assert.deepEqual(before.unplaced, []);
  assert.equal(before.text, lines('export function a() {', '  return 1', '}', '', 'export function sum(xs: number[]) {', '  return xs.reduce((s, x) => s + x, 0)', '}', '', 'export function c() {', '  return 3', '}'));
  // New code that ends a piece after a blank line, before the file's next declaration, is set apart from it.
  const after = applySnippet(file, lines('export function a() {', '  return 1', '}', '', 'export function sum(xs: number[]) {', '  return xs.reduce((s, x) => s + x, 0)', '}', '// ... existing code ...'), { languageId: 'typescript' });
  assert.deepEqual(after.unplaced, []);
  assert.equal(after.text, before.text);
  // Also when the code after the marker is the next piece of the snippet.
  const between = applySnippet(file, lines('export function a() {', '  return 1', '}', '', 'export function sum(xs: number[]) {', '  return xs.reduce((s, x) => s + x, 0)', '}',
    '// ... existing code ...', 'export function c() {', '  return 3', '}'), { languageId: 'typescript' });
  assert.deepEqual(between.unplaced, []);
  assert.equal(between.text, before.text);
});

test('a closer after the last matched line closes the new block the piece opened first: it reaches no further into the file', () => {
  const file = lines('export class Queue {', '  flush(action) {', '    // Take the scheduled id before running.', '    const id = this.scheduled;', '    this.scheduled = undefined;', '',
    '    run(id);', '    done();', '  }', '}');
  const snippet = lines('    // ... existing code ...', '    // Take the scheduled id before running.', '    let id;', '    if (action) {', '      id = action.id;', '    } else {',
    '      id = this.scheduled;', '      this.scheduled = undefined;', '    }', '    // ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('    const id = this.scheduled;\n    this.scheduled = undefined;\n',
    '    let id;\n    if (action) {\n      id = action.id;\n    } else {\n      id = this.scheduled;\n      this.scheduled = undefined;\n    }\n'));
  // Pasted at the margin, the same: the statement moved into the new `else` block sits a level
  // deeper than the rest and must not outvote the comment on how far the snippet moved.
  const atMargin = applySnippet(file, snippet.replace(/^ {4}/gm, ''), { languageId: 'typescript' });
  assert.deepEqual(atMargin.unplaced, []);
  assert.equal(atMargin.text, r.text);
});

test('a new re-export beside one of another module is added, not taken for a changed version of it', () => {
  const file = lines("export * from './driver/driver.js';", "export * from './driver/default-connection-provider.js';", "export * from './driver/single-connection-provider.js';",
    "export * from './driver/dummy-driver.js';");
  const snippet = lines('// ... existing code ...', "export * from './driver/driver.js';", "export * from './driver/aborted-transaction-error.js';", '// ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace("driver.js';\n", "driver.js';\nexport * from './driver/aborted-transaction-error.js';\n"));
  // The same module under a new specifier is a changed line.
  const moved = applySnippet(lines("var qs = require('qs');", "var querystring = require('querystring');", 'module.exports = qs;'),
    lines('// ...', "var qs = require('qs');", "var querystring = require('node:querystring');", '// ...'), { languageId: 'javascript' });
  assert.equal(moved.text, lines("var qs = require('qs');", "var querystring = require('node:querystring');", 'module.exports = qs;'));
});

test('a new line much like one a few lines up: when taking it for that line changed would delete closers the piece never shows, it is new', () => {
  const file = lines('const buildChildren = (node, children) => {', '\tlet prevNode;', '\tfor (const child of children) {', '\t\tif (!isNodeString(child) && !child.s) {', '\t\t\tbuild(child);',
    '\t\t\tdelete child.f;', '\t\t}', '\t\tnode.vC.push(child);', '\t\tif (prevNode && !prevNode.s && !child.s) for (let p = prevNode; p && !isNodeString(p); p = p.vC?.at(-1)) p.nN = child;',
    '\t\tprevNode = child;', '\t}', '\tnode.vR = node.oldChildren || [];', '};');
  const added = '\tif (prevNode && !prevNode.s) for (let p = prevNode; p && !isNodeString(p); p = p.vC?.at(-1)) p.nN = node.nN;';
  const r = applySnippet(file, lines('// ...', '\t}', added, '\tnode.vR = node.oldChildren || [];', '// ...'), { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('\t}\n\tnode.vR', `\t}\n${added}\n\tnode.vR`));
});

test('a piece whose edge line the file holds twice, drawn elsewhere by its new lines, is placed around that line or refused', () => {
  // The new lines (`try`, `catch`, `return ''`) are like charset's; the piece's first line is in host and in hostname.
  const fields = Array.from({ length: 8 }, (_, k) => [`  get field${k} () {`, `    return this.get('X-Field-${k}')`, '  },', '']).flat();
  const file = lines('module.exports = {', '  get host () {', "    let host = this.get('Host')", "    if (!host) return ''", '    return host.split(",")[0]', '  },', '',
    '  get hostname () {', '    const host = this.host', "    if (!host) return ''", "    return host.split(':', 1)[0]", '  },', '', ...fields,
    '  get charset () {', '    try {', '      return contentType.parse(this.req).parameters.charset', '    } catch (e) {', "      return ''", '    }', '  },', '}');
  const snippet = lines('  // ... existing code ...', "    if (!host) return ''", '    host = host.split(",")[0]', '    if (host.includes("@")) {', '      try {',
    '        host = new URL(`http://${host}`).host', '      } catch (e) {', "        return ''", '      }', '    }', '    return host', '  },', '  // ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.equal(r.unplaced.length, 1, r.text);
  assert.match(r.unplaced[0].reason, /edge line .* is in the file at lines 4, 10/);
  assert.equal(r.text, file);
});

test("a block's closer is drawn to the file's closer of the same block when nearer ones would leave the brackets unbalanced", () => {
  const file = lines('function commandCompletions(completions, args) {', '    this.usage.getCommands().forEach(usageCommand => {', '        const commandName = parseCommand(usageCommand[0]).cmd;',
    '        if (args.indexOf(commandName) === -1) {', '            if (!this.zshShell) {', '                completions.push(commandName);', '            }', '            else {',
    "                const desc = usageCommand[1] || '';", "                completions.push(commandName + ':' + desc);", '            }', '        }', '    });', '}');
  const body = ['        if (args.indexOf(commandName) === -1) {', "            const desc = usageCommand[1] || '';", '            if (this.fishShell) {', "                completions.push(commandName + '\\t' + desc);",
    '            }', '            else if (this.zshShell) {', "                completions.push(commandName + ':' + desc);", '            }', '            else {', '                completions.push(commandName);', '            }', '        }'];
  const r = applySnippet(file, lines('// ...', ...body, '// ...'), { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, lines(...file.split('\n').slice(0, 3), ...body, '    });', '}'));
});

test('doc comments: a new declaration shown before one kept is added, not put in place of the one before it by its `/**` and `*` lines', () => {
  const doc = (what: string, since: string, decl: string): string[] => ['/**', ` * ${what}`, ' *', ` * @since ${since}`, ' */', decl];
  const file = lines('export var map = map_(Functor);', ...doc('Combine two effectful actions, keeping only the result of the first.', '2.3.0', 'export var apFirst = apFirst_(ApplyPar);'),
    ...doc('Combine two effectful actions, keeping only the result of the second.', '2.3.0', 'export var apSecond = apSecond_(ApplyPar);'));
  const added = doc('Less strict version of [`apFirst`](#apfirst).', '2.16.10', 'export var apFirstW = apFirst;');
  const snippet = lines('// ...', ...added, ...doc('Combine two effectful actions, keeping only the result of the second.', '2.3.0', 'export var apSecond = apSecond_(ApplyPar);'), '// ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('apFirst_(ApplyPar);\n', `apFirst_(ApplyPar);\n${added.join('\n')}\n`));
});

test('a new declaration at the edge of a piece beside one of another name is added, not taken for it renamed', () => {
  const file = lines("import { freeze } from '../../util/object-utils.js';", 'const PRIVATE_RELEASE_METHOD = Symbol();', 'export class PostgresDriver {', '    #config;', '}');
  const snippet = lines('// ... existing code ...', 'const PRIVATE_MARK_FOR_DISCARD_METHOD = Symbol();', 'export class PostgresDriver {', '    #config;', '// ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('Symbol();\n', 'Symbol();\nconst PRIVATE_MARK_FOR_DISCARD_METHOD = Symbol();\n'));
});

test('a closer after `} else if (...) {` is matched to the end of that branch, not to the end of a block inside it', () => {
  const file = lines('function insert(vnode, dom, parent, place) {', "\tif (typeof vnode.type == 'function') {", '\t\treturn dom;', '\t} else if (vnode.dom != dom) {', '\t\tif (place) {',
    '\t\t\tif (dom && !dom.parentNode) {', '\t\t\t\tdom = sibling(vnode);', '\t\t\t}', '\t\t\tparent.insertBefore(vnode.dom, dom);', '\t\t}', '\t\tdom = vnode.dom;', '\t}', '',
    '\tdo {', '\t\tdom = dom && dom.nextSibling;', '\t} while (dom != null);', '\treturn dom;', '}');
  const branch = ['\t} else if (vnode.dom != dom) {', '\t\tif (dom && !dom.parentNode) {', '\t\t\tdom = sibling(vnode);', '\t\t}', '\t\tdom = parent.insertBefore(vnode.dom, dom);', '\t}'];
  const r = applySnippet(file, lines('// ...', '\t\treturn dom;', ...branch, '', '\tdo {', '// ...'), { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, lines(...file.split('\n').slice(0, 3), ...branch, ...file.split('\n').slice(12, 18)));
});

test('a new top-level declaration of a name the file declares right after the piece replaces that declaration; declared further away, it is refused, not written twice', () => {
  const file = lines('class ResultAsync {', '    constructor(res) {', '        this._promise = res;', '    }', '}', 'const okAsync = (value) => new ResultAsync(Promise.resolve(new Ok(value)));',
    'const fromPromise = ResultAsync.fromPromise;');
  const rewritten = file.replace(/const okAsync.*\n/, 'function okAsync(value) {\n    return new ResultAsync(Promise.resolve(new Ok(value)));\n}\n');
  // The arrow function became a function declaration; the marker after it stands for the rest of
  // the file, which starts with the declaration it rewrites: both would declare okAsync twice.
  const snippet = lines('// ... existing code ...', '        this._promise = res;', '    }', '}', 'function okAsync(value) {', '    return new ResultAsync(Promise.resolve(new Ok(value)));', '}',
    '// ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, rewritten);
  // Shown with the line after it, the same.
  const shown = applySnippet(file, lines('// ... existing code ...', '}', 'function okAsync(value) {', '    return new ResultAsync(Promise.resolve(new Ok(value)));', '}',
    'const fromPromise = ResultAsync.fromPromise;'), { languageId: 'javascript' });
  assert.deepEqual(shown.unplaced, []);
  assert.equal(shown.text, rewritten);
  // Declared further down, behind other code the marker keeps: which one goes is not the snippet's to say.
  const far = lines('class ResultAsync {', '    constructor(res) {', '        this._promise = res;', '    }', '}', 'const fromPromise = ResultAsync.fromPromise;',
    'const okAsync = (value) => new ResultAsync(Promise.resolve(new Ok(value)));');
  const refused = applySnippet(far, snippet, { languageId: 'javascript' });
  assert.equal(refused.unplaced.length, 1, refused.text);
  assert.match(refused.unplaced[0].reason, /declares okAsync, which line 7 of the file declares too/);
});

// A new method aligned across a neighbour that resembles it would take the neighbour's place.
test('a new method whose body resembles its neighbour is not aligned across that neighbour: the neighbour is never deleted for it', () => {
  const file = lines('class ResultAsync {', '    andTee(f) {', '        return this.then((res) => {', '            try {', '                f(res.value);', '            }',
    '            catch (e) {', '                // Tee does not care about the error', '            }', '            return new Ok(res.value);', '        });', '    }',
    '    mapErr(f) {', '        return this.then((res) => {', '            if (res.isOk()) {', '                return new Ok(res.value);', '            }',
    '            return new Err(f(res.error));', '        });', '    }', '}');
  const orTee = ['    orTee(f) {', '        return this.then((res) => {', '            if (res.isOk()) {', '                return new Ok(res.value);', '            }',
    '            try {', '                f(res.error);', '            }', '            catch (e) {', '                // Tee does not care about the error', '            }',
    '            return new Err(res.error);', '        });', '    }'];
  const snippet = lines('// ...', '                // Tee does not care about the error', '            }', '            return new Ok(res.value);', '        });', '    }', ...orTee, '// ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  const want = file.split('\n');
  want.splice(12, 0, ...orTee);
  // The lines around orTee are side by side in the file once: it goes in there, mapErr kept.
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, want.join('\n'));
});

// Shown between the end of one method and the start of the next, a new method that copies the next
// one's body goes in between: the alignment alone matched its body to the next method's and
// wrote the next method's first lines anew after it.
test('a new method between two methods the snippet shows, with a body like the next one\'s, goes in between, the next method kept whole', () => {
  const file = lines('class Index {', '  set(file, text) {', '    this.setCounts(file, text.length);', '    return true;', '  }', '',
    '  setCounts(file, counts, bytes) {', '    this.delete(file);', '    for (const [name, k] of counts) this.totals.set(name, k);', '    this.files.set(file, { counts, bytes });', '    this.total += bytes;', '  }', '',
    '  delete(file) {', '    this.files.delete(file);', '  }', '}');
  const copy = ['  setCountsOnce(file, counts, bytes) {', '    this.delete(file); // once', '    for (const [name, k] of counts) this.totals.set(name, k);', '    this.files.set(file, { counts, bytes });', '    this.total += bytes;', '  }', ''];
  const snippet = lines('// ...', '    return true;', '  }', '', ...copy, '  setCounts(file, counts, bytes) {', '    this.delete(file);', '    for (const [name, k] of counts) this.totals.set(name, k);', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  const want = file.split('\n');
  want.splice(6, 0, ...copy);
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, want.join('\n'));
  // A declaration renamed (the next one not shown as it is) stays a rename: it is replaced, not
  // written again beside the old one.
  const renamed = applySnippet(file, lines('// ...', '    return true;', '  }', '', '  setCountsOnce(file, counts, bytes) {', '    this.delete(file);', '// ...'), { languageId: 'javascript' });
  assert.deepEqual(renamed.unplaced, []);
  assert.equal(renamed.text, file.replace('  setCounts(file, counts, bytes) {', '  setCountsOnce(file, counts, bytes) {'));
});

// New declarations after a function, alike the next declaration in a file of many alike ones: a
// near tie by the alignment, while the lines before them are side by side once. The comment that
// heads the next declaration reads like the new one's, and stays.
test('new declarations with comments of their own, after the function they follow, go in whole; the next declaration keeps its comment', () => {
  const kind = (name: string) => [`// Mini${name}`, `export interface Mini${name} extends Base<core.$${name}> {}`, `export const Mini${name} = core.$constructor(`,
    `  "Mini${name}",`, '  (inst, def) => {', `    core.$${name}.init(inst, def);`, '    Format.init(inst, def);', '  }', ');', '',
    '// @__NO_SIDE_EFFECTS__', `export function ${name.toLowerCase()}(params) {`, `  return core._${name.toLowerCase()}(Mini${name}, params);`, '}', ''];
  const file = lines(...kind('Email'), ...kind('Uuid'), ...kind('Card'), ...kind('Jwt'));
  const iban = kind('Iban');
  const snippet = lines('// ... existing code ...', '  return core._card(MiniCard, params);', '}', '', ...iban.slice(0, -1), '// ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, lines(...kind('Email'), ...kind('Uuid'), ...kind('Card'), ...iban, ...kind('Jwt')));
});

test('a line that names the same things but for its modifiers (`doc!: Node` to `declare doc: Node`) is that line changed', () => {
  const file = lines('export class EditorState {', '  /// The current document.', '  doc!: Node', '', '  /// The selection.', '  selection!: Selection', '',
    '  get tr(): Transaction { return new Transaction(this) }', '}');
  const snippet = lines('// ...', 'export class EditorState {', '  // ...', '  /// The current document.', '  declare doc: Node', '  // ...', '  /// The selection.', '  declare selection: Selection', '  // ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('doc!: Node', 'declare doc: Node').replace('selection!: Selection', 'declare selection: Selection'));
});

test('new code whose first line is also the line after the lines it would go before (a slid insertion) is refused: only its meaning tells where', () => {
  const file = lines('export const completionZshTemplate = `###-begin-{{app_name}}-completions-###', '#compdef {{app_name}}', 'if [[ "${zsh_eval_context[-1]}" == "loadautofunc" ]]; then',
    '  _{{app_name}}_yargs_completions "$@"', 'else', '  compdef _{{app_name}}_yargs_completions {{app_name}}', 'fi', '###-end-{{app_name}}-completions-###', '`;');
  // Read one way, the fish template goes after the zsh one; read the other, it takes the zsh template's last line.
  const snippet = lines('// ... rest of the code ...', 'if [[ "${zsh_eval_context[-1]}" == "loadautofunc" ]]; then', '  _{{app_name}}_yargs_completions "$@"', '// ... rest of the code ...', '`;',
    'export const completionFishTemplate = `###-begin-{{app_name}}-fish-completions-###', "complete -f -c {{app_name}} -a '({{app_path}} --get-yargs-completions (commandline -o)[2..-1])'",
    '###-end-{{app_name}}-completions-###', '`;');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.equal(r.unplaced.length, 1, r.text);
  assert.match(r.unplaced[0].reason, /reads the same as new code before line 8 of the file and as new code after line 9/);
});

test('an import the snippet writes where the file does not have it moves there: the old line is taken out', () => {
  const file = lines("import { notifyManager } from './notifyManager'", "import { createRetryer } from './retryer'", 'import type {', '  DefaultError,', "} from './types'",
    "import type { MutationCache } from './mutationCache'", "import type { Retryer } from './retryer'", '', 'export class Mutation {}');
  // The type imports move above the multi-line one; `type { Retryer }` is not `{ createRetryer }` changed.
  const snippet = lines('// ... existing code ...', "import { createRetryer } from './retryer'", "import type { MutationCache } from './mutationCache'", "import type { Retryer } from './retryer'",
    'import type {', '  DefaultError,', "} from './types'", '', '// ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, lines("import { notifyManager } from './notifyManager'", "import { createRetryer } from './retryer'", "import type { MutationCache } from './mutationCache'",
    "import type { Retryer } from './retryer'", 'import type {', '  DefaultError,', "} from './types'", '', 'export class Mutation {}'));
});

test('an import inside a function that another function has too is not moved out of it', () => {
  const file = lines('def load(path):', '    import json', '    return json.load(open(path))', '', '', 'def size(path):', '    return len(open(path).read())');
  const snippet = lines('# ... existing code ...', 'def size(path):', '    import json', '    return len(json.dumps(open(path).read()))');
  const r = applySnippet(file, snippet, { languageId: 'python' });
  assert.ok(r.unplaced.length > 0 || r.text.includes('def load(path):\n    import json\n'), r.text);
  assert.ok(!r.unplaced.length || /moved import/.test(r.unplaced[0].reason), JSON.stringify(r.unplaced));
});

// A piece that starts with a bare ` *` the file has a few lines above where the rest goes: the
// lines between are deleted (adjacency) or kept, and the ` *` alone cannot say which. When the
// piece's new lines read as those lines rewritten (a `@param` reworded), they replace them; when
// they are other text, the piece is refused.
test('a piece whose first line is a bare ` *` the file has a few lines above the rest: a rewrite of the lines between replaces them, other text is refused', () => {
  const file = lines('/**', ' * Creates a resource and an Observable that uses it.', ' *', ' * @param {function(): ISubscription} resourceFactory A function which creates any resource object',
    ' * that implements `unsubscribe` method.', ' * @return {Observable<T>} An Observable that behaves the same as the one the factory returns.', ' */', 'export function using() {}');
  const reworded = ' * @param resourceFactory A function which creates any resource object that implements `unsubscribe` method.';
  const snippet = lines('/* ... existing code here ... */', ' *', reworded,
    ' * @return {Observable<T>} An Observable that behaves the same as the one the factory returns.', '/* ... existing code here ... */');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  const want = file.split('\n');
  want.splice(3, 2, reworded);
  assert.equal(r.text, want.join('\n'));

  const other = lines('/* ... existing code here ... */', ' *', ' * @example using(() => new Resource(), r => of(r.value)).subscribe(console.log)',
    ' * @return {Observable<T>} An Observable that behaves the same as the one the factory returns.', '/* ... existing code here ... */');
  const refused = applySnippet(file, other, { languageId: 'typescript' });
  assert.equal(refused.unplaced.length, 1, refused.text);
  assert.match(refused.unplaced[0].reason, /first line \(\*\) is line 3 of the file/);
});

test('the alignment runs only near the lines a piece shares with the file: far matches are not joined, near ones are, as over the whole file', () => {
  const filler = (from: number, n: number): string[] => Array.from({ length: n }, (_, k) => `  step${from + k}();`);
  const weight = (): number => 1;
  const file = ['function a() {', ...filler(0, 8), 'function b() {', ...filler(100, 400), 'function c() {'];
  const near = alignPiece(['function a() {', 'function b() {'], file, 0, file.length, weight);
  assert.deepEqual(near.pairs, [[0, 0], [1, 9]]);
  const far = alignPiece(['function b() {', 'function c() {'], file, 0, file.length, weight);
  assert.equal(far.pairs.length, 1);
  assert.deepEqual(far.pairs[0], [0, 9]);
});

test('a snippet of 150 pieces applies to a 3,000-line file in well under a second', () => {
  const file = Array.from({ length: 3000 }, (_, k) => (k % 3 === 2 ? '' : `  total += weight${k} * value${k};`));
  const edited = file.slice();
  const snippet: string[] = [];
  for (let k = 10; k < 3000 - 10; k += 20) {
    edited[k] = `  total += weight${k} * changed${k};`;
    snippet.push('// ... existing code ...', file[k - 1], edited[k], file[k + 1]);
  }
  snippet.push('// ... existing code ...');
  const t0 = performance.now();
  const r = applySnippet(lines(...file), lines(...snippet), { languageId: 'typescript' });
  const ms = performance.now() - t0;
  assert.equal(r.unplaced.length, 0, JSON.stringify(r.unplaced.slice(0, 2)));
  assert.equal(r.text, lines(...edited));
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
});

test('a pure insertion beside lines the file repeats is placed where the piece copies no line the file holds once', () => {
  const file = lines(
    'class DraftMap {',
    '  get(key) {',
    '    assertUnrevoked(state)',
    '    prepareMapCopy(state)',
    '    return state.copy.get(key)',
    '  }',
    '  set(key, value) {',
    '    assertUnrevoked(state)',
    '    prepareMapCopy(state)',
    '    state.copy.set(key, value)',
    '  }',
    '  clear() {',
    '    const { base, copy } = state',
    '    if (!base.size) return',
    '    prepareMapCopy(state)',
    '    state.assigned = new Map()',
    '    for (const key of base.keys()) state.assigned.set(key, false)',
    '    copy.clear()',
    '  }',
    '  keys() {',
    '    assertUnrevoked(state)',
    '    return latest(state).keys()',
    '  }',
    '}');
  const snippet = lines('// ...', '    assertUnrevoked(state)', '    prepareMapCopy(state)', '    return latest(state).keys()', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('    assertUnrevoked(state)\n    return latest', '    assertUnrevoked(state)\n    prepareMapCopy(state)\n    return latest'));
});

test('a new function shown after the lines it follows is inserted there, not around a line of its body the file has elsewhere', () => {
  const file = lines(
    "import { AsyncLocalStorage } from 'node:async_hooks'",
    '',
    'class Application {',
    '  constructor(options) {',
    '    if (options.asyncLocalStorage instanceof AsyncLocalStorage) {',
    '      this.ctxStorage = options.asyncLocalStorage',
    '    }',
    '  }',
    '}',
    '',
    '/**',
    ' * Inherits from `Emitter.prototype`.',
    ' */',
    '',
    'module.exports = Application');
  const snippet = lines('// ... existing code ...', ' * Inherits from `Emitter.prototype`.', ' */', '',
    'function getAsyncLocalStorage (options) {', '  if (options.asyncLocalStorage instanceof AsyncLocalStorage) {', '    return options.asyncLocalStorage', '  }',
    '  return new AsyncLocalStorage()', '}', '// ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace(' */\n\nmodule', ' */\n\nfunction getAsyncLocalStorage (options) {\n  if (options.asyncLocalStorage instanceof AsyncLocalStorage) {\n'
    + '    return options.asyncLocalStorage\n  }\n  return new AsyncLocalStorage()\n}\n\nmodule'));
});

test('one line wrapped in a new block, with only brackets and margin lines around it: the snippet keeps the file\'s indentation', () => {
  const file = lines('export function read(file: string): string {', '  let st: Stats;', '  try {', '    st = statSync(file);', '  } finally {', '    done();', '  }', '  return text;', '}');
  const top = lines('// ...', 'export function read(file: string): string {', '  if (check) {', '    let st: Stats;', '  }', '  try {', '// ...');
  const r = applySnippet(file, top, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('  let st: Stats;\n', '  if (check) {\n    let st: Stats;\n  }\n'));
  const inner = lines('  } finally {', '    if (check) {', '      done();', '    }', '  }');
  const s = applySnippet(file, inner, { languageId: 'typescript' });
  assert.deepEqual(s.unplaced, []);
  assert.equal(s.text, file.replace('    done();\n', '    if (check) {\n      done();\n    }\n'));
});

test('an import moved up over another import and an import over several lines: moved, and no import lost on the way', () => {
  const file = lines("import { a } from './a'", "import { b } from './b'", "import type { C } from './c'", 'import type {', '  Dee,', '  Eee,', "} from './types'",
    "import type { M } from './m'", '', '// TYPES', '', 'type X = 1');
  // The import of M moved up: the first piece shows it under `b`, the second shows the types' import
  // kept. Placed by its old line, the first piece would run across the import of C to reach it.
  const snippet = lines('// ...', "import { b } from './b'", "import type { M } from './m'", '// ...', 'import type {', '  Dee,', '  Eee,', "} from './types'", '', '// TYPES', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, lines("import { a } from './a'", "import { b } from './b'", "import type { M } from './m'", "import type { C } from './c'", 'import type {', '  Dee,', '  Eee,',
    "} from './types'", '', '// TYPES', '', 'type X = 1'));
});

test('new lines after a blank context line are inserted there: a blank line opens no block whose body they would replace', () => {
  const file = lines('class Counter {', '  one() {', '    return 1', '  }', '', '  two() {', '    return 2', '  }', '}');
  const snippet = lines('// ...', '    return 1', '  }', '', '  /// Three, new.', '  three() { return 3 }', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('  }\n\n  two', '  }\n\n  /// Three, new.\n  three() { return 3 }\n  two'));
});

test('a method collapsed to one line takes its old body and closer out with it', () => {
  const file = lines('class Node {', '  check(content) {', '    if (!this.valid(content))', '      throw new RangeError("invalid")', '  }', '', '  /// @internal',
    '  checkAttrs(attrs) {', '    checkAttrs(this.attrs, attrs)', '  }', '', '  allows(mark) {', '    return true', '  }', '}');
  const snippet = lines('// ...', '      throw new RangeError("invalid")', '  }', '', '  /// @internal no longer useful', '  checkAttrs(attrs) {}', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('  /// @internal\n  checkAttrs(attrs) {\n    checkAttrs(this.attrs, attrs)\n  }\n', '  /// @internal no longer useful\n  checkAttrs(attrs) {}\n'));
});

// The annotation and doc comment above a new function are its own: matched to the file's
// `/*#__PURE__*/` above another function, they would put the new function between that annotation
// and its function and replace the other function's doc comment.
test('a new function with its own doc comment and annotation goes in whole, leaving the next function its annotation', () => {
  const file = lines(
    '/** Returns true if the value is a draft */',
    '/*#__PURE__*/',
    'export let isDraft = (value: any): boolean => !!value && !!value[DRAFT]',
    '',
    '/** Returns true if the value can be drafted */',
    '/*#__PURE__*/',
    'export function isDraftable(value: any): boolean {',
    '\tif (!value) return false',
    '\treturn isPlainObject(value) || isArray(value)',
    '}',
    '',
    '/** The underlying object of a draft */',
    '/*#__PURE__*/',
    'export function original(value: any): any {',
    '\tif (!isDraft(value)) die(15, value)',
    '\treturn value[DRAFT].base_',
    '}',
  );
  const added = [
    '/**',
    ' * Returns true if the value is a draft that has been modified, directly or',
    ' * through one of its nested drafts.',
    ' */',
    '/*#__PURE__*/',
    'export function isModified(value: any): boolean {',
    '\tif (!isDraft(value)) return false',
    '\treturn value[DRAFT].modified_',
    '}',
  ];
  const snippet = lines('// ...', 'export let isDraft = (value: any): boolean => !!value && !!value[DRAFT]', '', ...added, '// ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  const want = file.split('\n');
  want.splice(4, 0, ...added, '');
  assert.equal(r.text, want.join('\n'));
});

// Imports sorted, and moved around an import over several lines: the one-line imports that no
// order of the piece's import lines can leave in place are written where the snippet puts them,
// and their old lines go (a module imports the same thing once).
test('imports moved above and below an import over several lines go where the snippet puts them, their old lines out', () => {
  const utils = ['import {', '  functionalUpdate,', '  hashKey,', "} from './utils'"];
  const types = ['import type {', '  CancelOptions,', '  DefaultError,', "} from './types'"];
  const sorted = ["import { focusManager } from './focusManager'", "import { MutationCache } from './mutationCache'", "import { QueryCache } from './queryCache'"];
  const state = "import type { QueryState } from './query'";
  const filters = "import type { MutationFilters } from './utils'";
  const rest = ['', 'export class QueryClient {', '  #queryCache: QueryCache', '}'];
  const file = lines(...utils, ...[...sorted].reverse(), ...types, state, filters, ...rest);
  const snippet = lines(...sorted, 'import {', '/* ... existing code here ... */', state, ...types, filters, '/* ... existing code here ... */');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, lines(...sorted, ...utils, state, ...types, filters, ...rest));
});

// Placed elsewhere by a common line (`return false`), the piece would declare isBlockNode a second
// time: its own declaration line, which the file holds once, is the evidence that counts. Right
// after it, the next function's `return false` and `}` must not draw the piece across that function.
test('a rewritten function is placed at its own declaration, not where a common line of its body also fits, nor across the next function', () => {
  const filler = Array.from({ length: 12 }, (_, k) => [`function helper${k}(x: number): number {`, `  return x * ${k + 2}`, '}', '']).flat();
  const isBlock = ['function isBlockNode(dom: Node) {', '  let desc = dom.pmViewDesc', '  return desc && desc.node && desc.node.isBlock', '}'];
  const arrow = ['function arrow(view: EditorView, dir: string): boolean {', '  let sel = view.state.selection', '  if (!sel.empty) return false', '  return false', '}'];
  const body = ['  for (let scan: Node | null = dom; scan; scan = scan.parentNode) {', '    let desc = scan.pmViewDesc', '    if (desc) return desc.node ? desc.node.isBlock : false', '  }', '  return false'];
  const snippet = lines('// ...', 'function isBlockNode(dom: Node) {', ...body, '}', '// ...');
  const apart = lines(...isBlock, '', ...filler, ...arrow);
  const r = applySnippet(apart, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, apart.replace(isBlock.slice(1, 3).join('\n'), body.join('\n')));
  const next = lines(...isBlock, '', ...arrow);
  const near = applySnippet(next, snippet, { languageId: 'typescript' });
  assert.ok(near.unplaced.length > 0 || near.text === next.replace(isBlock.slice(1, 3).join('\n'), body.join('\n')), near.text);
  if (near.unplaced.length) assert.match(near.unplaced[0].reason, /declaration of arrow/);
});

// The doc comment's lines (` * @public`, ` */`) fit above any method; the line that assigns the
// same method anew says which.
test('a method assigned anew (`req.x = function(...)`) is placed at its old assignment, not where its doc comment lines also fit', () => {
  const file = lines(
    '/**',
    ' * Request prototype.',
    ' * @public',
    ' */',
    '',
    'var req = Object.create(http.IncomingMessage.prototype)',
    '',
    '/**',
    ' * Module exports.',
    ' * @public',
    ' */',
    '',
    'module.exports = req',
    '',
    '/**',
    ' * Check if the given `lang`s are acceptable.',
    ' * @public',
    ' */',
    '',
    'req.acceptsLanguages = function(){',
    '  var accept = accepts(this);',
    '  return accept.languages.apply(accept, arguments);',
    '};',
    '',
    '/**',
    ' * Parse Range header field.',
    ' */',
  );
  const snippet = lines('// ...', ' * @public', ' */', '', 'req.acceptsLanguages = function(...languages) {', '  return accepts(this).languages(...languages);', '};', '', '/**', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('req.acceptsLanguages = function(){\n  var accept = accepts(this);\n  return accept.languages.apply(accept, arguments);\n',
    'req.acceptsLanguages = function(...languages) {\n  return accepts(this).languages(...languages);\n'));
});

// `#pid;` is too short to place code by among many lines, but the file holds it once.
test('a piece whose only known line is short but held once in the file (`#pid;`) is placed by it', () => {
  const file = lines('class PostgresConnection {', '    #client;', '    #options;', '    #queryId;', '    #pid;', '    constructor(client, options) {', '        this.#client = client;', '    }', '}');
  const r = applySnippet(file, lines('class PostgresConnection {', '    // ...', '    #pid;', '    #discarded;', '    // ...'), { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('    #pid;\n', '    #pid;\n    #discarded;\n'));
});

// The snippet's blank line after the marker may be the file's own (then the line after it goes with
// the changed `if`) or only set the piece apart (then it stays): refused, not guessed.
test('a changed first line after a blank line and a marker, with the file holding other code between its blank line and that line, is refused', () => {
  const file = lines('function diff(child, old) {', '\tconst dom = child.dom;', '', '\tlet shouldPlace = !!(child.flags & INSERT);',
    '\tif (shouldPlace || old.children === child.children) {', '\t\toldDom = insert(child, oldDom, parentDom, shouldPlace);', '\t\tcount++;', '\t}', '}');
  const snippet = lines('\t// ... existing code ...', '', '\tif (child.flags & INSERT) {', '\t\toldDom = insert(child, oldDom, parentDom);', '\t\tcount++;', '\t// ... existing code ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.equal(r.unplaced.length, 1, r.text);
  assert.match(r.unplaced[0].reason, /replaced or kept/);
  // With the line before it shown, the same edit is placed.
  const shown = applySnippet(file, lines('\t// ... existing code ...', '\tconst dom = child.dom;', '', '\tif (child.flags & INSERT) {', '\t\toldDom = insert(child, oldDom, parentDom);', '\t\tcount++;', '\t// ... existing code ...'), { languageId: 'javascript' });
  assert.deepEqual(shown.unplaced, []);
  assert.equal(shown.text, file.replace('\tlet shouldPlace = !!(child.flags & INSERT);\n\tif (shouldPlace || old.children === child.children) {\n\t\toldDom = insert(child, oldDom, parentDom, shouldPlace);\n',
    '\tif (child.flags & INSERT) {\n\t\toldDom = insert(child, oldDom, parentDom);\n'));
});

// Two places hold versions of the same lines; at one of them the snippet's lines sit at the file's
// own indentation, at the other all of them one block deeper: the snippet was cut from the first.
test('between two places that fit the same changed lines, the one at the snippet\'s own indentation wins', () => {
  const file = lines(
    'function parse(view, text, plainText) {',
    '  if (inCode) {',
    '    let slice = fromText(text)',
    '    view.someProp("transformPasted", f => { slice = f(slice!, view, true) })',
    '    return slice',
    '  }',
    '  let slice = parseDom(text)',
    '  view.someProp("transformPasted", f => { slice = f(slice!, view, asText) })',
    '  return slice',
    '}',
  );
  const snippet = lines('// ...', '  view.someProp("transformPasted", f => { slice = f(slice!, view, plainText) })', '  return slice', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'typescript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, file.replace('view, asText)', 'view, plainText)'));
});

// The snippet names the private method it rewrites (`this.#cache()`, `#cache()`): replacing its old
// first line is a rewrite, not new code drawn across a method the snippet never names.
test('a private method the snippet rewrites is one it names: its old first line is replaced, not guarded', () => {
  const file = lines('class Store {', '  refresh() {', '    return 0;', '  }', '', '  #cache(a) {', '    return a;', '  }', '', '  finish() {', '    return 2;', '  }', '}');
  const snippet = lines('// ...', '  refresh() {', '    return this.#cache();', '  }', '', '  #cache() { return 1 }', '', '  finish() {', '// ...');
  const r = applySnippet(file, snippet, { languageId: 'javascript' });
  assert.deepEqual(r.unplaced, []);
  assert.equal(r.text, lines('class Store {', '  refresh() {', '    return this.#cache();', '  }', '', '  #cache() { return 1 }', '', '  finish() {', '    return 2;', '  }', '}'));
});
