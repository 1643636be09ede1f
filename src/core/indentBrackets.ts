/**
 * Bracket balance of a fill, skipping strings and comments roughly (no full lexer: good enough to
 * tell a fill that drops or adds a `}` from one that keeps the structure of the text it replaces).
 */

export interface BracketBalance {
  /** Opens minus closes, per kind. */
  readonly paren: number;
  readonly bracket: number;
  readonly brace: number;
  /** Openers left unclosed, outermost first (append their closers in reverse to balance). */
  readonly unclosed: string;
  /** Closers that had no opener before them, in order. */
  readonly unopened: string;
  /** The text ends inside a string or block comment. */
  readonly unterminated: boolean;
}

interface Lexicon {
  readonly lineComments: readonly string[];
  readonly blockComments: boolean;
  readonly quotes: readonly string[];
  readonly tripleQuotes: boolean;
  /** `'` also starts lifetimes / labels (Rust): only a char literal when it looks like one. */
  readonly shortApostrophe: boolean;
}

const C_LIKE: Lexicon = { lineComments: ['//'], blockComments: true, quotes: ['"', "'"], tripleQuotes: false, shortApostrophe: false };
const LEXICONS: Readonly<Record<string, Lexicon>> = {
  python: { lineComments: ['#'], blockComments: false, quotes: ['"', "'"], tripleQuotes: true, shortApostrophe: false },
  json: { lineComments: ['//'], blockComments: true, quotes: ['"'], tripleQuotes: false, shortApostrophe: false },
  jsonc: { lineComments: ['//'], blockComments: true, quotes: ['"'], tripleQuotes: false, shortApostrophe: false },
  rust: { ...C_LIKE, shortApostrophe: true },
  go: { ...C_LIKE, quotes: ['"', "'", '`'] },
  javascript: { ...C_LIKE, quotes: ['"', "'", '`'] },
  javascriptreact: { ...C_LIKE, quotes: ['"', "'", '`'] },
  typescript: { ...C_LIKE, quotes: ['"', "'", '`'] },
  typescriptreact: { ...C_LIKE, quotes: ['"', "'", '`'] },
};

const OPEN_OF: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };

/** A bracket of a fill and where it sits. */
export interface BracketAt {
  readonly ch: string;
  readonly at: number;
}

/** What `scanBrackets` found, with positions (offsets into the scanned text). */
export interface BracketScan {
  /** Openers left unclosed, outermost first. */
  readonly unclosed: readonly BracketAt[];
  /** Closers that had no opener before them, in order. */
  readonly unopened: readonly BracketAt[];
  /** Where a string or block comment starts that the text never ends (undefined: none). */
  readonly unterminatedAt?: number;
}

/** Strings and comments of a text, as scanCode found them. */
export interface CodeScan {
  /** The strings and comments, as [start, end) offsets, in order. */
  readonly skipped: ReadonlyArray<readonly [number, number]>;
  /** Where a string or block comment starts that the text never ends (undefined: none). */
  readonly unterminatedAt?: number;
}

/**
 * The one lexer of the bracket scanners: walks `text`, skipping strings and comments by
 * `languageId`'s syntax (C-like by default), and hands every bracket outside them to `onBracket`.
 * An unterminated quote on one line (prose in JSX, a typo) hides only the rest of that line.
 */
