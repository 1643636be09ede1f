/**
 * What a suspicious piece of code could have been, for Diffuse Repair. The model only ranks; the
 * candidates come from three places that keep a repair small and reviewable:
 *   - names that occur nearby and are a slip of the keys away (a typo usually misspells a name the
 *     surrounding code spells right),
 *   - the operator's and the literal's near relatives (`<` / `<=`, `&&` / `||`, n +- 1),
 *   - for code that no longer parses, a closing bracket put back where one is missing, or a stray
 *     one taken out (the parser then decides which of them fix it).
 * The denoised fill of the re-masked site is added by the pipeline. Pure: no model, no parser.
 */
import type { OffsetRange } from './types';
import { bracketsInCode, CLOSE_OF } from './indentBrackets';
import { lineEndAt, lineStartAt } from './indent';

export type SiteKind = 'identifier' | 'operator' | 'number';

export interface RepairSite extends OffsetRange {
  readonly kind: SiteKind;
  /** The text of the site as it stands (with the leading space the tokenizer keeps with it). */
  readonly original: string;
  /** Replacements for the whole site, without the original. */
  readonly candidates: string[];
}

const WORD = /[A-Za-z0-9_$]/;
const PUNCT = /[!-#%-/:-@[-^`{-~]/; // the tokenizer's punctuation class (no `$`, `_`)

const CONFUSIONS: ReadonlyArray<readonly string[]> = [
  ['<', '<=', '>', '>='],
  ['==', '!='],
  ['===', '!=='],
  ['&&', '||'],
  ['&', '|'],
  ['+', '-'],
  ['+=', '-='],
  ['++', '--'],
  ['and', 'or'],
];

/** Optimal-string-alignment distance (insert, delete, substitute, swap two neighbours), capped. */
export function editDistance(a: string, b: string, cap = 3): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > cap) return cap + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

/** An identifier, as repair reads names (global: use with matchAll or match). */
export const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/g;

/** Identifiers of a text with how often each occurs. */
export function identifierCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(IDENTIFIER)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  return counts;
}

/**
 * Whether putting `candidate` in place of `original` would take away a real name: one of the
 * original's identifiers that `real` knows, and that the candidate no longer spells.
 */
export function dropsRealName(original: string, candidate: string, real: (name: string) => boolean): boolean {
  const kept = new Set(candidate.match(IDENTIFIER) ?? []);
  return (original.match(IDENTIFIER) ?? []).some((name) => !kept.has(name) && real(name));
}

/** Names and numbers: a line's words, for its shape. */
const WORD_OR_NUMBER = /[A-Za-z_$][\w$]*|\d+(?:\.\d+)?/g;

