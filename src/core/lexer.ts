/**
 * The one lexer of the scanners that must not read into strings and comments: the bracket scanners
 * (indentBrackets, Repair's bracket edits) and the names index (names.ts). It is cheap on purpose:
 * one pass that tells code from the rest by a language's syntax (line and block comments, quotes,
 * Python's triple quotes, Rust's character literals, Go's, C++'s and Rust's raw strings, JavaScript's template
 * literals, whose `${...}` is code, and its regular expression literals), not a full tokenizer.
 * Pure: no `vscode`, no node builtins.
 */

/** How a language writes comments, strings and literals, as far as telling code apart needs. */
export interface Syntax {
  readonly lineComments: readonly string[];
  readonly blockComments: boolean;
  /** One-line strings with backslash escapes. */
  readonly quotes: readonly string[];
  /** `"""` and `'''` strings, over lines (Python). */
  readonly tripleQuotes: boolean;
  /** `'` is a character literal only when it looks like one (`'a`: a Rust lifetime or label). */
  readonly charLiterals: boolean;
  /** Backtick strings over lines with no escapes (Go's raw strings). */
  readonly rawBackticks: boolean;
  /** Backtick template literals whose `${...}` is code (JavaScript). */
  readonly templates: boolean;
  /** `/.../` regular expression literals where an operand may start (JavaScript). */
  readonly regexes: boolean;
  /** Raw strings over lines with no escapes: C++'s `R"delim(...)delim"`, Rust's `r#"..."#`. */
  readonly rawStrings?: 'cpp' | 'rust';
  /** `"` strings may hold line breaks (Rust). */
  readonly stringsOverLines?: boolean;
}

const NONE: Syntax = { lineComments: [], blockComments: false, quotes: [], tripleQuotes: false, charLiterals: false, rawBackticks: false, templates: false, regexes: false };
const C: Syntax = { ...NONE, lineComments: ['//'], blockComments: true, quotes: ['"', "'"] };
const JS: Syntax = { ...C, templates: true, regexes: true };

export const SYNTAXES = {
  c: C,
  cpp: { ...C, rawStrings: 'cpp' },
  js: JS,
  go: { ...C, rawBackticks: true },
  rust: { ...C, charLiterals: true, rawStrings: 'rust', stringsOverLines: true },
  json: { ...C, quotes: ['"'] },
  python: { ...NONE, lineComments: ['#'], quotes: ['"', "'"], tripleQuotes: true },
  hash: { ...NONE, lineComments: ['#'], quotes: ['"', "'"] },
  dash: { ...NONE, lineComments: ['--'], quotes: ['"', "'"] },
  plain: NONE,
} as const satisfies Record<string, Syntax>;

const BY_LANGUAGE: Readonly<Record<string, Syntax>> = {
  javascript: JS, javascriptreact: JS, typescript: JS, typescriptreact: JS, tsx: JS, jsx: JS,
  cpp: SYNTAXES.cpp, 'cuda-cpp': SYNTAXES.cpp, go: SYNTAXES.go, rust: SYNTAXES.rust, json: SYNTAXES.json, jsonc: SYNTAXES.json, python: SYNTAXES.python,
};

/** The syntax of a VS Code language id; C's (`//`, block comments, `"` and `'`) for the others. */
export function syntaxOf(languageId: string): Syntax {
  return BY_LANGUAGE[languageId] ?? C;
}

/** Strings and comments of a text, as `lexCode` found them. */
export interface CodeScan {
  /** The strings, comments and regular expressions, as [start, end) offsets, in order (empty unless asked for). */
  readonly skipped: ReadonlyArray<readonly [number, number]>;
  /** Where a string or block comment starts that the text never ends (undefined: none). */
  readonly unterminatedAt?: number;
}

/**
 * Walks `text` by `syntax` and hands each stretch of code between strings, comments and regular
 * expressions to `onCode(start, end)`, in order (a template's `${` and its closing `}` are in no
 * stretch). An unterminated one-line string (prose in JSX, a typo) hides only the rest of its line.
 * The skipped spans are listed only with `keepSkipped` (the names index reads whole workspaces and
 * needs none of them).
 */
