/**
 * The one lexer (core/lexer) under both of its readers: the bracket scanners and the names index
 * see the same code, whatever the language writes around it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lexCode, syntaxOf } from '../../src/core/lexer';
import { bracketBalance } from '../../src/core/indentBrackets';
import { bracketEdits } from '../../src/core/repairCandidates';
import { nameCounts } from '../../src/core/names';

const code = (text: string, languageId: string): string => {
  let out = '';
  lexCode(text, syntaxOf(languageId), (s, e) => { out += text.slice(s, e); });
  return out;
};

test('regular expression literals are not code: their brackets do not count, a division does', () => {
  const text = 'const open = /[({]/g;\nconst half = (a + b) / 2 / (c);\nif (/^\\s*\\)/.test(line)) f(x);\n';
  const b = bracketBalance(text, 'typescript');
  assert.deepEqual([b.paren, b.bracket, b.brace, b.unterminated], [0, 0, 0, false]);
  assert.deepEqual(bracketEdits(text, 'typescript'), []);
  assert.ok(code(text, 'typescript').includes('(a + b) / 2 / (c)'), 'a division stays code');
  // C has no regular expression literals: there a slash is a division.
  assert.ok(code('x = a / (b) / c;', 'c').includes('/ (b) /'));
});

test('template literals: the text is skipped, `${...}` is code for brackets and names alike', () => {
  const text = 'const s = `a ( ${fn(list[0], { k: 1 })} b ] ${`inner ${deep}`}`;\n';
  const b = bracketBalance(text, 'typescript');
  assert.deepEqual([b.paren, b.bracket, b.brace, b.unterminated], [0, 0, 0, false]);
  const names = nameCounts(text, 'c');
  assert.deepEqual([names.get('fn'), names.get('list'), names.get('deep'), names.get('inner'), names.get('a')], [1, 1, 1, undefined, undefined]);
});

test('each language its own strings and comments', () => {
  // Go: raw strings over lines, where a backslash escapes nothing.
  const go = bracketBalance('s := `a\\ (\n]`\nf(x)', 'go');
  assert.deepEqual([go.paren, go.bracket, go.unterminated], [0, 0, false]);
  // Rust: a lifetime is not a quote, a character literal is.
  assert.deepEqual(bracketEdits("fn f<'a>(x: &'a str) -> char { '(' }", 'rust'), []);
  // Python: triple quotes over lines, `#` comments.
  assert.equal(bracketBalance('s = """(\n]"""  # )\nt = f(x)\n', 'python').paren, 0);
  // An unterminated string hides the rest of its line only, and is reported.
  const b = bracketBalance('x = "(\ny = f(a)\n', 'typescript');
  assert.deepEqual([b.paren, b.unterminated], [0, true]);
});

test('raw strings: C++ R"delim(...)delim" and Rust r#"..."# hold brackets and quotes over lines', () => {
  const cpp = 'auto s = R"ONNX(\n  f(x: "a) ]\n)ONNX";\nauto t = uR"x(())")x";\nint g(int a) { return a; }\n';
  const b = bracketBalance(cpp, 'cpp');
  assert.deepEqual([b.paren, b.bracket, b.brace, b.unterminated], [0, 0, 0, false]);
  // `R` ending a name is no raw string's prefix; `LR` after a letter neither; C has no raw strings.
  assert.equal(bracketBalance('x = FOOR"(";\n', 'cpp').paren, 0);
  assert.equal(bracketBalance('x = xLR"(";\n', 'cpp').paren, 0);
  assert.equal(bracketBalance('x = R"(";\n', 'c').paren, 0);
  const rust = 'let s = r#"a "quoted" ( ]"#;\nlet b = br"x(";\nlet m = "over\r\nlines ( ";\nlet n = abr"\\"(";\nfn f() {}\n';
  const r = bracketBalance(rust, 'rust');
  assert.deepEqual([r.paren, r.bracket, r.brace, r.unterminated], [0, 0, 0, false]);
});

test('a backslash before a CRLF line break continues the string; a regular expression after a comment line is one', () => {
  const c = 'const char* s = "a ( \\\r\n  b";\r\nint f(void) { return 0; }\r\n';
  const b = bracketBalance(c, 'c');
  assert.deepEqual([b.paren, b.unterminated], [0, false]);
  const js = 'const rx =\n  // eslint-disable-next-line no-control-regex\n  /["\\u0000-\\u001f(]/g;\nf(x);\n';
  const j = bracketBalance(js, 'javascript');
  assert.deepEqual([j.paren, j.bracket, j.unterminated], [0, 0, false]);
});
