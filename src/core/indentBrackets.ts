/**
 * Bracket balance of a fill, skipping strings, comments and regular expressions by the one lexer
 * (core/lexer.ts: good enough to tell a fill that drops or adds a `}` from one that keeps the
 * structure of the text it replaces).
 */
import { lexCode, syntaxOf, type CodeScan } from './lexer';

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

/** The opener each closer closes. */
export const OPEN_OF: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
/** The closer of each opener. */
export const CLOSE_OF: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };

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

/**
 * Hands every bracket of `text` outside its strings, comments and regular expressions (the one
 * lexer, core/lexer.ts, by `languageId`'s syntax) to `onBracket`, in order; with `keepSkipped`,
 * the scan lists those strings and comments too.
 */
export function bracketsInCode(text: string, languageId: string, onBracket: (ch: string, at: number) => void, keepSkipped = false): CodeScan {
  return lexCode(text, syntaxOf(languageId), (start, end) => {
    for (let i = start; i < end; i++) {
      const ch = text[i];
      if (ch === '(' || ch === '[' || ch === '{' || ch === ')' || ch === ']' || ch === '}') onBracket(ch, i);
    }
  }, keepSkipped);
}

/**
 * Brackets handed in order to `add`, matched as an editor's matcher matches them: a closer of a
 * kind that is open pops up to its opener, and the openers skipped inside it were never closed and
 * stay counted as unclosed (rough); a closer of a kind that is not open is unopened.
 */
export function looseMatcher(): { add: (ch: string, at: number) => void; readonly unclosed: BracketAt[]; readonly unopened: BracketAt[] } {
  const unclosed: BracketAt[] = [];
  const unopened: BracketAt[] = [];
  const add = (ch: string, at: number): void => {
    if (ch in CLOSE_OF) {
      unclosed.push({ ch, at });
      return;
    }
    const want = OPEN_OF[ch]!;
    let k = unclosed.length - 1;
    while (k >= 0 && unclosed[k].ch !== want) k--;
    if (k >= 0) unclosed.splice(k, 1);
    else unopened.push({ ch, at });
  };
  return { add, unclosed, unopened };
}

/** The brackets of `text` that do not pair up; `languageId` picks comment and string syntax (C-like default). */
export function scanBrackets(text: string, languageId = ''): BracketScan {
  const m = looseMatcher();
  const { unterminatedAt } = bracketsInCode(text, languageId, m.add);
  return { unclosed: m.unclosed, unopened: m.unopened, unterminatedAt };
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