export function lexCode(text: string, syntax: Syntax, onCode: (start: number, end: number) => void, keepSkipped = false): CodeScan {
  const skipped: Array<readonly [number, number]> = [];
  let unterminatedAt: number | undefined;
  const n = text.length;
  // Brace depth in code, and the depths at which open template `${` stand.
  let depth = 0;
  const templates: number[] = [];
  let from = 0;
  let i = 0;
  // The comments, as [start, end) (where regular expressions are read): what comes before one is read past them.
  const comments: Array<readonly [number, number]> = [];
  const skip = (start: number, end: number, open = false): void => {
    if (start > from) onCode(from, start);
    if (keepSkipped) skipped.push([start, end]);
    if (open) unterminatedAt ??= start;
    from = end;
    i = end;
  };
  const special = specialChars(syntax);
  while (i < n) {
    // Most characters start nothing: one table lookup, then on (every special character is ASCII).
    const code = text.charCodeAt(i);
    if (code >= 128 || special[code] === 0) {
      i++;
      continue;
    }
    const ch = text[i];
    if (syntax.lineComments.some((c) => text.startsWith(c, i))) {
      const nl = text.indexOf('\n', i);
      if (syntax.regexes) comments.push([i, nl < 0 ? n : nl]);
      skip(i, nl < 0 ? n : nl);
      continue;
    }
    if (syntax.blockComments && ch === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      if (syntax.regexes) comments.push([i, close < 0 ? n : close + 2]);
      skip(i, close < 0 ? n : close + 2, close < 0);
      continue;
    }
    if (syntax.tripleQuotes && (ch === '"' || ch === "'") && text[i + 1] === ch && text[i + 2] === ch) {
      const close = text.indexOf(ch.repeat(3), i + 3);
      skip(i, close < 0 ? n : close + 3, close < 0);
      continue;
    }
    if (ch === '"' && syntax.rawStrings) {
      const end = rawStringEnd(text, i, syntax.rawStrings);
      if (end !== undefined) {
        skip(i, end < 0 ? n : end, end < 0);
        continue;
      }
    }
    if (syntax.quotes.includes(ch)) {
      const close = closingQuote(text, i, ch, ch === '"' && syntax.stringsOverLines === true);
      if (ch === "'" && syntax.charLiterals && !isCharLiteral(text, i, close)) { i++; continue; }
      if (close < 0) {
        const nl = text.indexOf('\n', i);
        skip(i, nl < 0 ? n : nl, true);
      } else skip(i, close + 1);
      continue;
    }
    if (ch === '`' && (syntax.rawBackticks || syntax.templates)) {
      const raw = syntax.templates ? -1 : text.indexOf('`', i + 1);
      const end = syntax.templates ? templateText(text, i + 1, templates, depth) : raw < 0 ? -1 : raw + 1;
      skip(i, end < 0 ? n : end, end < 0);
      continue;
    }
    if (syntax.regexes && ch === '/' && startsRegex(text, i, comments)) {
      const close = regexEnd(text, i + 1);
      if (close > 0) {
        let end = close;
        while (end < n && /[a-z]/.test(text[end])) end++;
        skip(i, end);
        continue;
      }
    }
    if (ch === '{') depth++;
    else if (ch === '}') {
      if (templates.length && templates[templates.length - 1] === depth) {
        // The `}` that closes a template's `${`: its text resumes.
        templates.pop();
        const end = templateText(text, i + 1, templates, depth);
        skip(i, end < 0 ? n : end, end < 0);
        continue;
      }
      depth--;
    }
    i++;
  }
  if (n > from) onCode(from, n);
  return { skipped, unterminatedAt };
}

/** The ASCII characters that may start a comment, string, literal or template part under `syntax` (1 in a 128-entry table). */
const specialMemo = new WeakMap<Syntax, Uint8Array>();

function specialChars(syntax: Syntax): Uint8Array {
  let table = specialMemo.get(syntax);
  if (!table) {
    const chars = [...syntax.lineComments.map((c) => c[0]), ...syntax.quotes];
    if (syntax.blockComments || syntax.regexes) chars.push('/');
    if (syntax.tripleQuotes) chars.push('"', "'");
    if (syntax.rawBackticks || syntax.templates) chars.push('`');
    if (syntax.templates) chars.push('{', '}');
    table = new Uint8Array(128);
    for (const c of chars) table[c.charCodeAt(0)] = 1;
    specialMemo.set(syntax, table);
  }
  return table;
}

/**
 * Where the raw string whose `"` is at `quote` ends (just after it; -1: never), or undefined when
 * that quote opens no raw string. C++: `R"delim(` (after `R`, `u8R`, `uR`, `UR` or `LR`) to
 * `)delim"`. Rust: `r"`, `r#"` (any number of `#`, after `r` or `br`) to `"` and as many `#`.
 */