/** A line without its trailing comment, names as `x` and numbers as `#`, spaces collapsed: `x: #,`. */
function shapeOf(line: string): string {
  return line.replace(/\s(\/\/|#).*$/, '').trim().replace(WORD_OR_NUMBER, (w) => (/^\d/.test(w) ? '#' : 'x')).replace(/\s+/g, ' ');
}

/**
 * Whether the number at `site` stands in a table: its line has the shape of the line above or
 * below it (status codes, an enum's members, a switch's cases, calls with literal arguments), or
 * holds three numbers or more (a row of a lookup table). A
 * table's numbers are data, each line's its own; the model's preference there is its taste for
 * repetition and sequence (`CLIENT_CLOSED_REQUEST: 499` between `INVALID_TOKEN: 498` and
 * `INTERNAL_SERVER_ERROR: 500` is neither 498 nor 500), so repair leaves them alone.
 */
export function numberInTable(block: string, site: OffsetRange): boolean {
  const start = lineStartAt(block, site.start);
  const end = lineEndAt(block, site.end);
  const above = start > 0 ? block.slice(lineStartAt(block, start - 1), start - 1) : undefined;
  const below = end < block.length ? block.slice(end + 1, lineEndAt(block, end + 1)) : undefined;
  const shape = shapeOf(block.slice(start, end));
  // A row of three numbers or more is a table of its own (a lookup table, a matrix).
  if ((shape.match(/#/g) ?? []).length >= 3) return true;
  return /#/.test(shape) && [above, below].some((n) => n !== undefined && shapeOf(n) === shape);
}

/**
 * Whether `name` is one slip of the keys from `word`: two neighbouring letters swapped, or one
 * letter mistyped, dropped or doubled inside the name. A letter added or taken at either end
 * (`defineProperty_` and `defineProperty`, `cases` and `case`, `href` and `ref`), a change of case
 * only, or two edits make a different name, not a slip: a project's own names differ from common
 * ones in just those ways.
 */
export function isSlip(word: string, name: string): boolean {
  if (word === name || word.toLowerCase() === name.toLowerCase() || editDistance(word, name, 1) !== 1) return false;
  const [short, long] = word.length < name.length ? [word, name] : [name, word];
  return short.length === long.length || !(long.startsWith(short) || long.endsWith(short));
}

/** Whether `b` is `a` with two neighbouring characters swapped (`hots` for `host`). */
export function isSwap(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** Names from `known` a slip away from `word`: one edit for short names, two for longer ones. */
export function nameCandidates(word: string, known: ReadonlyMap<string, number>, limit = 6): string[] {
  if (word.length < 3) return [];
  const max = word.length <= 5 ? 1 : 2;
  const out: Array<{ name: string; d: number; n: number }> = [];
  for (const [name, n] of known) {
    if (name === word || name.length < 3) continue;
    const d = editDistance(word, name, max);
    if (d <= max) out.push({ name, d, n });
  }
  return out.sort((x, y) => x.d - y.d || y.n - x.n || (x.name < y.name ? -1 : 1)).slice(0, limit).map((x) => x.name);
}

/**
 * Operators that are confused only as binary ones: `&x`, `&mut v`, a closure's `|x|` or `|| f()`,
 * a sign (`= +a`, `[-1]`) are not.
 */
const BINARY = new Set(['&&', '||', '&', '|', '+', '-']);

/** Whether `block.slice(start, end)` stands between two operands (spaces and line breaks aside). */
function between(block: string, start: number, end: number): boolean {
  let a = start - 1;
  while (a >= 0 && /\s/.test(block[a])) a--;
  let b = end;
  while (b < block.length && /\s/.test(block[b])) b++;
  return a >= 0 && /[A-Za-z0-9_$)\]'"`]/.test(block[a]) && b < block.length && /[A-Za-z0-9_$(['"`!-]/.test(block[b]);
}

export function operatorAlternatives(op: string): string[] {
  const set = CONFUSIONS.find((s) => s.includes(op));
  return set ? set.filter((x) => x !== op) : [];
}

/**
 * The site around a suspicious token at [start, end) of `block`: the whole identifier, number or
 * operator it belongs to, widened by one leading space (the tokenizer keeps it with the word), with
 * its candidates. Undefined when the token is part of nothing a repair proposes for.
 */
export function siteAt(block: string, start: number, end: number, known: ReadonlyMap<string, number>,
  real: (name: string) => boolean = (name) => (known.get(name) ?? 0) > 1): RepairSite | undefined {
  const b = end;
  let a = start;
  while (a < b && /\s/.test(block[a])) a++;
  if (a >= b) return undefined;
  if (WORD.test(block[a]) || WORD.test(block[b - 1])) {
    let s = WORD.test(block[a]) ? a : b - 1;
    while (s > 0 && WORD.test(block[s - 1])) s--;
    let e = s;
    while (e < block.length && WORD.test(block[e])) e++;
    const word = block.slice(s, e);
    if (/^\d+$/.test(word)) {
      if (block[s - 1] === '.' || block[e] === '.' || word.length > 4) return undefined;
      const n = Number(word);
      return withSpace(block, s, e, 'number', [String(n + 1), ...(n > 0 ? [String(n - 1)] : [])]);
    }
    if (!/^[A-Za-z_$]/.test(word)) return undefined;
    if (word === 'and' || word === 'or') return withSpace(block, s, e, 'operator', operatorAlternatives(word));
    // A real name (spelled the same way anywhere besides here) is deliberate; a slip is spelled once.
    if (real(word)) return undefined;
    return withSpace(block, s, e, 'identifier', nameCandidates(word, known));
  }
  if (!PUNCT.test(block[a])) return undefined;
  let s = a;
  while (s > 0 && PUNCT.test(block[s - 1])) s--;
  let e = a;
  while (e < block.length && PUNCT.test(block[e])) e++;
  // Within a run like `)<=(`, the operator is the longest known one around the token.
  const run = block.slice(s, e);
  for (let len = Math.min(3, run.length); len >= 1; len--) {
    for (let i = Math.max(0, a - s - len + 1); i <= Math.min(run.length - len, a - s); i++) {
      const op = run.slice(i, i + len);
      const alts = operatorAlternatives(op);
      if (alts.length && BINARY.has(op) && !between(block, s + i, s + i + len)) continue;
      if (alts.length) {
        const lead = s > 0 && block[s - 1] === ' ' ? ' ' : '';
        return {
          kind: 'operator',
          start: s - lead.length,
          end: e,
          original: lead + run,
          candidates: alts.map((x) => lead + run.slice(0, i) + x + run.slice(i + len)),
        };
      }
    }
  }
  return undefined;
}

function withSpace(block: string, s: number, e: number, kind: SiteKind, alternatives: string[]): RepairSite | undefined {
  // A name with no near neighbour still gets a site: the model's own fill may be one.
  if (alternatives.length === 0 && kind !== 'identifier') return undefined;
  const lead = s > 0 && block[s - 1] === ' ' ? 1 : 0;
  const pre = block.slice(s - lead, s);
  return { kind, start: s - lead, end: e, original: pre + block.slice(s, e), candidates: alternatives.map((x) => pre + x) };
}

/** A one-character edit that may fix a bracket slip: insert `text` at `at`, or delete at `at`. */
export interface BracketEdit {
  readonly at: number;
  readonly insert?: string;
  readonly delete?: true;
}

/**
 * Bracket edits worth parsing: for each opener left open before its enclosing closer arrives (or
 * at the end of the block), the matching closer at every token boundary between it and that point;
 * for a closer with no opener, its removal. Strings and comments are skipped (the bracket
 * scanners' one lexer, by `languageId`), and no closer is put inside them. The openers share the
 * `limit` in turns, the innermost first, each from its nearest position on. With `from`, the text
 * before it is context only (the code before the block, whose openers the block may have to
 * close): no edit falls before `from`.
 */
export function bracketEdits(block: string, languageId: string, limit = 120, from = 0): BracketEdit[] {
  const stack: Array<{ ch: string; at: number }> = [];
  const edits: BracketEdit[] = [];
  const open: Array<{ ch: string; at: number; until: number }> = [];
  const { skipped } = bracketsInCode(block, languageId, (c, i) => {
    if (c in CLOSE_OF) {
      stack.push({ ch: c, at: i });
      return;
    }
    // Openers above the first one this closer matches were left open.
    let k = stack.length - 1;
    while (k >= 0 && CLOSE_OF[stack[k].ch] !== c) k--;
    if (k < 0) {
      if (i >= from) edits.push({ at: i, delete: true });
    } else {
      for (const o of stack.splice(k + 1)) open.push({ ...o, until: i });
      stack.pop();
    }
  }, true);
  for (const o of stack) open.push({ ...o, until: block.length });
  const inSkipped = (p: number) => skipped.some(([a, b]) => a < p && p < b);
  // Per opener, its candidate positions nearest first; the innermost (latest) opener first.
  const queues = open
    .filter((o) => o.until >= from)
    .sort((a, b) => b.at - a.at)
    .map((o) => {
      const ps: number[] = [];
      for (let p = Math.max(o.at + 1, from); p <= o.until; p++) if (isBoundary(block, p) && !inSkipped(p)) ps.push(p);
      return { insert: CLOSE_OF[o.ch], ps };
    });
  for (let k = 0; edits.length < limit && queues.some((q) => k < q.ps.length); k++) {
    for (const q of queues) {
      if (k < q.ps.length && edits.length < limit) edits.push({ at: q.ps[k], insert: q.insert });
    }
  }
  return edits;
}

/** The words that follow a closing brace at the start of a line: `} else {`, `} catch (e) {`, `} while (x);`. */
const AFTER_CLOSER = /^(?:else|catch|finally|while)\b/;

/**
 * After a non-space character and not inside a word or number, or where a line's indentation ends
 * and no word follows (a closer on a line of its own, as `}` usually is, or before `)`, `=>`; one
 * space before the code may be the one that stood after the closer), or one of the words that
 * follow a closing brace (`} else`); within a line, after a space, only before a closer, `,` or
 * `;`, or in a gap of two spaces.
 */
export function isBoundary(block: string, p: number): boolean {
  const before = block[p - 1];
  const after = block[p] ?? '';
  if (before === undefined) return false;
  if (/\s/.test(before)) {
    const lineStart = block.lastIndexOf('\n', p - 1) + 1;
    // Within a line, after a space: before a closer or `,` `;` (`{ value: true })`), or in a gap of
    // exactly two spaces before code, where a deleted token leaves them (`{ a, b } = o`; a longer
    // gap is alignment).
    if (before === ' ' && p - 1 > lineStart && /\S/.test(block.slice(lineStart, p - 1))) {
      return /^[)\]},;]/.test(after) || (after === ' ' && block[p - 2] !== ' ' && /[^\s\\]/.test(block[p + 1] ?? ' '));
    }
    if (lineStart === 0 || !/^[ \t]*$/.test(block.slice(lineStart, p))) return false;
    const next = after === ' ' && !/\s/.test(block[p + 1] ?? ' ') ? p + 1 : p;
    const code = block[next] ?? '';
    return code !== ' ' && code !== '\t' && (!WORD.test(code) || AFTER_CLOSER.test(block.slice(next, next + 8)));
  }
  return !(WORD.test(before) && WORD.test(after));
}

export function applyBracketEdit(block: string, e: BracketEdit): string {
  return e.delete ? block.slice(0, e.at) + block.slice(e.at + 1) : block.slice(0, e.at) + (e.insert ?? '') + block.slice(e.at);
}

/**
 * The span the model scores a bracket edit on, in the edited block: the punctuation run that holds
 * the change (the tokenizer merges such runs), with a leading space.
 */
export function bracketSite(edited: string, e: BracketEdit): OffsetRange {
  let s = Math.min(e.at, edited.length);
  let end = e.delete ? s : s + (e.insert?.length ?? 0);
  while (s > 0 && PUNCT.test(edited[s - 1])) s--;
  while (end < edited.length && PUNCT.test(edited[end])) end++;
  if (s > 0 && edited[s - 1] === ' ') s--;
  if (end === s) end = Math.min(edited.length, s + 1);
  return { start: s, end };
}
