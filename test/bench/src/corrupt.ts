/**
 * Seeded corruptions of correct code, the kinds of slip Diffuse Repair is for. Each returns the
 * corrupted block, or undefined when the block offers no place for that kind. Comments and strings
 * are left alone, so every corruption breaks code, not prose: read by the engine's lexer over the
 * whole file when the caller gives it (`isCode`), else by a line-local guess.
 */
import { lexCode, syntaxOf } from '../../../src/core/lexer';

export type CorruptionKind = 'typo' | 'operator' | 'bracket' | 'off_by_one';

export const KINDS: readonly CorruptionKind[] = ['typo', 'operator', 'bracket', 'off_by_one'];

const KEYWORDS = new Set(('abstract and as assert async await break case catch char class const continue def default defer delete do double elif else enum export extends false final finally float fn for from func function go if impl import in instanceof int interface is lambda let long loop match mod module mut new nil none not null or package pass private protected pub public raise return self short signed static struct super switch this throw true try type typeof undefined union unsafe unsigned use var void where while with yield').split(' '));

/** Whether `at` is inside a triple-quoted string (a Python docstring) that opens in `text`. */
export function inTripleQuotes(text: string, at: number): boolean {
  return ((text.slice(0, at).match(/"""|'''/g) ?? []).length % 2) === 1;
}

/** Offsets in `text` not inside a comment line, a docstring or a quoted string (a line-local heuristic). */
function inCode(text: string, at: number): boolean {
  if (inTripleQuotes(text, at)) return false;
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const before = text.slice(lineStart, at);
  const trimmed = before.trimStart();
  if (/^(\/\/|#|\/\*|\*)/.test(trimmed) || before.includes('//') || /(^|\s)#/.test(before)) return false;
  const quotes = (before.match(/["'`]/g) ?? []).length;
  return quotes % 2 === 0;
}

/**
 * Which offsets of a block of `docText` (from `start` to `end`) are code, by the engine's lexer
 * over the file from its start: a block may begin inside a multi-line string or comment.
 */
export function codeOffsets(docText: string, languageId: string, start: number, end: number): (at: number) => boolean {
  const code = new Uint8Array(end - start);
  lexCode(docText.slice(0, end), syntaxOf(languageId), (a, b) => {
    for (let i = Math.max(a, start); i < Math.min(b, end); i++) code[i - start] = 1;
  });
  return (at) => code[at] === 1;
}

export function corrupt(block: string, kind: CorruptionKind, rand: () => number, isCode?: (at: number) => boolean): string | undefined {
  const candidates = (text: string, re: RegExp, keep: (m: RegExpExecArray) => boolean = () => true): RegExpExecArray[] => {
    const out: RegExpExecArray[] = [];
    for (const m of text.matchAll(new RegExp(re.source, 'g'))) {
      if ((isCode ? isCode(m.index) : inCode(text, m.index)) && keep(m as RegExpExecArray)) out.push(m as RegExpExecArray);
    }
    return out;
  };
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(rand() * xs.length)] : undefined);
  const splice = (at: number, len: number, by: string) => block.slice(0, at) + by + block.slice(at + len);
  switch (kind) {
    case 'typo': {
      // Swap two inner letters of an identifier used in the block: a plausible slip of the keys.
      const m = pick(candidates(block, /\b[A-Za-z_][A-Za-z0-9_]{3,}\b/, (x) => !KEYWORDS.has(x[0]) && /[a-z][a-z]/i.test(x[0].slice(1, -1))));
      if (!m) return undefined;
      const w = m[0];
      const inner = [...Array(w.length - 2).keys()].map((i) => i + 1).filter((i) => w[i] !== w[i + 1] && /[A-Za-z]/.test(w[i]) && /[A-Za-z]/.test(w[i + 1]) && i + 1 < w.length);
      const i = pick(inner);
      if (i === undefined) return undefined;
      return splice(m.index, w.length, w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2));
    }
    case 'operator': {
      // Only between spaces, as binary operators are written: generics, arrows, a closure's `||`
      // and C++'s `T&&` are no comparisons or logic.
      const m = pick(candidates(block, / (<=|>=|<|>|&&|\|\|) |\b(and|or)\b/));
      if (!m) return undefined;
      const op = m[1] ?? m[2] ?? m[0];
      const swap: Record<string, string> = { '<': '<=', '<=': '<', '>': '>=', '>=': '>', '&&': '||', '||': '&&', and: 'or', or: 'and' };
      return splice(m.index + m[0].indexOf(op), op.length, swap[op]);
    }
    case 'bracket': {
      const m = pick(candidates(block, /[)\]}]/));
      return m ? splice(m.index, 1, '') : undefined;
    }
    case 'off_by_one': {
      const m = pick(candidates(block, /(?<![\w.])\d{1,4}(?![\w.])/));
      if (!m) return undefined;
      const n = Number(m[0]);
      return splice(m.index, m[0].length, String(n === 0 || rand() < 0.5 ? n + 1 : n - 1));
    }
  }
}