function rawStringEnd(text: string, quote: number, kind: 'cpp' | 'rust'): number | undefined {
  const wordBefore = (at: number) => at >= 0 && /[A-Za-z0-9_$]/.test(text[at]);
  if (kind === 'cpp') {
    if (text[quote - 1] !== 'R') return undefined;
    const prefix = /(?:u8|u|U|L)?$/.exec(text.slice(Math.max(0, quote - 3), quote - 1))?.[0] ?? '';
    if (wordBefore(quote - 2 - prefix.length)) return undefined;
    const open = /^([^()\\\s"]{0,16})\(/.exec(text.slice(quote + 1, quote + 19));
    if (!open) return undefined;
    const close = text.indexOf(`)${open[1]}"`, quote + 2 + open[1].length);
    return close < 0 ? -1 : close + open[1].length + 2;
  }
  let hashes = 0;
  while (text[quote - 1 - hashes] === '#') hashes++;
  const r = quote - 1 - hashes;
  if (text[r] !== 'r') return undefined;
  if (wordBefore(r - 1) && !(text[r - 1] === 'b' && !wordBefore(r - 2))) return undefined;
  const close = text.indexOf('"' + '#'.repeat(hashes), quote + 1);
  return close < 0 ? -1 : close + 1 + hashes;
}

/**
 * Index of the quote closing the one at `open`, honouring backslash escapes (a backslash before a
 * line break, `\r\n` too, continues the string); -1 when the line ends first, unless `overLines`
 * (Rust's strings hold line breaks).
 */
function closingQuote(text: string, open: number, quote: string, overLines = false): number {
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i += text[i + 1] === '\r' && text[i + 2] === '\n' ? 2 : 1;
      continue;
    }
    if (c === quote) return i;
    if (c === '\n' && !overLines) return -1;
  }
  return -1;
}

/** `'x'`, `'😀'` or an escape like `'\n'` / `'\u{1F600}'`, as opposed to a lifetime `'a`. */
function isCharLiteral(text: string, open: number, close: number): boolean {
  if (close < 0) return false;
  if (text[open + 1] === '\\') return close - open <= 11;
  const code = text.charCodeAt(open + 1);
  return close - open === 2 || (close - open === 3 && code >= 0xd800 && code <= 0xdbff);
}

/**
 * Inside a template literal's text, from `i`: the offset after its closing backtick, or after a
 * `${` (whose depth is pushed on `templates`); -1 when the text ends first.
 */
function templateText(text: string, i: number, templates: number[], depth: number): number {
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') { i += 2; continue; }
    if (c === '`') return i + 1;
    if (c === '$' && text[i + 1] === '{') {
      templates.push(depth);
      return i + 2;
    }
    i++;
  }
  return -1;
}

/** Whether a character code may start an identifier: a letter, `_` or `$` (the names index reads names with these too). */
export function identStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
}

/** Whether a character code may continue an identifier: those and digits. */
export function identPart(c: number): boolean {
  return identStart(c) || (c >= 48 && c <= 57);
}
const BEFORE_REGEX = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '+', '-', '*', '%', '<', '>', '~', '^']);
const WORDS_BEFORE_REGEX = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

/** Whether the `/` at `i` opens a regular expression literal rather than dividing. */
function startsRegex(text: string, i: number, comments: ReadonlyArray<readonly [number, number]> = []): boolean {
  if (text[i + 1] === '/' || text[i + 1] === '*') return false;
  let j = i - 1;
  // Back over spaces and the comments between the code and the slash (a comment line above it).
  for (let k = comments.length - 1; ; k--) {
    while (j >= 0 && /\s/.test(text[j])) j--;
    while (k >= 0 && comments[k][0] > j) k--;
    if (k < 0 || j >= comments[k][1]) break;
    j = comments[k][0] - 1;
  }
  if (j < 0) return true;
  if (BEFORE_REGEX.has(text[j])) return true;
  if (!identPart(text.charCodeAt(j))) return false;
  let w = j;
  while (w > 0 && identPart(text.charCodeAt(w - 1))) w--;
  return WORDS_BEFORE_REGEX.has(text.slice(w, j + 1));
}

/** After a regular expression's opening `/`: the offset after its closing one, or -1 if the line ends first. */
function regexEnd(text: string, i: number): number {
  let inClass = false;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') { i += 2; continue; }
    if (c === '\n') return -1;
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) return i + 1;
    i++;
  }
  return -1;
}
