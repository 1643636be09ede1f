/**
 * The brackets of a piece's lines against the file's: which line opens the block a closing line
 * ends (bracket by bracket, so that `} else {` closes one block and opens the next), which closers
 * of a piece are new or belong to another block of the file, and whether a placement opens and
 * closes as many brackets as the lines it stands for.
 */
import { bracketBalance } from '../indentBrackets';
import { isTrivial, lineKey } from './align';

/**
 * The piece's matched closing lines (brackets only, such as `}` or `});`) whose opening line, found
 * by the brackets between them in the piece, is new: left unmatched where the alignment deletes
 * no original line (an insertion, not a changed line in place of old ones).
 */
export function closersOfNewBlocks(pk: readonly string[], deltas: readonly number[], brackets: readonly Brackets[], pairs: readonly (readonly [number, number])[]): number[] {
  const at = new Map(pairs.map(([i, o]) => [i, o]));
  const isNew = (k: number): boolean => {
    if (at.has(k)) return false;
    let before = k - 1;
    while (before >= 0 && !at.has(before)) before--;
    let after = k + 1;
    while (after < pk.length && !at.has(after)) after++;
    // Between two matched lines that have original lines between them: a changed version of one.
    return before < 0 || after >= pk.length || at.get(after)! - at.get(before)! === 1;
  };
  const out: number[] = [];
  for (const [i] of pairs) {
    if (deltas[i] >= 0 || !isTrivial(pk[i]) || pk[i] === '') continue;
    const k = openerOf(brackets, i);
    if (k >= 0 && isNew(k)) out.push(i);
  }
  return out;
}

/** Brackets a line opens and leaves open, and closes that it did not open (`} else {`: one of each). */
export interface Brackets {
  readonly open: number;
  readonly close: number;
  /** Opens minus closes. */
  readonly net: number;
}

/** Lines' brackets, by language and text (files repeat lines, and each piece is aligned several times). */
const bracketMemo = new Map<string, Brackets>();
const BRACKET_MEMO_SIZE = 50_000;

export function bracketsOf(line: string, languageId: string): Brackets {
  const key = `${languageId}\u0000${line}`;
  let b = bracketMemo.get(key);
  if (!b) {
    const r = bracketBalance(line, languageId);
    b = { open: r.unclosed.length, close: r.unopened.length, net: r.paren + r.bracket + r.brace };
    if (bracketMemo.size >= BRACKET_MEMO_SIZE) bracketMemo.clear();
    bracketMemo.set(key, b);
  }
  return b;
}

/** The line that opens the block line `i` closes (its first closing bracket), or -1. */
function openerOf(brackets: readonly Brackets[], i: number): number {
  let need = 1;
  for (let k = i - 1; k >= 0; k--) {
    if (brackets[k].open >= need) return k;
    need += brackets[k].close - brackets[k].open;
  }
  return -1;
}

/** The line that closes the block line `k` opens (its last opening bracket), or -1. */
function closerOf(brackets: readonly Brackets[], k: number, reach: number): number {
  let need = 1;
  for (let j = k + 1; j < Math.min(brackets.length, k + 1 + reach); j++) {
    if (brackets[j].close >= need) return j;
    need += brackets[j].open - brackets[j].close;
  }
  return -1;
}

/** How far (lines) a block's closer is looked for below its opening line. */
const CLOSER_REACH = 2000;

/**
 * The piece's matched closing lines (brackets only) whose opening line in the piece is matched too,
 * while the file closes that line's block elsewhere: [piece line, the file's closer of that block].
 */
export function ownClosers(pk: readonly string[], deltas: readonly number[], brackets: readonly Brackets[], pairs: readonly (readonly [number, number])[], origBrackets: readonly Brackets[]): [number, number][] {
  const at = new Map(pairs.map(([i, o]) => [i, o]));
  const out: [number, number][] = [];
  for (const [i, o] of pairs) {
    if (deltas[i] >= 0 || !isTrivial(pk[i]) || pk[i] === '') continue;
    const k = openerOf(brackets, i);
    const ok = k >= 0 ? at.get(k) : undefined;
    if (ok === undefined || origBrackets[ok].open === 0) continue;
    const c = closerOf(origBrackets, ok, CLOSER_REACH);
    if (c >= 0 && c !== o) out.push([i, c]);
  }
  return out;
}

/** Whether the piece's lines from its first matched line to its last open and close as many brackets as the file's lines they stand for. */
export function balanced(pairs: readonly (readonly [number, number])[], lines: readonly string[], orig: readonly string[], languageId: string): boolean {
  if (pairs.length === 0) return true;
  let d = 0;
  for (let i = pairs[0][0]; i <= pairs[pairs.length - 1][0]; i++) d += delta(lines[i], languageId);
  for (let o = pairs[0][1]; o <= pairs[pairs.length - 1][1]; o++) d -= delta(orig[o], languageId);
  return d === 0;
}

/**
 * Whether the placement's brackets are off only because its last line is a changed version of a
 * file line that opens a block the piece's line does not (`m() {` written as `m() {}`): the piece
 * then stands for that whole block.
 */
export function collapsesBlock(pairs: readonly (readonly [number, number])[], lines: readonly string[], orig: readonly string[], languageId: string): boolean {
  if (pairs.length < 2) return false;
  const [i, o] = pairs[pairs.length - 1];
  return delta(orig[o], languageId) > 0 && delta(lines[i], languageId) === 0 && lineKey(lines[i]) !== lineKey(orig[o])
    && balanced(pairs.slice(0, -1), lines, orig, languageId);
}

/** Net brackets a line opens (negative: closes). */
export function delta(line: string, languageId: string): number {
  return bracketsOf(line, languageId).net;
}
