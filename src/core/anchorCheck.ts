/**
 * Judging a fill by the parse of the document with the fill in place: the ERROR and MISSING nodes
 * around the changed range are counted before and after, and the ones after are turned into
 * ranges of the fill the engine can re-mask. Pure; both trees are passed in.
 */
import type { OffsetRange } from './types';
import type { SyntaxNode } from './syntaxTree';
import { collectErrors, collectWhere, isErrorNode, leavesIn, touches } from './syntaxTree';
import { lineEndAt, lineStartAt } from './indent';

export interface SyntaxCheck {
  /**
   * The fill adds no syntax errors around the changed range; for an insertion, also no error is
   * left within NEAR_LINES lines of the inserted text.
   */
  readonly ok: boolean;
  readonly errorsBefore: number;
  readonly errorsAfter: number;
  /**
   * Where the new errors sit, in the coordinates of the new document (subtract `range.start` for
   * offsets into the fill), clipped to the fill, sorted and merged. Empty when `ok`.
   */
  readonly errorRanges: readonly OffsetRange[];
  /** With `whole`: the errors anywhere in the new document (a lost closer may break it only at its end). */
  readonly errorsInDocument?: number;
}

/** Characters either side of the changed range that still count (errors often show just after). */
export const DEFAULT_ERROR_MARGIN = 256;

/**
 * Lines either side of an insertion in which no error may remain. A hole breaks the document around
 * it, not only where it is (it took an `if (` with it, and the `) {` below is an error now), so
 * matching the holed document's error count is no test; an error this near is the fill's to mend.
 * Farther errors only need to be no more numerous than before (the document's own).
 */
export const NEAR_LINES = 8;

export interface CheckInput {
  readonly oldRoot: SyntaxNode;
  readonly newRoot: SyntaxNode;
  /** The new document text (the old one with `range` replaced by the fill). */
  readonly newText: string;
  /** The replaced range, in old-document coordinates. */
  readonly range: OffsetRange;
  /** Length of the fill. */
  readonly fillLength: number;
  readonly margin?: number;
  /**
   * Nodes the grammar accepts but the language does not (tree-sitter-python reads `if x:` followed
   * by a dedented line as an if with an empty block), counted as errors in both trees.
   */
  readonly broken?: (node: SyntaxNode) => boolean;
  /** Also count the errors anywhere in the new document (`errorsInDocument`). */
  readonly whole?: boolean;
}

export function checkFill(input: CheckInput): SyntaxCheck {
  const margin = input.margin ?? DEFAULT_ERROR_MARGIN;
  const { range } = input;
  const fill = { start: range.start, end: range.start + input.fillLength };
  const errors = (root: SyntaxNode, window: OffsetRange): SyntaxNode[] =>
    input.broken ? [...collectErrors(root, window), ...collectWhere(root, window, input.broken)] : collectErrors(root, window);
  const before = errors(input.oldRoot, widen(range, margin));
  const after = errors(input.newRoot, widen(fill, margin));
  // An insertion is measured against a document with a hole in it, which is often broken right
  // there and a few lines on: the fill must mend that, not merely match it.
  const narrowest = innermost(after);
  const near = linesAround(input.newText, withSpace(input.newText, fill), NEAR_LINES);
  const mends = range.start !== range.end || !narrowest.some(e => touches(e, near));
  const ok = after.length <= before.length && mends;
  const whole = input.whole ? { errorsInDocument: errors(input.newRoot, { start: 0, end: input.newText.length }).length } : {};
  if (ok) return { ok, errorsBefore: before.length, errorsAfter: after.length, errorRanges: [], ...whole };
  const ranges = narrowest.map(node => remaskRange(input.newRoot, input.newText, node, fill));
  return { ok, errorsBefore: before.length, errorsAfter: after.length, errorRanges: mergeRanges(ranges), ...whole };
}

/** `r` with the whitespace either side of it in `text`: an error across a junction still touches it. */
function withSpace(text: string, r: OffsetRange): OffsetRange {
  let { start, end } = r;
  while (start > 0 && /\s/.test(text[start - 1])) start--;
  while (end < text.length && /\s/.test(text[end])) end++;
  return { start, end };
}

/** `r` widened to whole lines and `lines` more lines either side. */
function linesAround(text: string, r: OffsetRange, lines: number): OffsetRange {
  let start = lineStartAt(text, r.start);
  let end = lineEndAt(text, r.end);
  for (let i = 0; i < lines && start > 0; i++) start = lineStartAt(text, start - 1);
  for (let i = 0; i < lines && end < text.length; i++) end = lineEndAt(text, end + 1);
  return { start, end };
}

function widen(r: OffsetRange, margin: number): OffsetRange {
  return { start: Math.max(0, r.start - margin), end: r.end + margin };
}

/** Error nodes without error nodes inside them: the narrowest places the parse went wrong. */
function innermost(errors: readonly SyntaxNode[]): SyntaxNode[] {
  return errors.filter(e => !errors.some(o => o !== e && o.start >= e.start && o.end <= e.end && isInside(o, e)));
}

function isInside(inner: SyntaxNode, outer: SyntaxNode): boolean {
  const stack = [...outer.children];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.id === inner.id) return true;
    if (n.start <= inner.start && inner.end <= n.end) stack.push(...n.children);
  }
  return false;
}

/**
 * The part of the fill to re-mask for one error: the error's span clipped to the fill; for a
 * MISSING node (zero width) the tokens either side of it; for an error outside the fill, the
 * fill's line nearest to it (the fill caused it, only the fill can be changed).
 */
function remaskRange(root: SyntaxNode, text: string, node: SyntaxNode, fill: OffsetRange): OffsetRange {
  let span: OffsetRange = node;
  if (node.start === node.end) {
    const around = { start: Math.max(0, node.start - 1), end: node.end + 1 };
    const leaves = leavesIn(root, around).filter(l => !isErrorNode(l) && l.end > l.start);
    const start = Math.min(node.start, ...leaves.map(l => l.start));
    const end = Math.max(node.end, ...leaves.map(l => l.end));
    span = { start, end };
  }
  const clipped = { start: Math.max(span.start, fill.start), end: Math.min(span.end, fill.end) };
  if (clipped.start < clipped.end) return clipped;
  if (fill.start === fill.end) return fill;
  if (span.start >= fill.end) {
    const last = Math.max(fill.start, fill.end - 1);
    return { start: Math.max(fill.start, lineStartAt(text, last)), end: fill.end };
  }
  return { start: fill.start, end: Math.min(fill.end, lineEndAt(text, fill.start) + 1) };
}

export function mergeRanges(ranges: readonly OffsetRange[]): OffsetRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: OffsetRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && touches(r, last)) out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push(r);
  }
  return out;
}
