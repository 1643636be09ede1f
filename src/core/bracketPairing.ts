/**
 * Diffuse Repair's evidence where the parser has none: a source file whose brackets do not pair up
 * is almost always broken, and the lexer alone can tell, also where the grammar cannot read the
 * code (C and C++ behind macros, a macro's body). Pure: no model, no parser.
 */
import { bracketsInCode, CLOSE_OF, looseMatcher, OPEN_OF, type BracketAt } from './indentBrackets';
import { applyBracketEdit, isBoundary, type BracketEdit } from './repairCandidates';

/** Edits `pairingEdits` returns at most: the ones nearest the bracket left unpaired. */
export const PAIRING_EDITS = 24;
/** Characters before the block where the bracket left unpaired may stand. */
export const PAIRING_REACH = 1500;
/** Places in the block that are tried at most (a block of thousands of lines is no slip's place). */
const PAIRING_PLACES = 2000;

/**
 * Bracket edits inside `doc.slice(start, end)` (offsets relative to `start`) after which every
 * bracket of the whole document pairs up, when it does not now and the block is where it stopped:
 * every bracket the document leaves unpaired lies in the block or at most `reach` characters
 * before it (an opener a preprocessor branch duplicated far above is not this block's to close),
 * none after it, and no stray closer before it. A closer of a kind left open is put back at a
 * boundary of the block, or a closer of a kind that pairs with nothing is taken out. None when a
 * string or comment runs off the end of the document (a literal the lexer does not know), when
 * everything pairs up already, or when nothing in the block makes it pair up. Nearest the
 * unpaired bracket first, at most `limit`, no two giving the same text.
 */
export function pairingEdits(doc: string, start: number, end: number, languageId: string, limit = PAIRING_EDITS, reach = PAIRING_REACH): BracketEdit[] {
  const brackets: BracketAt[] = [];
  const matcher = looseMatcher();
  const { skipped, unterminatedAt } = bracketsInCode(doc, languageId, (ch, at) => {
    brackets.push({ ch, at });
    matcher.add(ch, at);
  }, true);
  if (unterminatedAt !== undefined) return [];
  const first = lowerBound(brackets, start);
  const last = lowerBound(brackets, end, first);
  // The openers the code above leaves open, and the closers the code below needs, in order.
  const above = openersLeft(brackets, 0, first);
  const below = closersNeeded(brackets, last, brackets.length);
  const inBlock = brackets.slice(first, last);
  if (!above || !below || closes(above, inBlock, below)) return [];
  // The brackets that do not pair up, as an editor's matcher reads them.
  const loose = [...matcher.unopened, ...matcher.unclosed];
  if (loose.some((b) => b.at >= end || b.at < start - reach || (b.ch in OPEN_OF && b.at < start))) return [];
  // A closer of a kind left open goes back in; a closer with no opener comes out.
  const kinds = [...new Set(loose.filter((b) => b.ch in CLOSE_OF).map((b) => CLOSE_OF[b.ch]))];
  const stray = new Set(loose.filter((b) => b.ch in OPEN_OF).map((b) => b.ch));
  const from = loose.reduce((m, b) => Math.min(m, b.at), end);
  const block = doc.slice(start, end);
  const edits: Array<{ edit: BracketEdit; distance: number }> = [];
  const seen = new Set<string>();
  const add = (edit: BracketEdit, distance: number): boolean => {
    const text = applyBracketEdit(block, edit);
    if (seen.has(text)) return false;
    seen.add(text);
    edits.push({ edit, distance });
    return true;
  };
  // Places in order of distance from the unpaired bracket: past `limit` of them none is needed.
  let s = 0;
  let inserts = 0;
  let places = 0;
  for (let p = Math.max(0, from + 1 - start); p <= block.length && inserts < limit && places < PAIRING_PLACES; p++) {
    // Read in the whole document, so that the block's first position counts too (`} else {`).
    if (!isBoundary(doc, start + p)) continue;
    while (s < skipped.length && skipped[s][1] <= start + p) s++;
    if (s < skipped.length && skipped[s][0] < start + p && start + p < skipped[s][1]) continue;
    places++;
    const k = lowerBound(inBlock, start + p);
    for (const ch of kinds) {
      if (closes(above, inBlock, below, k, ch) && add({ at: p, insert: ch }, start + p - from)) inserts++;
    }
  }
  inBlock.forEach((b, k) => {
    if (stray.has(b.ch) && closes(above, inBlock, below, k)) add({ at: b.at - start, delete: true }, Math.abs(b.at - from));
  });
  return edits.sort((a, b) => a.distance - b.distance).slice(0, limit).map((x) => x.edit);
}

/** The openers `brackets[from, to)` leave open, innermost last; undefined when a closer pairs with nothing. */
function openersLeft(brackets: readonly BracketAt[], from: number, to: number): string[] | undefined {
  const stack: string[] = [];
  for (let i = from; i < to; i++) {
    const ch = brackets[i].ch;
    if (ch in CLOSE_OF) stack.push(ch);
    else if (CLOSE_OF[stack.pop() ?? ''] !== ch) return undefined;
  }
  return stack;
}

/** The closers `brackets[from, to)` need before them, first needed first; undefined when an opener stays open. */
function closersNeeded(brackets: readonly BracketAt[], from: number, to: number): string[] | undefined {
  const stack: string[] = [];
  const need: string[] = [];
  for (let i = from; i < to; i++) {
    const ch = brackets[i].ch;
    if (ch in CLOSE_OF) stack.push(ch);
    else if (stack.length === 0) need.push(ch);
    else if (CLOSE_OF[stack.pop()!] !== ch) return undefined;
  }
  return stack.length === 0 ? need : undefined;
}

/**
 * Whether `block`, after the openers `above` left open, leaves exactly the openers `below` closes;
 * with `at`, with the closer `insert` put before `block[at]`, or without `block[at]`.
 */
function closes(above: readonly string[], block: readonly BracketAt[], below: readonly string[], at = -1, insert?: string): boolean {
  const stack = [...above];
  const step = (ch: string): boolean => {
    if (ch in CLOSE_OF) stack.push(ch);
    else if (CLOSE_OF[stack.pop() ?? ''] !== ch) return false;
    return true;
  };
  for (let i = 0; i <= block.length; i++) {
    if (i === at && insert !== undefined && !step(insert)) return false;
    if (i === block.length || (i === at && insert === undefined)) continue;
    if (!step(block[i].ch)) return false;
  }
  return stack.length === below.length && below.every((ch, i) => CLOSE_OF[stack[stack.length - 1 - i]] === ch);
}

/** The first index of `xs` (sorted by `at`) from `lo` on whose `at` is at least `p`. */
function lowerBound(xs: ReadonlyArray<{ at: number }>, p: number, lo = 0): number {
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid].at < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
