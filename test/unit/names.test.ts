/**
 * The workspace name index of Diffuse Repair (core/names): names outside comments and strings by
 * language family, counts per file and in all, updates and deletions, and a file's own names left
 * out of the lookup the repair of that file gets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyOfLanguage, familyOfPath, looksBinary, nameCounts, NameIndex } from '../../src/core/names';

const names = (text: string, family: Parameters<typeof nameCounts>[1]) => Object.fromEntries(nameCounts(text, family));

test('C-family code: comments, strings and template text are skipped, template expressions are read', () => {
  const text = [
    '// defineProperty_ in a comment',
    '/* cases, too */',
    'const key = "node.cases";',
    "const other = 'x.y';",
    'const t = `size ${count} of ${list.length}`;',
    'defineProperty_(target, key, 0x1F);',
  ].join('\n');
  assert.deepEqual(names(text, 'c'), { const: 3, key: 2, other: 1, t: 1, count: 1, list: 1, length: 1, defineProperty_: 1, target: 1 });
});

test('JS regular expression literals are skipped; a division is not one', () => {
  const text = 'assert.match(out, /item\\.unitPirce;$/m);\nconst half = total / 2 / count;\nreturn /[/a]b/.test(s);';
  assert.deepEqual(names(text, 'c'), { assert: 1, match: 1, out: 1, const: 1, half: 1, total: 1, count: 1, return: 1, test: 1, s: 1 });
});

test('a Rust lifetime is no character literal: the names after it are read', () => {
  assert.deepEqual(names("fn first<'a>(x: &'a str) -> &'a str { x }", 'rust'), { fn: 1, first: 1, a: 3, x: 2, str: 2 });
  assert.deepEqual(names("let c = 'q'; let d = c; let e = '\\n';", 'rust'), { let: 3, c: 2, d: 1, e: 1 });
});

test('Python: # comments, triple-quoted docstrings and prefixed strings are skipped', () => {
  const text = 'def get(url):\n    """Fetch url with a session."""\n    # session is not used\n    return f"{url}" + r\'raw\' + url\n';
  assert.deepEqual(names(text, 'python'), { def: 1, get: 1, url: 2, return: 1 });
});

test('dash-comment languages and files of unknown family', () => {
  assert.deepEqual(names('local x = 1 -- x is one\nprint(x)', 'dash'), { local: 1, x: 2, print: 1 });
  assert.deepEqual(names('say "hi" to you', 'plain'), { say: 1, hi: 1, to: 1, you: 1 }, 'plain text has no strings to skip');
});

test('families come from language ids and file names', () => {
  assert.equal(familyOfLanguage('typescript'), 'c');
  assert.equal(familyOfLanguage('python'), 'python');
  assert.equal(familyOfLanguage('markdown'), undefined);
  assert.equal(familyOfPath('/repo/src/a.test.ts'), 'c');
  assert.equal(familyOfPath('C:\\repo\\lib\\util.PY'), 'python');
  assert.equal(familyOfPath('/repo/Makefile'), 'hash');
  assert.equal(familyOfPath('/repo/image.png'), undefined);
  assert.equal(familyOfPath('/repo/.eslintrc'), undefined);
});

test('the index counts per file and in all; setting a file again replaces its names; deleting drops them', () => {
  const index = new NameIndex();
  index.set('a.ts', 'defineProperty_(x); defineProperty_(y);', 'c');
  index.set('b.ts', 'export function defineProperty_(o) { return o; }', 'c');
  assert.equal(index.occurrences('defineProperty_'), 3);
  assert.equal(index.occurrencesIn('a.ts', 'defineProperty_'), 2);
  assert.equal(index.fileCount, 2);
  index.set('a.ts', 'defineProperty(x);', 'c');
  assert.equal(index.occurrences('defineProperty_'), 1);
  assert.equal(index.occurrences('defineProperty'), 1);
  index.delete('b.ts');
  assert.equal(index.occurrences('defineProperty_'), 0);
  assert.equal(index.occurrences('o'), 0, 'a name no file holds is gone from the totals');
  assert.equal(index.fileCount, 1);
  assert.equal(index.bytes, 'defineProperty(x);'.length);
  assert.equal(index.set('c.bin', 'whatever', undefined), false, 'a file of no known family is not indexed');
  assert.equal(index.has('c.bin'), false);
});

test('the lookup for a file leaves out that file, and follows it when it is indexed again', () => {
  const index = new NameIndex();
  index.set('doc.js', 'node.cases; node.cases;', 'c');
  index.set('other.js', 'switch (node.type) { case 1: return node.cases; }', 'c');
  const seen = index.except('doc.js');
  assert.equal(seen.occurrences('cases'), 1);
  assert.equal(seen.occurrences('node'), 2);
  assert.deepEqual(new Map(seen.entries()).get('cases'), 1);
  index.set('doc.js', 'node.casez;', 'c');
  assert.equal(seen.occurrences('cases'), 1, 'the file\'s new text is still its own');
  assert.equal(seen.occurrences('casez'), 0);
  assert.equal(index.except(undefined).occurrences('casez'), 1);
});

test('binary content is told by a NUL byte in its head', () => {
  assert.equal(looksBinary(new Uint8Array([0x50, 0x4b, 0x03, 0x00])), true);
  assert.equal(looksBinary(new TextEncoder().encode('const x = 1;\n')), false);
});
