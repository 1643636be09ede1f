/**
 * The parser's own recovery, applied to a fill: where tree-sitter could not fit tokens of the fill
 * into the grammar it wraps them in an ERROR node (and parses the rest as if they were not there),
 * and where a token was missing it puts a zero-width MISSING node of that token. Taking the ERROR
 * nodes' text out of the fill and writing the missing tokens in gives the text the parser already
 * understood the fill as. It is the edit pipeline's last step for a fill that the re-masking rounds
 * could not make well-formed: the model's code is kept wherever it parsed, nothing is invented but
 * a missing `;` or bracket. Pure; the tree is passed in, and the caller parses again (one pass of
 * recovery can expose an error the first parse had hidden).
 */
import type { OffsetRange } from './types';
import type { SyntaxNode } from './syntaxTree';
import { collectErrors, isErrorNode, touches } from './syntaxTree';
import { lineEndAt, lineStartAt } from './indent';

export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * Edits of `text` (the document with the fill at `fill`), in its coordinates, sorted and not
 * overlapping, that apply the recovery within the fill: the innermost ERROR nodes' text there is
 * taken out (with its line, when nothing else is left on it), and each MISSING token there (a
 * literal such as `;` or `}`, not a named node, which would have to be invented) is written in.
 * Only the fill is edited: an ERROR node reaching outside it loses only its part inside.
 */
export function recoveryEdits(root: SyntaxNode, text: string, fill: OffsetRange): TextEdit[] {
  // A MISSING named node (an identifier the parser wanted) cannot be written in: the ERROR around
  // it, if any, is what goes.
  const errors = collectErrors(root, fill).filter((e) => !(e.isMissing && e.isNamed));
  const innermost = errors.filter((e) => !errors.some((o) => o !== e && o.start >= e.start && o.end <= e.end && (o.start > e.start || o.end < e.end)));
  const edits: TextEdit[] = [];
  for (const e of innermost) {
    if (e.isMissing) {
      if (e.type.length > 0 && touches(e, fill)) edits.push({ start: e.start, end: e.start, text: e.type });
      continue;
    }
    if (!isErrorNode(e)) continue;
    const start = Math.max(e.start, fill.start);
    const end = Math.min(e.end, fill.end);
    if (start >= end) continue;
    edits.push(wholeLine(text, { start, end }, fill));
  }
  return disjoint(edits);
}

/** A deletion of `r`, widened to its lines (and one line break) when the lines hold nothing else, within `fill`. */
function wholeLine(text: string, r: OffsetRange, fill: OffsetRange): TextEdit {
  const lineStart = lineStartAt(text, r.start);
  const lineEnd = lineEndAt(text, r.end);
  const a = Math.max(fill.start, lineStart);
  const b = Math.min(fill.end, lineEnd);
  if (text.slice(lineStart, r.start).trim() === '' && text.slice(r.end, lineEnd).trim() === '') {
    // The line break after the last line goes too, where the fill holds it; else the one before.
    if (b < fill.end && text[b] === '\n') return { start: a, end: b + 1, text: '' };
    if (a > fill.start && text[a - 1] === '\n') return { start: a - 1, end: b, text: '' };
    return { start: a, end: b, text: '' };
  }
  // Within a line: the spaces the text stood between go with it, but one (`a * * b` to `a * b`),
  // and all of them before a closing `;`, `,`, `)` or `]` (`let a = ((;` to `let a;`).
  let { start, end } = r;
  const blank = (at: number): boolean => text[at] === ' ' || text[at] === '\t';
  if (start > a && blank(start - 1)) while (end < b && blank(end)) end++;
  if (text.slice(end, b).trim() === '' || /^[;,)\]]/.test(text.slice(end, b))) while (start > a && blank(start - 1)) start--;
  return { start, end, text: '' };
}

/** Edits sorted by position, any that overlaps an earlier one dropped (the next pass sees it again). */
function disjoint(edits: readonly TextEdit[]): TextEdit[] {
  const sorted = [...edits].sort((x, y) => x.start - y.start || x.end - y.end);
  const out: TextEdit[] = [];
  for (const e of sorted) {
    const last = out[out.length - 1];
    if (last && (e.start < last.end || (e.start === last.start && e.end === last.end && e.start === e.end && e.text === last.text))) continue;
    out.push(e);
  }
  return out;
}

/** `fill` with `edits` applied; the edits are in document coordinates, the fill starts at `fillStart`. */
export function applyEdits(fill: string, edits: readonly TextEdit[], fillStart: number): string {
  let out = fill;
  for (let k = edits.length - 1; k >= 0; k--) {
    const e = edits[k];
    out = out.slice(0, e.start - fillStart) + e.text + out.slice(e.end - fillStart);
  }
  return out;
}
