/**
 * The small syntax-tree interface the engine's decisions are written against. `src/syntax/` adapts
 * web-tree-sitter nodes to it; unit tests can build trees by hand. Offsets are UTF-16 code units.
 */
import type { OffsetRange } from './types';

export interface SyntaxNode {
  /** Unique within one tree (query captures are matched to nodes by it). */
  readonly id: number;
  readonly type: string;
  readonly start: number;
  readonly end: number;
  /** Named nodes are grammar rules; anonymous ones are literal tokens such as `;` or `{`. */
  readonly isNamed: boolean;
  /** Comments and other nodes the grammar allows anywhere. */
  readonly isExtra: boolean;
  /** A node the parser inserted to recover (zero width). */
  readonly isMissing: boolean;
  /** This node or a descendant is an ERROR or MISSING node. */
  readonly hasError: boolean;
  readonly children: readonly SyntaxNode[];
}

/** What a query capture says about a node (see src/syntax/queries/<lang>/anchors.scm). */
export type AnchorRole =
  /** A unit edits snap to: statement, member, function, declaration, JSX element. */
  | 'anchor'
  /** An anchor that wraps one definition (export, decorators): taken whole with it. */
  | 'wrap'
  /** Belongs to the anchor right after it (Rust attributes). */
  | 'leading';

export type AnchorRoles = ReadonlyMap<number, AnchorRole>;

export function isErrorNode(node: SyntaxNode): boolean {
  return node.type === 'ERROR' || node.isMissing;
}

export function overlaps(a: OffsetRange, b: OffsetRange): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Like `overlaps`, but a zero-width node (MISSING) counts when it sits inside or at an edge of `r`. */
export function touches(node: OffsetRange, r: OffsetRange): boolean {
  if (node.start === node.end) return node.start >= r.start && node.start <= r.end;
  return overlaps(node, r);
}

/**
 * ERROR and MISSING nodes that touch `window`, outermost first. Only subtrees that report an error
 * and reach the window are visited, so a clean tree costs one check.
 */
export function collectErrors(root: SyntaxNode, window: OffsetRange): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const visit = (node: SyntaxNode): void => {
    if (!node.hasError && !node.isMissing) return;
    if (!touches(node, window)) return;
    if (isErrorNode(node)) found.push(node);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return found;
}

/** Nodes that touch `window` and satisfy `pred`, outermost first (every subtree reaching the window is visited). */
export function collectWhere(root: SyntaxNode, window: OffsetRange, pred: (node: SyntaxNode) => boolean): SyntaxNode[] {
  const found: SyntaxNode[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node !== root && !touches(node, window)) return;
    if (pred(node)) found.push(node);
    for (const child of node.children) visit(child);
  };
  visit(root);
  return found;
}

/** Ancestors of the deepest node containing [start, end), root first. */
export function pathTo(root: SyntaxNode, start: number, end: number): SyntaxNode[] {
  const path = [root];
  let node = root;
  for (;;) {
    const next = node.children.find(c => c.start <= start && end <= c.end && c.end > c.start);
    if (!next) return path;
    path.push(next);
    node = next;
  }
}

/** Leaf tokens (nodes without children) that overlap `r`, in document order. */
export function leavesIn(node: SyntaxNode, r: OffsetRange): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const visit = (n: SyntaxNode): void => {
    if (!touches(n, r)) return;
    if (n.children.length === 0 || n.isExtra) {
      out.push(n);
      return;
    }
    for (const c of n.children) visit(c);
  };
  visit(node);
  return out;
}
