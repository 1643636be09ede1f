/**
 * Statement pieces: a region cut into runs of whole lines of about a statement each, for the edit
 * pipeline's last resort (a large chunk the model could not fill well-formed in one canvas is filled
 * again piece by piece). A cut may only go at the start of a line where an anchor node (a
 * statement, member or declaration, from the language's anchors.scm) begins; of the cuts that keep
 * a piece within budget (and at a quarter of it at least, where one does), the shallowest is taken
 * (between two statements of a block rather than inside one of them), then the farthest. Pure; the tree and the anchor roles are passed in.
 */
import type { OffsetRange } from './types';
import type { AnchorRoles, SyntaxNode } from './syntaxTree';
import { lineStartAt } from './indent';

/** Where a region may be cut, and how many anchors enclose the node that starts there. */
export interface PieceCut {
  readonly at: number;
  readonly depth: number;
}

/** Line starts inside `region` where an anchor node begins as the first thing on its line. */
export function pieceCuts(text: string, root: SyntaxNode, roles: AnchorRoles, region: OffsetRange): PieceCut[] {
  const cuts = new Map<number, number>();
  const visit = (node: SyntaxNode, depth: number): void => {
    if (node.end <= region.start || node.start >= region.end) return;
    const anchor = roles.has(node.id);
    if (anchor && node.start > region.start) {
      const line = lineStartAt(text, node.start);
      if (line > region.start && /^[ \t]*$/.test(text.slice(line, node.start))) cuts.set(line, Math.min(cuts.get(line) ?? Infinity, depth));
    }
    for (const child of node.children) visit(child, depth + (anchor && node.start >= region.start ? 1 : 0));
  };
  visit(root, 0);
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
    const fits = ahead.filter((c) => measure(text.slice(start, c.at)) <= maxSize);
    // A piece of a quarter of the budget at least, where a cut allows: many tiny pieces are many rows.
    const roomy = fits.filter((c) => 4 * measure(text.slice(start, c.at)) >= maxSize);
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