export function scanCode(text: string, languageId: string, onBracket: (ch: string, at: number) => void): CodeScan {
  const lex = LEXICONS[languageId] ?? C_LIKE;
  const skipped: Array<readonly [number, number]> = [];
  let unterminatedAt: number | undefined;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text[i]!;
    const start = i;
    if (lex.lineComments.some(c => text.startsWith(c, i))) {
      const nl = text.indexOf('\n', i);
      skipped.push([start, nl < 0 ? n : nl]);
      if (nl < 0) break;
      i = nl;
      continue;
    }
    if (lex.blockComments && text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      if (close < 0) { unterminatedAt ??= i; skipped.push([start, n]); break; }
      i = close + 2;
      skipped.push([start, i]);
      continue;
    }
    if (lex.quotes.includes(ch)) {
      const triple = lex.tripleQuotes && text.startsWith(ch.repeat(3), i);
      const end = triple ? text.indexOf(ch.repeat(3), i + 3) : closingQuote(text, i, ch);
      if (ch === "'" && lex.shortApostrophe && !isCharLiteral(text, i, end)) { i++; continue; }
      if (end < 0) {
        unterminatedAt ??= i;
        const nl = triple || ch === '`' ? -1 : text.indexOf('\n', i);
        skipped.push([start, nl < 0 ? n : nl]);
        if (nl < 0) break;
        i = nl;
        continue;
      }
      i = end + (triple ? 3 : 1);
      skipped.push([start, i]);
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{' || ch === ')' || ch === ']' || ch === '}') onBracket(ch, i);
    i++;
  }
  return { skipped, unterminatedAt };
}

/** The brackets of `text` that do not pair up; `languageId` picks comment and string syntax (C-like default). */
export function scanBrackets(text: string, languageId = ''): BracketScan {
  const stack: BracketAt[] = [];
  const unopened: BracketAt[] = [];
  const { unterminatedAt } = scanCode(text, languageId, (ch, at) => {
    if (ch === '(' || ch === '[' || ch === '{') {
      stack.push({ ch, at });
      return;
    }
    const want = OPEN_OF[ch]!;
    let k = stack.length - 1;
    while (k >= 0 && stack[k].ch !== want) k--;
    // A closer of a kind that is open pops up to its opener; the openers skipped inside it
    // were never closed and stay counted as unclosed (rough, like an editor's matcher).
    if (k >= 0) stack.splice(k, 1);
    else unopened.push({ ch, at });
  });
  return { unclosed: stack, unopened, unterminatedAt };
}

/** Balance of (), [] and {} in `text`; `languageId` picks comment and string syntax (C-like default). */
export function bracketBalance(text: string, languageId = ''): BracketBalance {
  const scan = scanBrackets(text, languageId);
  const count = (open: string, close: string): number =>
    scan.unclosed.filter(b => b.ch === open).length - scan.unopened.filter(b => b.ch === close).length;
  return {
    paren: count('(', ')'),
    bracket: count('[', ']'),
    brace: count('{', '}'),
    unclosed: scan.unclosed.map(b => b.ch).join(''),
    unopened: scan.unopened.map(b => b.ch).join(''),
    unterminated: scan.unterminatedAt !== undefined,
  };
}

/** `'x'`, `'😀'` or an escape like `'\n'` / `'\u{1F600}'`, as opposed to a lifetime `'a`. */
function isCharLiteral(text: string, open: number, close: number): boolean {
  if (close < 0) return false;
  if (text[open + 1] === '\\') return close - open <= 11;
  const code = text.charCodeAt(open + 1);
  return close - open === 2 || (close - open === 3 && code >= 0xd800 && code <= 0xdbff);
}

/** Index of the quote closing the one at `open`, honouring backslash escapes; -1 when none. */
function closingQuote(text: string, open: number, quote: string): number {
  const multiline = quote === '`';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') { i++; continue; }
    if (c === quote) return i;
    if (c === '\n' && !multiline) return -1;
  }
  return -1;
}

export interface BalanceDelta {
  readonly paren: number;
  readonly bracket: number;
  readonly brace: number;
  /** The fill opens and closes exactly what the original did, per kind. */
  readonly matches: boolean;
}

/**
 * How the fill's balance differs from the text it replaces. The prefix and suffix around the hole
 * expect the original's balance, so anything but zero means the fill breaks the structure around it.
 */
export function balanceDelta(original: string, fill: string, languageId = ''): BalanceDelta {
  const a = bracketBalance(original, languageId);
  const b = bracketBalance(fill, languageId);
  const paren = b.paren - a.paren;
  const bracket = b.bracket - a.bracket;
  const brace = b.brace - a.brace;
  return { paren, bracket, brace, matches: paren === 0 && bracket === 0 && brace === 0 };
}
