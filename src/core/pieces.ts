/**
 * Statement pieces: a region cut into runs of whole lines of about a statement each, for the edit
 * pipeline's last resort (a large chunk the model could not fill well-formed in one canvas is filled
 * again piece by piece). A cut may only go at the start of a line where an anchor node (a
 * statement, member or declaration, from the language's anchors.scm) begins; of the cuts that keep
 * a piece within budget (and at a quarter of it at least, where one does), the shallowest is taken
 * (between two statements of a block rather than inside one of them), then the farthest. Where no
 * statement cut fits (a long table, a call with many arguments, a block comment), a line inside a
 * statement is cut instead. Pure; the tree and the anchor roles are passed in.
 */
import type { OffsetRange } from './types';
import type { AnchorRoles, SyntaxNode } from './syntaxTree';
import { lineStartAt } from './indent';

/** Where a region may be cut, and how deep: anchor depth, or a fallback tier (LINE_DEPTH and over). */
export interface PieceCut {
  readonly at: number;
  readonly depth: number;
}

/**
 * Depth of a fallback cut: a line that starts a node inside a statement (a table's row, a call's
 * argument) is LINE_DEPTH plus its depth in the tree; any other line start (inside a block comment
 * or a multi-line string) is TEXT_DEPTH. Taken only where no statement cut fits the budget.
 */
export const LINE_DEPTH = 1000;
export const TEXT_DEPTH = 2000;

/**
 * Line starts inside `region` where a piece may begin: where an anchor node begins as the first
 * thing on its line (depth: the anchors around it), else where any named node does (LINE_DEPTH +
 * tree depth), else any other line start (TEXT_DEPTH).
 */
export function pieceCuts(text: string, root: SyntaxNode, roles: AnchorRoles, region: OffsetRange): PieceCut[] {
  const cuts = new Map<number, number>();
  const put = (at: number, depth: number): void => {
    cuts.set(at, Math.min(cuts.get(at) ?? Infinity, depth));
  };
  const startsLine = (at: number): number | undefined => {
    const line = lineStartAt(text, at);
    return line > region.start && /^[ \t]*$/.test(text.slice(line, at)) ? line : undefined;
  };
  const visit = (node: SyntaxNode, depth: number, treeDepth: number): void => {
    if (node.end <= region.start || node.start >= region.end) return;
    const anchor = roles.has(node.id);
    if (node.start > region.start && (anchor || node.isNamed)) {
      const line = startsLine(node.start);
      if (line !== undefined) put(line, anchor ? depth : LINE_DEPTH + treeDepth);
    }
    for (const child of node.children) visit(child, depth + (anchor && node.start >= region.start ? 1 : 0), treeDepth + 1);
  };
  visit(root, 0, 0);
  for (let at = text.indexOf('\n', region.start) + 1; at > 0 && at < region.end; at = text.indexOf('\n', at) + 1) put(at, TEXT_DEPTH);
  return [...cuts].map(([at, depth]) => ({ at, depth })).sort((a, b) => a.at - b.at);
}

/**
 * Pieces of `region`, in order, covering it exactly, each within `maxSize` by `measure` where the
 * cuts allow (a stretch without a cut stays whole, however large).
 */
export function pieceRegion(text: string, region: OffsetRange, cuts: readonly PieceCut[], maxSize: number, measure: (t: string) => number): OffsetRange[] {
  const out: OffsetRange[] = [];
  let start = region.start;
  while (measure(text.slice(start, region.end)) > maxSize) {
    const ahead = cuts.filter((c) => c.at > start && c.at < region.end);
    if (!ahead.length) break;
    // Sizes from the piece start to each cut, in order, until well past the budget (a text's token
    // count grows with it, the margin for a tokenizer that merges across the cut).
    const sized: Array<PieceCut & { size: number }> = [];
    for (const c of ahead) {
      const size = measure(text.slice(start, c.at));
      if (size > 2 * maxSize) break;
      sized.push({ ...c, size });
    }
    const fitting0 = sized.filter((c) => c.size <= maxSize);
    // A cut between statements where one fits; a line inside a statement only where none does.
    const tier = (c: PieceCut): number => c.depth >= TEXT_DEPTH ? 2 : c.depth >= LINE_DEPTH ? 1 : 0;
    const best = Math.min(...fitting0.map(tier));
    const fits = fitting0.filter((c) => tier(c) === best);
    // A piece of a quarter of the budget at least, where a cut allows: many tiny pieces are many rows.
    const roomy = fits.filter((c) => 4 * c.size >= maxSize);
    const fitting = roomy.length ? roomy : fits;
    // No cut fits: the nearest one, the piece over budget as little as the cuts allow.
    let cut = fitting[0] ?? ahead[0];
    for (const c of fitting) if (c.depth <= cut.depth) cut = c;
    out.push({ start, end: cut.at });
    start = cut.at;
  }
  out.push({ start, end: region.end });
  return out;
}
